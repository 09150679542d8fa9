import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHUNK_PREFIX, openKvStore, withRetry } from '../../../state/kv/kv-store.ts';
import { runKvStoreContract } from './kv-store.contract.ts';

/** Counts the raw entries under `prefix`, bypassing the adapter (which hides chunk keys). */
async function rawCount(path: string, prefix: unknown[]): Promise<number> {
  type Raw = { list(s: { prefix: unknown[] }): AsyncIterable<unknown>; close(): void };
  const deno = (globalThis as { Deno?: { openKv(p: string): Promise<Raw> } }).Deno;
  const moduleName = '@deno/kv';
  const raw = deno ? await deno.openKv(path) : await ((await import(moduleName)) as { openKv(p: string): Promise<Raw> }).openKv(path);
  let n = 0;
  for await (const _ of raw.list({ prefix })) n++;
  raw.close();
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-'));
let files = 0;

runKvStoreContract(test, () => openKvStore(join(dir, `contract-${files++}.db`)));

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

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
