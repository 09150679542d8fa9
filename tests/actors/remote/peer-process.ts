// Starts the remote-peer fixture in a child process on the runtime running the tests (Node through
// tsx's loader, so that kill -9 hits the process that owns the socket; Deno natively).
import { spawn, type ChildProcess } from 'node:child_process';
import { env, execPath } from 'node:process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/remote-peer.ts', import.meta.url));

/** A running peer process and the port its actor system listens on. */
export interface PeerProcess { readonly child: ChildProcess; readonly port: number; readonly exited: Promise<void> }

/** Spawns the fixture with `secret` and waits for it to listen. */
export function startPeer(secret: string): Promise<PeerProcess> {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const args = deno ? ['run', '-A', '--unstable-kv', fixture] : ['--import', 'tsx', fixture];
  const child = spawn(execPath, args, { cwd: root, env: { ...env, ACTORFLOW_CLUSTER_SECRET: secret }, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Uint8Array) => {
      out += new TextDecoder().decode(chunk);
      const ready = /READY (\d+)/.exec(out);
      if (ready) resolve({ child, port: Number(ready[1]), exited });
    });
    child.once('exit', (code) => reject(new Error(`peer exited early with code ${code}: ${out}`)));
  });
}
