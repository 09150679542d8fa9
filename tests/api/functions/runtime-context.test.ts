// RuntimeContext: subtask facts and keyed state access.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRuntimeContext } from '../../../api/functions/runtime-context.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { ManualClock } from '../../../api/time/clock.ts';

const base = { operatorName: 'Op', uid: 'u', subtaskIndex: 2, parallelism: 4, maxParallelism: 64, attemptNumber: 1, clock: new ManualClock(), registerProcessingTimer: () => () => {}, accumulators: new Map() };

test('subtask facts and keyed state through the backend', () => {
  const keyedState = new HeapKeyedStateBackend({ maxParallelism: 64, keyGroupRange: { start: 0, end: 63 } });
  const rc = createRuntimeContext({ ...base, keyedState });
  assert.equal([rc.getIndexOfThisSubtask(), rc.getNumberOfParallelSubtasks(), rc.getMaxNumberOfParallelSubtasks(), rc.getAttemptNumber(), rc.getTaskName()], [2, 4, 64, 1, 'Op']);
  keyedState.setCurrentKey('k');
  rc.getState(new ValueStateDescriptor<number>('v')).update(3);
  rc.getListState(new ListStateDescriptor<number>('l')).add(1);
  assert.is(keyedState.getValueState(new ValueStateDescriptor<number>('v')).value(), 3);
});

test('keyed state on a non-keyed stream fails with a clear message', () => {
  const rc = createRuntimeContext(base);
  assert.throws(() => rc.getState(new ValueStateDescriptor('v')), /only available on a keyed stream \(operator "Op"\)/);
});

test.run();
