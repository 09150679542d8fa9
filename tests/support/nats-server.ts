// Starts a real nats-server with JetStream for a test: a free loopback port, a temporary storage
// directory, stopped (and its directory removed) by stop() or when the process exits. Needs the
// `nats-server` binary (Debian package nats-server; .ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { waitForPort } from './free-port.ts';

/** A running nats-server. */
export interface NatsServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/** Why nats-server cannot run here, or undefined when it can. */
export function natsServerMissing(): string | undefined {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return probe.error ? `nats-server is not installed (${probe.error.message}); apt-get install nats-server` : undefined;
}

/** Starts nats-server -js on a free loopback port. */
export async function startNatsServer(): Promise<NatsServer> {
  const missing = natsServerMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-nats-'));
  // The server picks its own port (-p -1) and logs it: no other process can take it in between.
  const child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', '-1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let log = '';
  let exited: string | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      log += d;
      const m = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      exited = `nats-server exited (${code ?? signal}): ${log.slice(-500)}`;
      reject(new Error(exited));
    });
  }).catch((error) => { rmSync(dir, { recursive: true, force: true }); throw error; });
  await waitForPort(port, () => exited);
  return runningServer(child, port, dir, () => exited);
}

function runningServer(child: ChildProcess, port: number, dir: string, exited: () => string | undefined): NatsServer {
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      if (exited() === undefined) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
