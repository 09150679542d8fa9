// The test KV Connect server through the runtime's own remote client (beyond what the KV adapter
// uses): V8 and u64 values, sum, checks and versionstamps, ranges read in pages and backwards,
// and what it refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env } from 'node:process';
import { startKvConnectServer, type KvConnectServer } from './kv-connect-server.ts';

type Key = (string | number)[];
interface Entry { key: Key; value: unknown; versionstamp: string | null }
interface U64 { readonly value: bigint }
interface Atomic {
  check(c: { key: Key; versionstamp: string | null }): Atomic;
  set(key: Key, value: unknown, options?: { expireIn?: number }): Atomic;
  sum(key: Key, n: bigint): Atomic;
  enqueue(value: unknown): Atomic;
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}
interface RawKv {
  get(key: Key): Promise<Entry>;
  getMany(keys: Key[]): Promise<Entry[]>;
  set(key: Key, value: unknown): Promise<{ versionstamp: string }>;
  list(selector: { prefix: Key }, options?: { limit?: number; reverse?: boolean; batchSize?: number }): AsyncIterable<Entry>;
  atomic(): Atomic;
  close(): void;
}
interface KvRuntime { openKv(url: string): Promise<RawKv>; KvU64: new (n: bigint) => U64 }

async function runtime(): Promise<KvRuntime> {
  const deno = (globalThis as { Deno?: KvRuntime }).Deno;
  const moduleName = '@deno/kv';
  return deno ?? ((await import(moduleName)) as KvRuntime);
}

let server: KvConnectServer;
let kv: RawKv;
let KvU64: KvRuntime['KvU64'];

test.before(async () => {
  server = await startKvConnectServer();
  env.DENO_KV_ACCESS_TOKEN = server.accessToken;
  const rt = await runtime();
  KvU64 = rt.KvU64;
  kv = await rt.openKv(server.url);
});

test.after(async () => {
  kv.close();
  await server.close();
});

test('structured values, u64 sums and versionstamps round-trip', async () => {
  const { versionstamp } = await kv.set(['v8'], { a: [1, 'two'], b: null });
  assert.equal(await kv.get(['v8']), { key: ['v8'], value: { a: [1, 'two'], b: null }, versionstamp });
  await kv.set(['n'], new KvU64(40n));
  const commit = await kv.atomic().sum(['n'], 2n).commit();
  const n = await kv.get(['n']);
  assert.is((n.value as U64).value, 42n);
  assert.is(n.versionstamp, commit.versionstamp);
  assert.equal((await kv.getMany([['missing'], ['v8']])).map((e) => [e.key, e.versionstamp]), [[['missing'], null], [['v8'], versionstamp]]);
});

test('an atomic write commits only when every check holds', async () => {
  const { versionstamp } = await kv.set(['c'], 1);
  assert.not.ok((await kv.atomic().check({ key: ['c'], versionstamp: null }).set(['c'], 2).commit()).ok, 'absent expected');
  assert.not.ok((await kv.atomic().check({ key: ['c'], versionstamp }).check({ key: ['other'], versionstamp }).set(['c'], 3).commit()).ok, 'one check fails');
  assert.is((await kv.get(['c'])).value, 1);
  const ok = await kv.atomic().check({ key: ['c'], versionstamp }).check({ key: ['other'], versionstamp: null }).set(['c'], 4, { expireIn: 60_000 }).commit();
  assert.ok(ok.ok);
  assert.equal(await kv.get(['c']), { key: ['c'], value: 4, versionstamp: ok.versionstamp });
});

test('a range is read in key order, in pages, backwards and up to a limit', async () => {
  const keys = Array.from({ length: 25 }, (_, i) => i);
  for (const i of [...keys].reverse()) await kv.set(['r', i], `v${i}`);
  await kv.set(['s', 0], 'outside');
  const read = async (options: { limit?: number; reverse?: boolean; batchSize?: number }): Promise<unknown[]> => {
    const out = [];
    for await (const e of kv.list({ prefix: ['r'] }, options)) out.push(e.key[1]);
    return out;
  };
  assert.equal(await read({ batchSize: 4, reverse: true }), [...keys].reverse());
  // (@deno/kv, backwards, would list the prefix key itself last: it skips the prefix only as a first entry.)
  await kv.set(['r'], 'the prefix itself');
  assert.equal(await read({ batchSize: 4 }), keys);
  assert.equal(await read({ limit: 7, batchSize: 3 }), keys.slice(0, 7));
});

test('enqueue, other protocol versions and wrong tokens are refused', async () => {
  // Deno's client refuses it itself; @deno/kv sends it and the server answers 400.
  await kv.atomic().enqueue('message').commit().then(() => assert.unreachable('enqueue'), (e: Error) => assert.match(String(e), /enqueue/i));
  const post = (token: string, body: unknown): Promise<Response> => fetch(server.url, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const old = await post(server.accessToken, { supportedVersions: [1] });
  assert.is(old.status, 400);
  assert.match(await old.text(), /version 2 only/);
  const wrong = await post('nope', { supportedVersions: [2] });
  assert.is(wrong.status, 401);
  await wrong.body?.cancel();
  const metadata = await (await post(server.accessToken, { supportedVersions: [1, 2, 3] })).json() as { version: number; endpoints: { url: string }[]; token: string; databaseId: string };
  assert.is(metadata.version, 2);
  const data = await fetch(`${server.url}${metadata.endpoints[0].url}/snapshot_read`, {
    method: 'POST', headers: { authorization: `Bearer ${server.accessToken}`, 'x-denokv-version': '2', 'x-denokv-database-id': metadata.databaseId }, body: new Uint8Array(),
  });
  assert.is(data.status, 401, 'the data path takes the token of the metadata answer, not the access token');
  await data.body?.cancel();
});

test.run();
