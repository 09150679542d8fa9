// Key-group deltas: entry identity, replaying full and incremental deltas, timers by key group.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignToKeyGroup } from '../../../state/key-groups.ts';
import { deltasOf, entryId, isFullKeyedState, KeyGroupStateBuilder, timersByKeyGroup } from '../../../state/snapshot/key-group-delta.ts';
import type { SubtaskSnapshot } from '../../../state/snapshot/subtask-snapshot.ts';

test('entryId: equal keys share an id, different types and namespaces do not', () => {
  assert.is(entryId(['a', 1], 'w'), entryId(['a', 1], 'w'));
  assert.is(entryId(0, ''), entryId(-0, ''));
  assert.is.not(entryId('1', ''), entryId(1, ''));
  assert.is.not(entryId(1, 1), entryId(1, '1'));
  assert.is.not(entryId(['a,b'], ''), entryId(['a', 'b'], ''));
  assert.is.not(entryId(1n, ''), entryId(1, ''));
});

test('builder: deletions then writes per delta; a full delta replaces the key group', () => {
  const b = new KeyGroupStateBuilder();
  b.apply(3, { full: true, states: { v: [['a', '', 1], ['b', '', 2]] }, deletions: {} });
  b.apply(3, { full: false, states: { v: [['a', '', 10], ['c', '', 3]] }, deletions: { v: [['b', ''], ['c', '']] } });
  assert.equal(b.build(), { 3: { v: [['a', '', 10], ['c', '', 3]] } });
  b.apply(3, { full: true, states: { w: [['z', 1, 'x']] }, deletions: {} });
  assert.equal(b.build(), { 3: { w: [['z', 1, 'x']] } });
  b.apply(3, { full: false, states: {}, deletions: { w: [['z', 1]] } });
  assert.equal(b.build(), {});
});

test('deltasOf splits full and incremental keyed state by key group', () => {
  const base = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 4 };
  const full: SubtaskSnapshot = { ...base, keyed: { maxParallelism: 4, keyGroups: { 1: { v: [['a', '', 1]] } } } };
  assert.equal([...deltasOf(full)], [[1, { full: true, states: { v: [['a', '', 1]] }, deletions: {} }]]);
  assert.ok(isFullKeyedState(full));
  const inc: SubtaskSnapshot = {
    ...base,
    incremental: { baseCheckpointId: 4, snapshot: { full: false, maxParallelism: 4, changes: { 2: { v: [['b', '', 2]] } }, deletions: { 3: { v: [['c', '']] } } } },
  };
  assert.not.ok(isFullKeyedState(inc));
  assert.equal(deltasOf(inc).get(3), { full: false, states: {}, deletions: { v: [['c', '']] } });
  assert.equal(deltasOf({ ...base }).size, 0);
});

test('timersByKeyGroup groups every timer under its key group and service', () => {
  const timers = {
    t1: { eventTime: Array.from({ length: 20 }, (_, i) => ({ timestamp: i, key: `k${i}`, namespace: '' })), processingTime: [] },
    t2: { eventTime: [], processingTime: [{ timestamp: 1, key: 'k1', namespace: 'w' }] },
  };
  const byGroup = timersByKeyGroup(timers, 8);
  let count = 0;
  for (const [kg, group] of byGroup) {
    for (const [, snapshot] of Object.entries(group)) {
      for (const t of [...snapshot.eventTime, ...snapshot.processingTime]) { assert.is(assignToKeyGroup(t.key, 8), kg); count++; }
    }
  }
  assert.is(count, 21);
});

test.run();
