// Starts a real nats-server with JetStream for a test: a free loopback port, a temporary storage
// directory, stopped (and its directory removed) by stop() or when the process exits. Needs the
// `nats-server` binary (Debian package nats-server; .ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { freePort, waitForPort } from './free-port.ts';

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
  // A port found free may be taken before the server binds it: try again on another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let log = '';
    child.stderr!.on('data', (d) => { log += d; });
    let exited: string | undefined;
    child.once('exit', (code, signal) => { running.delete(child); exited = `nats-server exited (${code ?? signal}): ${log.slice(-500)}`; });
    try {
      await waitForPort(port, () => exited);
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return runningServer(child, port, dir, () => exited);
  }
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
