// A KV Connect server for tests, so that the real remote clients (`Deno.openKv(url)` on Deno,
// `@deno/kv`'s openKv on Node, both taking the token from DENO_KV_ACCESS_TOKEN) reach a KV over
// HTTP. It serves the protocol's version 2: the metadata exchange (POST to the database URL with
// the access token as bearer; answers a database id, one strong endpoint and a data-path token),
// then `snapshot_read` and `atomic_write` under that endpoint (kv-connect-datapath.ts), backed by
// a Deno KV file in a temporary directory. Served by @hono/node-server on Node and Deno.serve on
// Deno, on 127.0.0.1 and a free port. `requests` counts data-path calls (for tests that must
// see traffic). Not implemented: protocol versions 1 and 3, watch, enqueue, eventual endpoints.
import { Hono, type Context } from 'hono';
import { serve } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';
import { BadRequest, KvConnectDatapath, type BackingKv } from './kv-connect-datapath.ts';

/** The protocol version served. */
const VERSION = 2;
/** Where the data path is, relative to the database URL. */
const ENDPOINT = '/v2';
/** How long a metadata answer stays valid (clients refresh it in its last five minutes). */
const METADATA_TTL_MS = 60 * 60 * 1000;

/** A running KV Connect server. */
export interface KvConnectServer {
  /** The database URL to open (`--ha-storage`, `openKvStore`). */
  readonly url: string;
  /** The access token clients present (DENO_KV_ACCESS_TOKEN). */
  readonly accessToken: string;
  /** Data-path requests answered so far. */
  readonly requests: number;
  /** Stops serving, closes the backing KV and removes its directory. */
  close(): Promise<void>;
}

/** Options of startKvConnectServer. */
export interface KvConnectServerOptions {
  /** The access token to accept (default a random one). */
  readonly accessToken?: string;
}

interface U64 { readonly value: bigint }
interface KvRuntime { openKv(path: string): Promise<BackingKv>; KvU64: new (n: bigint) => U64 }

async function kvRuntime(): Promise<KvRuntime> {
  const deno = (globalThis as { Deno?: KvRuntime }).Deno;
  if (deno) return deno;
  const moduleName = '@deno/kv';
  return (await import(moduleName)) as KvRuntime;
}

/** Starts a KV Connect server over a fresh, empty database. */
export async function startKvConnectServer(options: KvConnectServerOptions = {}): Promise<KvConnectServer> {
  const accessToken = options.accessToken ?? randomUUID();
  const dataToken = randomUUID();
  const databaseId = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'kv-connect-'));
  const runtime = await kvRuntime();
  const backing = await runtime.openKv(join(dir, 'kv.sqlite3'));
  const datapath = new KvConnectDatapath(backing, (n) => new runtime.KvU64(n), (v): v is U64 => v instanceof runtime.KvU64);
  let requests = 0;

  const text = (status: number, message: string): Response =>
    new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const bearer = (c: Context): string | undefined => /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];

  const app = new Hono();
  app.post('/', async (c) => {
    if (bearer(c) !== accessToken) return text(401, 'the access token is not valid for this database');
    const body = await c.req.text();
    let supported: unknown = [1];
    if (body.trim() !== '') {
      try { supported = (JSON.parse(body) as { supportedVersions?: unknown }).supportedVersions; } catch { return text(400, 'the request body is not JSON'); }
    }
    if (!Array.isArray(supported) || !supported.every((v) => typeof v === 'number')) return text(400, 'supportedVersions must be an array of numbers');
    if (!supported.includes(VERSION)) return text(400, `this server speaks KV Connect version ${VERSION} only; the client supports ${supported.join(', ')}`);
    const metadata = {
      version: VERSION, databaseId, endpoints: [{ url: ENDPOINT, consistency: 'strong' }],
      token: dataToken, expiresAt: new Date(Date.now() + METADATA_TTL_MS).toISOString(),
    };
    return new Response(JSON.stringify(metadata), { headers: { 'content-type': 'application/json' } });
  });
  const datapathRoute = (answer: (body: Uint8Array) => Promise<Uint8Array>) => async (c: Context): Promise<Response> => {
    if (bearer(c) !== dataToken) return text(401, 'the data-path token is not valid');
    if (c.req.header('x-denokv-database-id') !== databaseId) return text(400, 'unknown x-denokv-database-id');
    if (c.req.header('x-denokv-version') !== String(VERSION)) return text(400, `x-denokv-version must be ${VERSION}`);
    requests++;
    try {
      const output = await answer(new Uint8Array(await c.req.arrayBuffer()));
      return new Response(output, { headers: { 'content-type': 'application/x-protobuf' } });
    } catch (error) {
      if (error instanceof BadRequest) return text(400, error.message);
      return text(500, String(error));
    }
  };
  app.post(`${ENDPOINT}/snapshot_read`, datapathRoute((body) => datapath.snapshotRead(body)));
  app.post(`${ENDPOINT}/atomic_write`, datapathRoute((body) => datapath.atomicWrite(body)));

  const { port, stop } = await listen(app);
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    get requests() { return requests; },
    close: () => closed ??= (async () => {
      await stop();
      backing.close();
      rmSync(dir, { recursive: true, force: true });
    })(),
  };
}

interface DenoServe {
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (request: Request) => Response | Promise<Response>):
    { readonly addr: { port: number }; shutdown(): Promise<void> };
}

/** Serves `app` on 127.0.0.1 and a free port. */
async function listen(app: Hono): Promise<{ port: number; stop: () => Promise<void> }> {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (deno !== undefined) {
    const server = deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, (request) => app.fetch(request));
    return { port: server.addr.port, stop: () => server.shutdown() };
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return stopped;
    },
  };
}

/**
 * The servers of one test file, each over a fresh database and accepting `accessToken`, which
 * becomes this process's DENO_KV_ACCESS_TOKEN (what its clients present); `closeAll` after the
 * last test.
 */
export function kvConnectServers(accessToken: string): { start(): Promise<KvConnectServer>; closeAll(): Promise<void> } {
  env.DENO_KV_ACCESS_TOKEN = accessToken;
  const servers: KvConnectServer[] = [];
  return {
    async start() {
      const s = await startKvConnectServer({ accessToken });
      servers.push(s);
      return s;
    },
    async closeAll() { await Promise.all(servers.map((s) => s.close())); },
  };
}
