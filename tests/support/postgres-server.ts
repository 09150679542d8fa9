// Starts a real PostgreSQL server for a test: initdb into a temporary directory (as the `postgres`
// user when running as root, since initdb refuses root), a free loopback port, trust
// authentication, wal_level=logical and prepared transactions enabled; stopped (and its directory
// removed) by stop() or when the process exits. Needs the PostgreSQL server binaries (Debian
// package postgresql; .ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { freePort, waitForPort } from './free-port.ts';
import pg from 'pg';

/** A running PostgreSQL server. */
export interface PostgresServer {
  /** A connection string for the superuser `postgres` and database `postgres`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const child of running) child.kill('SIGKILL'); });

/** The directory of initdb and postgres, or undefined. */
function binDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath) return onPath.slice(0, onPath.lastIndexOf('/'));
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** As root, the command runs as the postgres user (initdb and postgres refuse root). */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

/** Why a PostgreSQL server cannot run here, or undefined when it can. */
export function postgresServerMissing(): string | undefined {
  if (binDir() === undefined) return 'PostgreSQL server binaries (initdb) not found; apt-get install postgresql';
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no postgres user to run initdb as';
  return undefined;
}

/** Starts a PostgreSQL server with logical decoding and prepared transactions on a free loopback port. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const missing = postgresServerMissing();
  if (missing) throw new Error(missing);
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-pg-'));
  if (process.getuid?.() === 0) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const data = join(dir, 'data');
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${(init.stderr || init.stdout || String(init.error)).slice(-800)}`);
  }
  // A port found free may be taken before the server binds it: try again on another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const [cmd, args] = asServerUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'wal_level=logical', '-c', 'max_prepared_transactions=64', '-c', 'max_replication_slots=16',
      '-c', 'max_wal_senders=16', '-c', 'fsync=off', '-c', 'full_page_writes=off',
    ]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let log = '';
    child.stderr!.on('data', (d) => { log += d; if (log.length > 20_000) log = log.slice(-10_000); });
    let exited: string | undefined;
    child.once('exit', (code, signal) => { running.delete(child); exited = `postgres exited (${code ?? signal}): ${log.slice(-800)}`; });
    try {
      await waitForPort(port, () => exited);
      // Also proves that the listener is this server, not another process that took the port.
      await acceptingConnections(port, () => exited);
    } catch (error) {
      child.kill('SIGKILL');
      if (attempt < 3) { await new Promise((r) => child.once('exit', r)); continue; }
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return runningServer(child, port, dir, () => exited);
  }
}

/** Resolves once the server lets a client in (it listens before it has finished starting up). */
async function acceptingConnections(port: number, isDead: () => string | undefined): Promise<void> {
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      const dead = isDead();
      if (dead !== undefined) throw new Error(dead);
      if ((error as { code?: string }).code !== '57P03' || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50)); // a condition polled: the server is starting up
    }
  }
}

function runningServer(child: ChildProcess, port: number, dir: string, exited: () => string | undefined): PostgresServer {
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (exited() === undefined) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // fast shutdown
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A server and a connected client for one test file's `test.before` hook. uvu does not print why
 * a hook failed, so a failure to start is printed here before it is thrown.
 */
export async function startPostgresWithClient(): Promise<{ server: PostgresServer; db: pg.Client }> {
  try {
    const server = await startPostgresServer();
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    return { server, db };
  } catch (error) {
    console.error('starting the server failed:', error);
    throw error;
  }
}
