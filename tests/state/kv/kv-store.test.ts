import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_PREFIX, KV_LIMITS, openKvStore, withRetry } from '../../../state/kv/kv-store.ts';
import { runKvStoreContract, runVersionedKvStoreContract } from './kv-store.contract.ts';
import { rawCount } from '../../support/raw-kv.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-'));
let files = 0;

runKvStoreContract(test, () => openKvStore(join(dir, `contract-${files++}.db`)));
runVersionedKvStoreContract(test, async () => {
  const path = join(dir, `versioned-${files++}.db`);
  return [await openKvStore(path), await openKvStore(path)];
});

test('a file store keeps its values across close and reopen', async () => {
  const path = join(dir, 'reopen.db');
  const first = await openKvStore(path);
  await first.set(['actorflow', 'x'], { v: 1 });
  first.close();
  const second = await openKvStore(path);
  try {
    assert.equal(await second.get(['actorflow', 'x']), { v: 1 });
  } finally { second.close(); }
});

test('a reopened store still removes the chunks of a large value it overwrites', async () => {
  const path = join(dir, 'chunks.db');
  const first = await openKvStore(path);
  await first.set(['big'], new Uint8Array(200_000).fill(7));
  first.close();
  assert.ok(await rawCount(path, [CHUNK_PREFIX]) >= 4, 'the value was chunked');
  const second = await openKvStore(path);
  try {
    assert.is(((await second.get(['big'])) as Uint8Array).byteLength, 200_000);
    await second.set(['big'], 'small');
    assert.equal((await second.list([])).map((e) => e.key[0]), ['big']);
  } finally { second.close(); }
  assert.is(await rawCount(path, [CHUNK_PREFIX]), 0);
});

test('a locked database is retried; other errors are not', async () => {
  let calls = 0;
  const value = await withRetry(async () => {
    if (++calls < 3) throw new Error('database is locked');
    return 'done';
  });
  assert.is(value, 'done');
  assert.is(calls, 3);
  let plain = 0;
  try {
    await withRetry(async () => { plain++; throw new Error('disk full'); });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'disk full');
  }
  assert.is(plain, 1);
});

test('an in-memory store works without a file', async () => {
  const kv = await openKvStore(':memory:');
  try {
    await kv.set(['m'], 1);
    assert.is(await kv.get(['m']), 1);
  } finally { kv.close(); }
});

test('compareAndSet over a chunked value removes its chunks', async () => {
  const path = join(dir, 'cas-chunks.db');
  const kv = await openKvStore(path);
  try {
    await kv.set(['v'], new Uint8Array(KV_LIMITS.chunkBytes * 2 + 5));
    assert.ok(await rawCount(path, [CHUNK_PREFIX]) > 0);
    const current = await kv.getVersioned(['v']);
    assert.ok(await kv.compareAndSet(['v'], current!.version, 'small'));
    assert.is(await kv.get(['v']), 'small');
    assert.is(await rawCount(path, [CHUNK_PREFIX]), 0);
  } finally { kv.close(); }
});

test('a store opened without a path is in memory and private to that store', async () => {
  const first = await openKvStore();
  await first.set(['private'], 1);
  const second = await openKvStore();
  try {
    assert.is(await second.get(['private']), undefined);
  } finally { first.close(); second.close(); }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('an atomic of many small values under long keys is split within the KV size limit', async () => {
  // Keys count toward the limit too: 1000 values of 650 bytes under ~230-byte keys exceed it.
  const store = await openKvStore(join(dir, `long-keys-${files++}.db`));
  const longPart = 'operator-uid-'.padEnd(220, 'x');
  const values = Array.from({ length: 1000 }, (_, i) => new Uint8Array(650).fill(i % 256));
  await store.atomic(values.map((value, i) => ({ type: 'set' as const, key: ['cp', longPart, i], value })));
  for (const i of [0, 499, 999]) {
    const back = (await store.get(['cp', longPart, i])) as Uint8Array;
    assert.is(back.byteLength, 650);
    assert.is(back[0], i % 256);
  }
  store.close();
});

test.run();
