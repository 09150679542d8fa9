// The KV adapter over a KV Connect URL: the store contracts and chunking through the runtime's
// real remote client (Deno.openKv(url) on Deno, @deno/kv on Node), served by the test server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env } from 'node:process';
import { CHUNK_PREFIX, KV_LIMITS, openKvStore, type KvStore } from '../../../state/kv/kv-store.ts';
import { kvConnectServers } from '../../support/kv-connect-server.ts';
import { runKvStoreContract, runVersionedKvStoreContract } from './kv-store.contract.ts';
import { rawCount } from '../../support/raw-kv.ts';

const ACCESS_TOKEN = 'kv-store-test-token';
const servers = kvConnectServers(ACCESS_TOKEN);
/** A server over a fresh database, closed after the last test. */
const server = servers.start;

runKvStoreContract(test, async () => openKvStore((await server()).url));
runVersionedKvStoreContract(test, async () => {
  const { url } = await server();
  return [await openKvStore(url), await openKvStore(url)];
});

test('the stores talk to the server: every call is a request, values outlive the client', async () => {
  const s = await server();
  const first: KvStore = await openKvStore(s.url);
  const before = s.requests;
  await first.set(['x'], { v: 1 });
  assert.ok(s.requests > before, 'the write went over HTTP');
  first.close();
  const second = await openKvStore(s.url);
  try {
    assert.equal(await second.get(['x']), { v: 1 });
  } finally { second.close(); }
});

test('overwriting and deleting chunked values leaves no chunks on the server', async () => {
  const s = await server();
  const kv = await openKvStore(s.url);
  try {
    await kv.set(['big'], new Uint8Array(KV_LIMITS.maxAtomicBytes + 7).fill(5));
    assert.ok(await rawCount(s.url, [CHUNK_PREFIX]) >= 14, 'the value was chunked');
    const current = await kv.getVersioned(['big']);
    assert.is((current!.value as Uint8Array).byteLength, KV_LIMITS.maxAtomicBytes + 7);
    assert.ok(await kv.compareAndSet(['big'], current!.version, 'small'));
    assert.is(await rawCount(s.url, [CHUNK_PREFIX]), 0);
    await kv.set(['big'], new Uint8Array(KV_LIMITS.chunkBytes * 2 - 100).fill(6));
    assert.is(await rawCount(s.url, [CHUNK_PREFIX]), 2);
    await kv.delete(['big']);
    assert.is(await rawCount(s.url, [CHUNK_PREFIX]), 0);
    assert.is(await kv.get(['big']), undefined);
  } finally { kv.close(); }
});

test('a wrong access token is refused at open', async () => {
  const s = await server();
  env.DENO_KV_ACCESS_TOKEN = 'not-the-token';
  try {
    await openKvStore(s.url).then((kv) => { kv.close(); assert.unreachable('opened with a wrong token'); }, (error: Error) => assert.match(String(error), /401|token/i));
  } finally {
    env.DENO_KV_ACCESS_TOKEN = ACCESS_TOKEN;
  }
});

test.after(servers.closeAll);

test.run();
