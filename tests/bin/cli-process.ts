// Runs the `actorflow` CLI as a child process on the runtime the test runs on (tsx on Node,
// `deno run -A` on Deno), for the CLI tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The checkout's root (the CLI runs there). */
export const root = fileURLToPath(new URL('../../', import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** A running CLI process and its output so far. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code (1 when killed by a signal). */
  readonly exited: Promise<number>;
}

/** Starts the CLI with `args`. */
export function startCli(...args: string[]): CliProcess {
  return startCliWith({}, ...args);
}

/** Starts the CLI with `args`, these variables added to (or, when undefined, removed from) its environment. */
export function startCliWith(vars: Record<string, string | undefined>, ...args: string[]): CliProcess {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...vars };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const [cmd, argv] = isDeno
    ? [process.execPath, ['run', '-A', 'bin/cli.ts', ...args]]
    : [process.execPath, ['bin/actorflow.mjs', ...args]];
  const child = spawn(cmd, argv, { cwd: root, env });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => { output.stdout += d; });
  child.stderr!.on('data', (d) => { output.stderr += d; });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return { child, output, exited };
}

/** Runs the CLI to its end; resolves with exit code and output. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith({}, ...args);
}

/** Runs the CLI to its end with these environment variables; resolves with exit code and output. */
export async function cliWith(vars: Record<string, string | undefined>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = startCliWith(vars, ...args);
  const code = await p.exited;
  return { code, ...p.output };
}

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
