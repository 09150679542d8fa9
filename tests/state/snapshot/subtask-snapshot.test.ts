// snapshotSubtask: full vs incremental keyed state, chain bases, chain cuts, aborted chains.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { abortIncrementalChain, snapshotSubtask } from '../../../state/snapshot/subtask-snapshot.ts';

function backend() {
  const b = new HeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: 0, end: 3 } });
  return { b, v: b.getValueState(new ValueStateDescriptor<number>('v')) };
}

test('without incremental: full keyed state, timers and operator state', () => {
  const { b, v } = backend();
  b.setCurrentKey('a'); v.update(1);
  const timers = new HeapTimerService(b, { onEventTime() {}, onProcessingTime() {} }, () => 0);
  timers.registerEventTimeTimer('', 7);
  const s = snapshotSubtask(1, { operatorUid: 'op', subtaskIndex: 2, parallelism: 3, keyed: b, timers: { t: timers }, operatorState: { x: [1] } });
  assert.equal(s.keyed, b.snapshot());
  assert.is(s.incremental, undefined);
  assert.equal(s.timers, { t: { eventTime: [{ timestamp: 7, key: 'a', namespace: '' }], processingTime: [] } });
  assert.equal([s.operatorUid, s.subtaskIndex, s.parallelism, s.maxParallelism], ['op', 2, 3, 4]);
  assert.equal(s.keyGroupRange, { start: 0, end: 3 });
  assert.equal(s.operatorState, { x: [1] });
});

test('incremental: first full, then changes based on the previous checkpoint; chains are cut', () => {
  const { b, v } = backend();
  const parts = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b };
  const opts = { incremental: true, maxChainLength: 3 };
  b.setCurrentKey('a'); v.update(1);
  const s1 = snapshotSubtask(1, parts, opts);
  assert.ok(s1.incremental!.snapshot.full); assert.is(s1.incremental!.baseCheckpointId, undefined);
  b.setCurrentKey('b'); v.update(2);
  const s2 = snapshotSubtask(2, parts, opts);
  assert.not.ok(s2.incremental!.snapshot.full); assert.is(s2.incremental!.baseCheckpointId, 1);
  const s4 = snapshotSubtask(4, parts, opts); // checkpoint 3 skipped by this subtask: base is 2
  assert.is(s4.incremental!.baseCheckpointId, 2);
  const s5 = snapshotSubtask(5, parts, opts); // chain of 3 reached: full again
  assert.ok(s5.incremental!.snapshot.full);
  assert.is(Object.values(s5.incremental!.snapshot.changes).flatMap((g) => g.v).length, 2);
  abortIncrementalChain(b);
  const s6 = snapshotSubtask(6, parts, opts);
  assert.ok(s6.incremental!.snapshot.full);
});

test('incremental after the backend was snapshotted elsewhere: restarts the chain', () => {
  const { b, v } = backend();
  b.setCurrentKey('a'); v.update(1);
  b.snapshotIncremental(); // a chain this helper never saw
  const s = snapshotSubtask(1, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b }, { incremental: true });
  assert.ok(s.incremental!.snapshot.full);
  assert.is(Object.values(s.incremental!.snapshot.changes).length, 1);
});

test('non-keyed subtasks carry only operator state', () => {
  const s = snapshotSubtask(1, { operatorUid: 'src', subtaskIndex: 0, parallelism: 1, operatorState: { pos: [3] } }, { incremental: true });
  assert.is(s.keyed, undefined); assert.is(s.incremental, undefined);
  assert.is(s.maxParallelism, 128);
});

test.run();
