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

test('keys whose parts print alike stay apart, and a prefix selects only whole parts', async () => {
  const kv = new MemoryKvStore();
  await kv.atomic([
    { type: 'set', key: ['k', Number.NaN], value: 'nan' },
    { type: 'set', key: ['k', Number.POSITIVE_INFINITY], value: 'inf' },
    { type: 'set', key: ['k', 1], value: 'number' },
    { type: 'set', key: ['k', '1'], value: 'string' },
    { type: 'set', key: ['k', 1n], value: 'bigint' },
    { type: 'set', key: ['ab', 'c'], value: 'ab/c' },
    { type: 'set', key: ['a', 'bc'], value: 'a/bc' },
    { type: 'set', key: ['u', new Uint8Array([1, 2, 3])], value: 'bytes' },
  ]);
  assert.equal(await kv.get(['k', Number.NaN]), 'nan');
  assert.equal(await kv.get(['k', Number.POSITIVE_INFINITY]), 'inf');
  assert.equal(await kv.get(['k', '1']), 'string');
  assert.equal(await kv.get(['k', 1n]), 'bigint');
  assert.equal((await kv.list(['a'])).map((e) => e.value), ['a/bc']);
  assert.equal((await kv.list(['u', new Uint8Array([1, 2])])).length, 0);
  assert.equal(kv.size, 8);
});

test('values come back as structuredClone copies them, and altering a copy never alters the store', async () => {
  const kv = new MemoryKvStore();
  const nested = { epoch: 3, accepted: [{ checkpointId: 1, epoch: 2 }, 7], name: 'fence', big: 12n, none: null, gone: undefined, neg: -0 };
  const values: unknown[] = [
    nested, [1, [2, [3]]], Object.assign(Object.create(null), { a: 1 }), new Map([[1, { a: 2 }]]), new Date(5),
    [1, , 3], JSON.parse('{"__proto__": {"polluted": true}, "b": 1}'), 'text', 42, true,
  ];
  for (const [i, value] of values.entries()) {
    await kv.set(['v', i], value);
    const back = await kv.get(['v', i]);
    assert.equal(back, structuredClone(value), `value ${i}`);
    if (typeof value === 'object' && value !== null) assert.ok(back !== value, `value ${i} is a copy`);
  }
  assert.is(Object.getPrototypeOf(await kv.get(['v', 2])), Object.prototype, 'as structuredClone: a plain object');
  assert.ok(Object.hasOwn((await kv.get(['v', 6])) as object, '__proto__'), 'a "__proto__" key stays a key');
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  const read = (await kv.get(['v', 0])) as typeof nested;
  (read.accepted[0] as { checkpointId: number }).checkpointId = 99;
  nested.accepted.push(8);
  assert.equal(((await kv.get(['v', 0])) as typeof nested).accepted, [{ checkpointId: 1, epoch: 2 }, 7]);
  assert.is(Object.is(((await kv.get(['v', 0])) as typeof nested).neg, -0), true);
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
