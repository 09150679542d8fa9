// The keyed state backend contract suite: every KeyedStateBackend implementation (and every way of
// snapshotting and restoring one) runs it. Exports one function that registers uvu tests.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assignToKeyGroup, keyGroupRangeForOperator, type Key, type KeyGroupRange,
} from '../../state/key-groups.ts';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../state/keyed-state-backend.ts';
import type { IncrementalKeyedSnapshot } from '../../state/heap/heap-keyed-state-backend.ts';
import {
  AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor,
  ValueStateDescriptor, type AggregateFunction,
} from '../../state/state-descriptors.ts';

/** How the suite makes backends and moves their state through a snapshot. */
export interface BackendHarness {
  /** A fresh backend; `clock` drives TTL. */
  create(options: { maxParallelism: number; keyGroupRange: KeyGroupRange; clock: () => number }): KeyedStateBackend & Incremental;
  /**
   * Persists the backends' state and returns what a restore reads back (e.g. through a
   * checkpoint storage). Each backend contributes one snapshot.
   */
  roundTrip(backends: readonly KeyedStateBackend[]): Promise<KeyedStateSnapshot[]>;
}

/** Backends that support incremental checkpoints expose their changes. */
export interface Incremental { snapshotIncremental?(): IncrementalKeyedSnapshot }

const average: AggregateFunction<number, { sum: number; count: number }, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (v, acc) => { acc.sum += v; acc.count++; return acc; },
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

const FULL = (maxParallelism: number): KeyGroupRange => ({ start: 0, end: maxParallelism - 1 });

