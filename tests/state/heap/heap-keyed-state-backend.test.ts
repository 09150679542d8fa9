// HeapKeyedStateBackend: the backend contract (restoring from in-memory snapshots) and a
// randomized comparison against a plain Map model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import type { KeyedStateSnapshot } from '../../../state/keyed-state-backend.ts';
import { ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { Random, testSeed } from '../../support/random.ts';
import { keyedStateBackendContract } from '../state-backend.contract.ts';

keyedStateBackendContract('heap (in-memory snapshots)', {
  create: (options) => new HeapKeyedStateBackend(options),
  // Through structured cloning, as a snapshot travels to another process.
  roundTrip: async (backends) => backends.map((b) => structuredClone(b.snapshot()) as KeyedStateSnapshot),
});

/**
 * Random operations on every state kind against a plain model. `keys` and `namespaces` shape the
 * load: few keys with many namespaces each reach the indexed namespace lists; a small
 * `keyContextLimit` makes the backend drop its per-key contexts often.
 */
function modelTest(name: string, options: { keys: number; namespaces: number; keyContextLimit?: number }): void {
test(`randomized: state kinds against a Map model, through snapshots and incremental snapshots (${name})`, () => {
  const seed = testSeed(`heap-backend-model-${name}`);
  const rnd = new Random(seed);
  let now = 0;
  const clock = (): number => now;
  const maxParallelism = 32;
  const { keyContextLimit } = options;
  let backend = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: 31 }, clock, keyContextLimit });
  const model = new Map<string, unknown>(); // `${state}|${key}|${ns}` -> value
  // Replays incremental snapshots into a plain model of the persisted state.
  const persisted = new Map<string, unknown>();
  const states = () => ({
    v: backend.getValueState(new ValueStateDescriptor<number>('v')),
    l: backend.getListState(new ListStateDescriptor<number>('l')),
    m: backend.getMapState(new MapStateDescriptor<number, number>('m')),
    r: backend.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a + b)),
  });
  let s = states();
  const id = (state: string, key: number, ns: number): string => `${state}|${key}|${ns}`;
  for (let step = 0; step < 20000; step++) {
    const key = rnd.int(0, options.keys - 1), ns = rnd.chance(0.5) ? rnd.int(0, 2) : rnd.int(0, options.namespaces - 1), value = rnd.int(0, 1000);
    backend.setCurrentKey(key);
    for (const st of Object.values(s)) st.setCurrentNamespace(ns);
    const op = rnd.int(0, 12);
    if (op === 0) { s.v.update(value); model.set(id('v', key, ns), value); }
    else if (op === 1) { s.v.clear(); model.delete(id('v', key, ns)); }
    else if (op === 2) { s.l.add(value); model.set(id('l', key, ns), [...(model.get(id('l', key, ns)) as number[] ?? []), value]); }
    else if (op === 3) { s.l.clear(); model.delete(id('l', key, ns)); }
    else if (op === 4) { const mk = rnd.int(0, 3); s.m.put(mk, value); const mm = new Map(model.get(id('m', key, ns)) as Map<number, number> ?? []); mm.set(mk, value); model.set(id('m', key, ns), mm); }
    else if (op === 5) {
      const mk = rnd.int(0, 3); s.m.remove(mk);
      const mm = new Map(model.get(id('m', key, ns)) as Map<number, number> ?? []); mm.delete(mk);
      if (mm.size === 0) model.delete(id('m', key, ns)); else model.set(id('m', key, ns), mm);
    }
    else if (op === 6) { s.r.add(value); model.set(id('r', key, ns), ((model.get(id('r', key, ns)) as number) ?? 0) + value); }
    else if (op === 7) {
      const target = rnd.int(0, 2);
      const sources = [0, 1, 2].filter((x) => x !== target);
      s.r.mergeNamespaces(target, sources); s.l.mergeNamespaces(target, sources);
      let sum: number | undefined = model.get(id('r', key, target)) as number | undefined;
      let list = model.get(id('l', key, target)) as number[] | undefined;
      for (const src of sources) {
        const rv = model.get(id('r', key, src)) as number | undefined;
        if (rv !== undefined) { sum = (sum ?? 0) + rv; model.delete(id('r', key, src)); }
        const lv = model.get(id('l', key, src)) as number[] | undefined;
        if (lv !== undefined) { list = [...(list ?? []), ...lv]; model.delete(id('l', key, src)); }
      }
      if (sum !== undefined) model.set(id('r', key, target), sum);
      if (list !== undefined) model.set(id('l', key, target), list);
    }
    else if (op === 8 && rnd.chance(0.05)) {
      const inc = backend.snapshotIncremental();
      if (inc.full) persisted.clear();
      for (const [, g] of Object.entries(inc.deletions)) for (const [st, rows] of Object.entries(g)) for (const [k, n] of rows) persisted.delete(id(st, k as number, n as number));
      for (const [, g] of Object.entries(inc.changes)) for (const [st, rows] of Object.entries(g)) for (const [k, n, v] of rows) persisted.set(id(st, k as number, n as number), st === 'm' ? new Map(v as Array<[number, number]>) : v);
      assert.equal(persisted, model, `incremental replay at step ${step}`);
    }
    else if (op === 9 && rnd.chance(0.02)) {
      const snapshot = structuredClone(backend.snapshot()) as KeyedStateSnapshot;
      backend = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: 31 }, clock, keyContextLimit });
      backend.restore([snapshot]);
      s = states();
      backend.setCurrentKey(key);
    }
    // Reads compare every state of the current (key, namespace).
    for (const st of Object.values(s)) st.setCurrentNamespace(ns);
    const sortedList = s.l.get().slice().sort((a, b) => a - b);
    const modelList = ((model.get(id('l', key, ns)) as number[] | undefined) ?? []).slice().sort((a, b) => a - b);
    assert.equal(sortedList, modelList, `list at step ${step}`);
    assert.is(s.v.value(), model.get(id('v', key, ns)), `value at step ${step}`);
    assert.is(s.r.get(), model.get(id('r', key, ns)), `reducing at step ${step}`);
    assert.equal(new Map(s.m.entries()), (model.get(id('m', key, ns)) as Map<number, number>) ?? new Map(), `map at step ${step}`);
    now++;
  }
  assert.is(backend.numEntries(), model.size);
});
}

