// How a client command reaches a cluster: `--rest URL` directly, or `--jobmanager HOST:PORT` (the
// JobManager's RPC address): a short-lived actor system connects there, asks the JobManager actor
// for its REST URL (`jobmanager.info`), and terminates; the command then talks REST. With
// `--ha-storage DIR|URL` the JobManager's RPC address is the leader's, as the HA store names it now.
// Imports the actor system, the HA store look-up and the REST client.
import { randomBytes } from 'node:crypto';
import { ActorSystem } from '../../actors/index.ts';
import { findLeader, openHaStore } from '../../actors/ha/ha-store.ts';
import { RestClient } from '../../actors/rest/rest-client.ts';

/** The JobManager's RPC address when none is given (Flink's default port). */
export const DEFAULT_JOBMANAGER = 'localhost:6123';

/** Options every client command takes. */
export interface ClusterClientOptions {
  /** `host:port` of the JobManager's RPC endpoint. */
  jobmanager?: string;
  /** The REST URL, bypassing the RPC look-up. */
  rest?: string;
  /** The JobManagers' HA store: talk to whichever leads. */
  haStorage?: string;
}

/** A command-line value that is not usable (the CLI exits 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Splits `host:port` (also `[v6]:port`); throws a UsageError naming the value otherwise. */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`expected HOST:PORT (e.g. localhost:6123), got "${value}"`);
  return { host: m[1] ?? m[2], port };
}

/** Checks an explicit REST URL. */
function parseRestUrl(value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw new UsageError(`expected a REST URL such as http://localhost:8081, got "${value}"`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the REST URL must be http(s), got "${value}"`);
  return value.replace(/\/+$/, '');
}

/**
 * Asks the JobManager at `hostPort` (its RPC address) for its REST URL. A wildcard bind address in
 * the answer (0.0.0.0, ::) is replaced by the host the client reached the JobManager at.
 */
export async function resolveRestUrl(hostPort: string, options: { secret?: string; timeoutMs?: number } = {}): Promise<string> {
  const { host, port } = parseHostPort(hostPort);
  const system = ActorSystem.create(`client-${randomBytes(4).toString('hex')}`);
  try {
    let address: string;
    try {
      address = await system.connect(host, port, options.secret !== undefined ? { secret: options.secret } : undefined);
    } catch (e) {
      throw new Error(`cannot reach the JobManager at ${hostPort}: ${(e as Error).message}`, { cause: e });
    }
    let info: { restUrl?: unknown };
    try {
      info = await system.resolve(`${address}/user/jobmanager`).ask<{ restUrl?: unknown }>({ type: 'jobmanager.info' }, options.timeoutMs ?? 10_000);
    } catch (e) {
      throw new Error(`the JobManager at ${hostPort} did not tell its REST URL: ${(e as Error).message}`, { cause: e });
    }
    if (typeof info?.restUrl !== 'string' || info.restUrl === '') throw new Error(`the JobManager at ${hostPort} has no REST endpoint`);
    const url = new URL(info.restUrl);
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = host.includes(':') ? `[${host}]` : host;
    return url.href.replace(/\/+$/, '');
  } finally {
    await system.terminate();
  }
}

/** The RPC address of the JobManager leading in the HA store `storage` now. */
export async function leaderOf(storage: string): Promise<string> {
  const kv = await openHaStore(storage);
  try {
    const leader = await findLeader(kv);
    if (leader === undefined) throw new Error(`no JobManager leads in the HA store ${storage} now`);
    return leader;
  } finally {
    kv.close();
  }
}

/** The REST client for a command's `--rest` / `--ha-storage` / `--jobmanager` options (in that order). */
export async function connectCluster(options: ClusterClientOptions): Promise<RestClient> {
  if (options.rest !== undefined) return new RestClient(parseRestUrl(options.rest));
  const jobmanager = options.haStorage !== undefined ? await leaderOf(options.haStorage) : options.jobmanager ?? DEFAULT_JOBMANAGER;
  return new RestClient(await resolveRestUrl(jobmanager));
}