/** Registers the contract tests for one backend harness under `name`. */
export function keyedStateBackendContract(name: string, harness: BackendHarness): void {
  const test = suite(`${name}: keyed state backend contract`);
  let now = 0;
  const clock = (): number => now;
  const make = (maxParallelism = 16, range = FULL(maxParallelism)): KeyedStateBackend & Incremental =>
    harness.create({ maxParallelism, keyGroupRange: range, clock });
  test.before.each(() => { now = 1000; });

  test('value state per key, default value, clear, update(undefined) clears', () => {
    const b = make();
    const s = b.getValueState(new ValueStateDescriptor<number>('count', { defaultValue: 7 }));
    b.setCurrentKey('a'); assert.is(s.value(), 7); s.update(1);
    b.setCurrentKey('b'); assert.is(s.value(), 7); s.update(2);
    b.setCurrentKey('a'); assert.is(s.value(), 1);
    s.clear(); assert.is(s.value(), 7);
    b.setCurrentKey('b'); s.update(undefined as unknown as number); assert.is(s.value(), 7);
  });

  test('same state object per name; other kind under the same name throws', () => {
    const b = make();
    const s1 = b.getValueState(new ValueStateDescriptor<number>('x'));
    assert.ok(s1 === b.getValueState(new ValueStateDescriptor<number>('x')));
    assert.throws(() => b.getListState(new ListStateDescriptor<number>('x')), /already registered as value state/);
  });

  test('list state: add, addAll, update, get is a copy, empty update clears', () => {
    const b = make();
    const s = b.getListState(new ListStateDescriptor<string>('l'));
    b.setCurrentKey(1);
    assert.equal(s.get(), []);
    s.add('a'); s.addAll(['b', 'c']);
    const got = s.get(); got.push('zzz');
    assert.equal(s.get(), ['a', 'b', 'c']);
    s.update(['x']); assert.equal(s.get(), ['x']);
    s.update([]); assert.equal(s.get(), []);
    assert.equal([...b.getKeys('l', '')], []);
  });

  test('map state: put, get, contains, remove, iteration, isEmpty, clear', () => {
    const b = make();
    const s = b.getMapState(new MapStateDescriptor<string, number>('m'));
    b.setCurrentKey('k');
    assert.ok(s.isEmpty());
    s.put('a', 1); s.putAll([['b', 2], ['c', 3]]);
    assert.is(s.get('b'), 2); assert.ok(s.contains('c')); assert.not.ok(s.contains('z'));
    s.remove('b');
    assert.equal([...s.entries()], [['a', 1], ['c', 3]]);
    assert.equal([...s.keys()], ['a', 'c']); assert.equal([...s.values()], [1, 3]);
    s.remove('a'); s.remove('c'); assert.ok(s.isEmpty());
    assert.equal([...b.getKeys('m', '')], []);
    s.put('q', 9); s.clear(); assert.ok(s.isEmpty());
  });

  test('reducing and aggregating state', () => {
    const b = make();
    const r = b.getReducingState(new ReducingStateDescriptor<number>('sum', (x, y) => x + y));
    const a = b.getAggregatingState(new AggregatingStateDescriptor('avg', average));
    b.setCurrentKey('k');
    assert.is(r.get(), undefined); assert.is(a.get(), undefined);
    for (const v of [1, 2, 6]) { r.add(v); a.add(v); }
    assert.is(r.get(), 9); assert.is(a.get(), 3);
    r.clear(); a.clear();
    assert.is(r.get(), undefined); assert.is(a.get(), undefined);
  });

  test('namespaces separate state of one key; getKeys by namespace', () => {
    const b = make();
    const s = b.getValueState(new ValueStateDescriptor<string>('v'));
    for (const key of ['a', 'b', 'c']) {
      b.setCurrentKey(key);
      s.setCurrentNamespace(1); s.update(key + '1');
      if (key !== 'c') { s.setCurrentNamespace('w2'); s.update(key + '2'); }
    }
    b.setCurrentKey('b');
    s.setCurrentNamespace(1); assert.is(s.value(), 'b1');
    s.setCurrentNamespace('w2'); assert.is(s.value(), 'b2');
    s.setCurrentNamespace(3); assert.is(s.value(), undefined);
    assert.equal([...b.getKeys('v', 1)].sort(), ['a', 'b', 'c']);
    assert.equal([...b.getKeys('v', 'w2')].sort(), ['a', 'b']);
    assert.equal([...b.getKeys('unknown', 1)], []);
  });

  test('mergeNamespaces folds sources into the target (list, reducing, aggregating)', () => {
    const b = make();
    const l = b.getListState(new ListStateDescriptor<number>('l'));
    const r = b.getReducingState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
    const a = b.getAggregatingState(new AggregatingStateDescriptor('a', average));
    b.setCurrentKey('k');
    for (const [ns, v] of [[1, 10], [2, 20], [3, 30]] as const) {
      for (const s of [l, r, a]) s.setCurrentNamespace(ns);
      l.add(v); r.add(v); a.add(v);
    }
    for (const s of [l, r, a]) s.mergeNamespaces(3, [1, 2, 99]);
    for (const s of [l, r, a]) s.setCurrentNamespace(3);
    assert.equal(l.get().sort(), [10, 20, 30]); assert.is(r.get(), 60); assert.is(a.get(), 20);
    for (const s of [l, r, a]) s.setCurrentNamespace(1);
    assert.equal(l.get(), []); assert.is(r.get(), undefined); assert.is(a.get(), undefined);
    // Merging into an empty target creates it.
    r.setCurrentNamespace(5); r.add(5);
    r.mergeNamespaces(6, [5]); r.setCurrentNamespace(6); assert.is(r.get(), 5);
  });

  test('TTL: expired values read as absent, refreshed by writes, dropped from snapshots', () => {
    const b = make();
    const s = b.getValueState(new ValueStateDescriptor<number>('t', { ttlMs: 100 }));
    const l = b.getListState(new ListStateDescriptor<number>('tl', { ttlMs: 100 }));
    b.setCurrentKey('a'); s.update(1); l.add(1);
    b.setCurrentKey('b'); s.update(2);
    now += 60;
    b.setCurrentKey('b'); s.update(3); // refreshed at 1060
    now += 50; // 1110: a expired, b alive until 1160
    b.setCurrentKey('a'); assert.is(s.value(), undefined); assert.equal(l.get(), []);
    b.setCurrentKey('b'); assert.is(s.value(), 3);
    assert.equal([...b.getKeys('t', '')], ['b']);
    const snap = b.snapshot();
    const rows = Object.values(snap.keyGroups).flatMap((g) => [...(g.t ?? []), ...(g.tl ?? [])]);
    assert.equal(rows, [['b', '', 3]]);
    now += 100;
    assert.equal([...b.getKeys('t', '')], []);
  });

  test('setting a key outside the key-group range throws a clear error', () => {
    const maxParallelism = 8;
    const range = keyGroupRangeForOperator(maxParallelism, 2, 0);
    const b = make(maxParallelism, range);
    let inside = 0, outside = 0;
    for (let i = 0; i < 50; i++) {
      const kg = assignToKeyGroup(i, maxParallelism);
      if (kg >= range.start && kg <= range.end) { b.setCurrentKey(i); assert.is(b.getCurrentKeyGroup(), kg); inside++; }
      else { assert.throws(() => b.setCurrentKey(i), /outside this backend's key-group range/); outside++; }
    }
    assert.ok(inside > 0 && outside > 0);
  });

  test('composite keys address the same state by value', () => {
    const b = make();
    const s = b.getValueState(new ValueStateDescriptor<number>('v'));
    b.setCurrentKey(['user', 1]); s.update(5);
    b.setCurrentKey(['user', 2]); s.update(6);
    b.setCurrentKey(['user', 1]); assert.is(s.value(), 5);
    b.setCurrentKey('user,1'); assert.is(s.value(), undefined);
    assert.equal([...b.getKeys('v', '')].sort(), [['user', 1], ['user', 2]]);
  });

  test('snapshot -> restore at parallelism 1..4: every key lands where its key group says', async () => {
    const maxParallelism = 12;
    const source = make(maxParallelism);
    const v = source.getValueState(new ValueStateDescriptor<number>('v'));
    const m = source.getMapState(new MapStateDescriptor<string, number>('m'));
    const l = source.getListState(new ListStateDescriptor<number>('l'));
    const keys: Key[] = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? i : i % 3 === 1 ? `k${i}` : [i, 'c']));
    keys.forEach((k, i) => { source.setCurrentKey(k); v.update(i); m.put('x', i); l.setCurrentNamespace(i % 2); l.add(i); });
    const [snapshot] = await harness.roundTrip([source]);
    for (let p = 1; p <= 4; p++) {
      const targets = Array.from({ length: p }, (_, i) => make(maxParallelism, keyGroupRangeForOperator(maxParallelism, p, i)));
      for (const t of targets) t.restore([snapshot]);
      keys.forEach((k, i) => {
        const owner = targets.findIndex((t) => {
          const kg = assignToKeyGroup(k, maxParallelism);
          return kg >= t.keyGroupRange.start && kg <= t.keyGroupRange.end;
        });
        targets.forEach((t, index) => {
          // State registered after the restore still sees the restored entries.
          const tv = t.getValueState(new ValueStateDescriptor<number>('v'));
          const has = [...t.getKeys('v', '')].some((x) => JSON.stringify(x) === JSON.stringify(k));
          assert.is(has, index === owner, `key ${JSON.stringify(k)} at p=${p} subtask ${index}`);
          if (index === owner) {
            t.setCurrentKey(k);
            assert.is(tv.value(), i);
            assert.is(t.getMapState(new MapStateDescriptor<string, number>('m')).get('x'), i);
            const tl = t.getListState(new ListStateDescriptor<number>('l'));
            tl.setCurrentNamespace(i % 2); assert.equal(tl.get(), [i]);
          }
        });
      });
      const total = targets.reduce((n, t) => n + [...t.getKeys('v', '')].length, 0);
      assert.is(total, keys.length);
    }
  });

  test('restore merges snapshots of several subtasks (scale in)', async () => {
    const maxParallelism = 16;
    const sources = [0, 1, 2].map((i) => make(maxParallelism, keyGroupRangeForOperator(maxParallelism, 3, i)));
    const expected = new Map<string, number>();
    for (let i = 0; i < 90; i++) {
      const key = `key-${i}`;
      const owner = sources.find((s) => { const kg = assignToKeyGroup(key, maxParallelism); return kg >= s.keyGroupRange.start && kg <= s.keyGroupRange.end; })!;
      owner.setCurrentKey(key);
      owner.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b)).add(i);
      expected.set(key, i);
    }
    const snapshots = await harness.roundTrip(sources);
    const target = make(maxParallelism);
    target.restore(snapshots);
    const sum = target.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    for (const [key, value] of expected) { target.setCurrentKey(key); assert.is(sum.get(), value); }
  });

  test('restore rejects another maxParallelism', async () => {
    const source = make(8);
    source.setCurrentKey('a'); source.getValueState(new ValueStateDescriptor<number>('v')).update(1);
    const snapshots = await harness.roundTrip([source]);
    assert.throws(() => make(16).restore(snapshots), /maxParallelism 8 into maxParallelism 16/);
  });

  test('snapshot is a copy: later in-place mutation does not change it', async () => {
    const b = make();
    const a = b.getAggregatingState(new AggregatingStateDescriptor('avg', average));
    b.setCurrentKey('k'); a.add(2);
    const [snapshot] = await harness.roundTrip([b]);
    a.add(4); // mutates the accumulator in place
    const restored = make(); restored.restore([snapshot]);
    restored.setCurrentKey('k');
    assert.is(restored.getAggregatingState(new AggregatingStateDescriptor('avg', average)).get(), 2);
  });

  test('incremental snapshot holds only the entries changed or removed since the previous one', () => {
    const b = make();
    if (b.snapshotIncremental === undefined) throw new Error('harness backend has no snapshotIncremental');
    const v = b.getValueState(new ValueStateDescriptor<number>('v'));
    const t = b.getValueState(new ValueStateDescriptor<number>('t', { ttlMs: 50 }));
    for (let i = 0; i < 100; i++) { b.setCurrentKey(i); v.update(i); }
    b.setCurrentKey('ttl'); t.update(1);
    const first = b.snapshotIncremental();
    assert.ok(first.full);
    assert.is(rowsOf(first.changes).length, 101);
    b.setCurrentKey(3); v.update(33);
    b.setCurrentKey(4); v.clear();
    b.setCurrentKey(5); v.clear(); v.update(55); // removed and re-created: a write, not a deletion
    b.setCurrentKey('new'); v.update(1); v.clear(); // created and removed in between: nothing
    now += 60; // 'ttl' expires: recorded as a deletion
    const second = b.snapshotIncremental();
    assert.not.ok(second.full);
    assert.equal(rowsOf(second.changes).sort(), [[3, '', 33], [5, '', 55]].sort());
    assert.equal(rowsOf(second.deletions).map(String).sort(), ['4,', 'ttl,']);
    const third = b.snapshotIncremental();
    assert.equal(rowsOf(third.changes), []); assert.equal(rowsOf(third.deletions), []);
    // After a restore the next incremental snapshot is full again.
    b.restore([b.snapshot()]);
    assert.ok(b.snapshotIncremental().full);
  });

  test.run();
}

function rowsOf<R>(groups: Record<number, Record<string, R[]>>): R[] {
  return Object.values(groups).flatMap((g) => Object.values(g).flat());
}