modelTest('many keys', { keys: 61, namespaces: 3 });
modelTest('many namespaces per key', { keys: 1, namespaces: 1000 });
modelTest('key contexts dropped often', { keys: 61, namespaces: 40, keyContextLimit: 4 });

test('accessing state without a current key throws', () => {
  const b = new HeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 3 } });
  assert.throws(() => b.getCurrentKey(), /no current key/);
  assert.throws(() => b.getValueState(new ValueStateDescriptor<number>('v')).update(1), /without a current key/);
});

test('a key-group range outside maxParallelism is rejected', () => {
  assert.throws(() => new HeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 4 } }), /not within \[0, 3\]/);
});

test('dispose releases every entry', () => {
  const b = new HeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 3 } });
  b.setCurrentKey('a'); b.getValueState(new ValueStateDescriptor<number>('v')).update(1);
  assert.is(b.numEntries(), 1);
  b.dispose();
  assert.is(b.numEntries(), 0);
});

test('setPartial overwrites a merging state in place and the next incremental snapshot writes it', () => {
  const backend = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
  const sum = backend.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
  backend.setCurrentKey('k');
  sum.setCurrentNamespace(1);
  sum.addPartial(5);
  sum.addPartial(2);
  assert.is(sum.get(), 7, 'addPartial folds');
  backend.snapshotIncremental();
  sum.setPartial(3);
  assert.is(sum.get(), 3, 'setPartial replaces');
  assert.is(backend.numEntries(), 1);
  const next = backend.snapshotIncremental();
  assert.equal(next.changes, Object.fromEntries(Object.keys(next.changes).map((kg) => [kg, { sum: [['k', 1, 3]] }])));
  assert.is(Object.keys(next.changes).length, 1);
  assert.equal(next.deletions, {}, 'an overwrite is no deletion');
});

test.run();
