// MemoryKvStore: the KvStore contract in memory: prefix listing in key order, copies, atomics.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { openKvStore, type KvMutation } from '../../../state/kv/kv-store.ts';

test('get, set, delete, and values are copies', async () => {
  const kv = new MemoryKvStore();
  const value = { a: [1] };
  await kv.set(['x', 1], value);
  value.a.push(2);
  assert.equal(await kv.get(['x', 1]), { a: [1] });
  const bytes = new Uint8Array([1, 2, 3]).subarray(1);
  await kv.set(['b'], bytes);
  assert.equal(await kv.get(['b']), new Uint8Array([2, 3]));
  await kv.delete(['x', 1]);
  assert.is(await kv.get(['x', 1]), undefined);
  assert.is(kv.size, 1);
});

const mixed: KvMutation[] = [
    { type: 'set', key: ['p', 10], value: 'n10' },
    { type: 'set', key: ['p', 2], value: 'n2' },
    { type: 'set', key: ['p', 'a'], value: 's' },
    { type: 'set', key: ['p', true], value: 'bool' },
    { type: 'set', key: ['p', 2n], value: 'big' },
    { type: 'set', key: ['p'], value: 'self' },
    { type: 'set', key: ['q', 1], value: 'other' },
    { type: 'set', key: ['p', new Uint8Array([1])], value: 'bytes' },
];

test('list returns the prefix (strictly longer keys) in Deno KV key order', async () => {
  const kv = new MemoryKvStore();
  await kv.atomic(mixed);
  assert.equal((await kv.list(['p'])).map((e) => e.value), ['bytes', 's', 'big', 'n2', 'n10', 'bool']);
  assert.equal((await kv.list(['p', 2])).map((e) => e.value), []);
  kv.close();
  assert.equal(await kv.list([]), []);
});

test('lists exactly what the Deno KV adapter lists', async () => {
  const real = await openKvStore();
  const memory = new MemoryKvStore();
  await real.atomic(mixed); await memory.atomic(mixed);
  for (const prefix of [['p'], ['p', 2], ['q'], []]) {
    assert.equal((await memory.list(prefix)).map((e) => e.value), (await real.list(prefix)).map((e) => e.value), JSON.stringify(prefix));
  }
  real.close();
});

test.run();
