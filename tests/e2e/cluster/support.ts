// Shared pieces of the multi-process cluster tests: start JobManager and TaskManager processes
// through the CLI on Node or Deno, wait for their ready lines, run client commands, read a
// FileSink's committed output, and stop everything at the end of a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env as processEnv, execPath } from 'node:process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A JavaScript runtime a process of the cluster runs on. */
export type Runtime = 'node' | 'deno';

/** The runtime running this test. */
export const currentRuntime: Runtime = (globalThis as { Deno?: unknown }).Deno !== undefined ? 'deno' : 'node';

/** The other runtime (for mixed clusters). */
export const otherRuntime: Runtime = currentRuntime === 'node' ? 'deno' : 'node';

/** How to start the CLI on `runtime`. */
function cliCommand(runtime: Runtime): [string, string[]] {
  if (runtime === 'deno') {
    const deno = currentRuntime === 'deno' ? execPath : join(root, 'node_modules', '.bin', 'deno');
    return [deno, ['run', '--allow-all', '--unstable-kv', join(root, 'bin', 'cli.ts')]];
  }
  return [currentRuntime === 'node' ? execPath : 'node', [join(root, 'bin', 'actorflow.mjs')]];
}

/** A process of the cluster (or a client command) and what it printed. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  /** A JobManager's RPC address and REST URL, from its ready line. */
  rpcAddress: string | undefined;
  restUrl: string | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly runtime: Runtime, args: string[], env: Record<string, string>) {
    const [command, prefix] = cliCommand(runtime);
    this.child = spawn(command, [...prefix, ...args], { cwd: root, env: { ...processEnv, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const wake = (): void => { for (const w of this.waiters) w(); };
    this.child.stdout!.on('data', (d: Uint8Array) => { this.stdout += new TextDecoder().decode(d); wake(); });
    this.child.stderr!.on('data', (d: Uint8Array) => { this.stderr += new TextDecoder().decode(d); wake(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => { wake(); resolve(code); }));
  }

  /** Resolves with the first match of `pattern` in stdout; rejects when the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        if (done) return;
        const m = pattern.exec(this.stdout);
        if (m) { finish(); resolve(m); return; }
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish();
          reject(new Error(`${this.runtime} process exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
        }
      };
      const timer = setTimeout(() => { finish(); reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)); }, timeoutMs);
      const finish = (): void => { done = true; clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the exit code once the process ended. */
  async result(): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const code = await this.exited;
    return { code, stdout: this.stdout, stderr: this.stderr };
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** A cluster of CLI processes started by one test; `stop()` ends them all. */
export class TestCluster {
  readonly processes: CliProcess[] = [];
  jobmanager = '';
  restUrl = '';

  constructor(readonly env: Record<string, string>) {}

  /**
   * Starts a JobManager on ephemeral ports and waits for its ready line; the cluster's client
   * commands and REST calls go to it from then on (`use` switches to another one).
   */
  async startJobManager(runtime: Runtime = currentRuntime, extra: string[] = []): Promise<CliProcess> {
    const p = this.start(runtime, ['jobmanager', '--port', '0', '--rest-port', '0', ...extra]);
    const m = await p.waitFor(/JobManager listening on (\S+), REST at (\S+)/);
    p.rpcAddress = m[1];
    p.restUrl = m[2];
    this.use(p);
    return p;
  }

  /** Sends client commands and REST calls to the JobManager `p` from now on. */
  use(p: CliProcess): void {
    this.jobmanager = p.rpcAddress!;
    this.restUrl = p.restUrl!;
  }

  /** Starts a TaskManager with `slots` slots (registering with `--jobmanager` or as `how` says) and waits until it registered. */
  async startTaskManager(runtime: Runtime = currentRuntime, slots = 2, how: string[] = ['--jobmanager', this.jobmanager]): Promise<CliProcess> {
    const p = this.start(runtime, ['taskmanager', ...how, '--slots', String(slots)]);
    await p.waitFor(/TaskManager \S+ registered with/);
    return p;
  }

  /**
   * Starts a leader JobManager and a standby sharing the HA store `storage` (a directory or a KV
   * Connect URL), then two TaskManagers with two slots each that follow whichever leads; client
   * commands and REST calls go to the leader.
   */
  async startHighlyAvailable(storage: string, leaseMs: number): Promise<{ leader: CliProcess; standby: CliProcess }> {
    const haArgs = ['--ha-storage', storage, '--ha-lease-ms', String(leaseMs)];
    const leader = await this.startJobManager(currentRuntime, haArgs);
    await leader.waitFor(/is the leader/);
    const standby = await this.startJobManager(currentRuntime, haArgs);
    await standby.waitFor(/stands by/);
    this.use(leader);
    await this.startTaskManager(currentRuntime, 2, ['--ha-storage', storage]);
    await this.startTaskManager(currentRuntime, 2, ['--ha-storage', storage]);
    return { leader, standby };
  }

  /** kill -9 of the leader JobManager; resolves once the standby leads, with client commands going to it. */
  async killLeader(leader: CliProcess, standby: CliProcess): Promise<void> {
    leader.kill('SIGKILL');
    await leader.exited;
    await standby.waitFor(/is the leader/, 60_000);
    this.use(standby);
  }

  /** Submits the counting job at parallelism 2 with `--detached` and `how` (where the JobManager is); returns its id. */
  async submitCountingJob(how: string[]): Promise<string> {
    const submit = await this.run(['run', COUNTING_JOB, ...how, '--parallelism', '2', '--detached']);
    if (submit.code !== 0) throw new Error(`submission failed (exit ${submit.code}): ${submit.stderr}`);
    return /[0-9a-f]{32}/.exec(submit.stdout)![0];
  }

  /** Waits until job `jobId` completed two checkpoints and committed output to `outputDir`: it is mid-way. */
  async untilMidJob(jobId: string, outputDir: string): Promise<void> {
    await waitUntil(async () => {
      const ck = await this.rest<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`);
      return ck.counts.completed >= 2 && committedLines(outputDir).length > 0;
    }, 'two checkpoints completed');
  }

  /** Runs a client command to its end. */
  run(args: string[], runtime: Runtime = currentRuntime): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return this.start(runtime, args).result();
  }

  start(runtime: Runtime, args: string[]): CliProcess {
    const p = new CliProcess(runtime, args, this.env);
    this.processes.push(p);
    return p;
  }

  /** GET a JSON resource of the REST API. */
  async rest<T>(path: string): Promise<T> {
    const response = await fetch(this.restUrl.replace(/\/$/, '') + path);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return await response.json() as T;
  }

  /** The job's final result: long-polls GET /jobs/:jid/result until the job is terminal. */
  async jobResult(jobId: string, timeoutMs = 90_000): Promise<{ state: string; error?: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await fetch(`${this.restUrl.replace(/\/$/, '')}/jobs/${jobId}/result?timeout=5000`);
      if (response.status === 200) return await response.json() as { state: string; error?: string };
      await response.body?.cancel();
      if (response.status !== 202) throw new Error(`GET /jobs/${jobId}/result: ${response.status}`);
      if (Date.now() > deadline) throw new Error(`job ${jobId} did not end within ${timeoutMs} ms`);
    }
  }

  /** Stops every process (SIGKILL after a grace period). */
  async stop(): Promise<void> {
    for (const p of this.processes) p.kill('SIGTERM');
    const grace = setTimeout(() => { for (const p of this.processes) p.kill('SIGKILL'); }, 5_000);
    await Promise.all(this.processes.map((p) => p.exited));
    clearTimeout(grace);
  }
}

/** Polls `condition` (real I/O: REST, files) until it holds; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh temporary directory; `cleanup` removes it. */
export function tempDir(prefix: string): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), `actorflow-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** The lines of the FileSink's committed part files (hidden in-progress files excluded), sorted. */
export function committedLines(directory: string): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(directory)) {
    if (name.startsWith('.')) continue;
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) if (line !== '') lines.push(line);
  }
  return lines.sort();
}

/** The counting-job fixture's path (relative to the repository root, as the CLI is given it). */
export const COUNTING_JOB = 'tests/e2e/cluster/fixtures/counting-job.ts';
