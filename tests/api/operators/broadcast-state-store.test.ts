// BroadcastStateStore: one map per declared descriptor, a read-only face without writing methods,
// snapshots as one union element per subtask, restore from the first copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BroadcastStateStore, type BroadcastStateCopy } from '../../../api/operators/broadcast-state-store.ts';
import { MapStateDescriptor } from '../../../state/state-descriptors.ts';

const rules = new MapStateDescriptor<string, number>('rules');
const flags = new MapStateDescriptor<number, boolean>('flags');

test('writable and read-only faces of one map; undeclared or twice-declared descriptors fail', () => {
  const store = new BroadcastStateStore([rules, flags]);
  const w = store.getBroadcastState(rules);
  const r = store.getReadOnlyBroadcastState(rules);
  w.put('a', 1);
  w.putAll([['b', 2], ['c', 3]]);
  w.remove('c');
  assert.is(r.get('a'), 1);
  assert.ok(r.contains('b'));
  assert.not.ok(r.contains('c'));
  assert.is(r.size(), 2);
  assert.equal([...r.immutableEntries()], [['a', 1], ['b', 2]]);
  assert.equal([...r.keys()], ['a', 'b']);
  assert.not.ok('put' in r || 'remove' in r || 'clear' in r, 'no writing methods on the read-only face');
  assert.ok(store.getReadOnlyBroadcastState(flags).isEmpty());
  assert.throws(() => store.getBroadcastState(new MapStateDescriptor('other')), /does not exist: pass its descriptor to stream\.broadcast/);
  assert.throws(() => new BroadcastStateStore([rules, new MapStateDescriptor('rules')]), /declared twice/);
  w.clear();
  assert.ok(r.isEmpty());
});

test('snapshot is one union element; restore takes the first copy and drops unknown states', () => {
  const a = new BroadcastStateStore([rules, flags]);
  a.getBroadcastState(rules).put('x', 7);
  a.getBroadcastState(flags).put(3, true);
  const snap = a.snapshot();
  assert.is(snap.union!.length, 1);
  assert.equal((snap.union![0] as BroadcastStateCopy).states, { rules: [['x', 7]], flags: [[3, true]] });
  const other: BroadcastStateCopy = { states: { rules: [['y', 1]], gone: [[1, 1]] } };
  const b = new BroadcastStateStore([rules, flags]);
  b.getBroadcastState(rules).put('stale', 0);
  b.restore({ isRestored: true, list: [], union: [...snap.union!, other] });
  assert.equal([...b.getBroadcastState(rules).entries()], [['x', 7]]);
  assert.equal([...b.getBroadcastState(flags).entries()], [[3, true]]);
  const c = new BroadcastStateStore([rules]);
  c.getBroadcastState(rules).put('kept', 1);
  c.restore({ isRestored: false, list: [], union: [] });
  assert.equal([...c.getBroadcastState(rules).entries()], [['kept', 1]]);
});

test.run();
