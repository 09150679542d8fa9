// restoreSubtask: key groups, timers and operator state of one subtask; unknown operators.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { assignToKeyGroup } from '../../../state/key-groups.ts';
import type { CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { ValueStateDescriptor } from '../../../state/state-descriptors.ts';

const kgA = assignToKeyGroup('a', 4), kgB = assignToKeyGroup('b', 4);
const checkpoint: CheckpointSnapshot = {
  jobId: 'j', checkpointId: 3, timestamp: 0, properties: {},
  operators: {
    op: {
      maxParallelism: 4, parallelism: 1,
      keyGroups: {
        [kgA]: { states: { v: [['a', '', 1]] }, timers: { t: { eventTime: [{ timestamp: 1, key: 'a', namespace: '' }], processingTime: [] } } },
        [kgB]: { states: { v: [['b', '', 2]] }, timers: {} },
      },
      subtasks: { 0: { operatorState: { s: [1, 2] } } },
    },
  },
};

test('restores the key groups of the target range and its timers', () => {
  const keyed = new HeapKeyedStateBackend({ maxParallelism: 4, keyGroupRange: { start: kgA, end: kgA } });
  const timers = new HeapTimerService(keyed, { onEventTime() {}, onProcessingTime() {} }, () => 0);
  const state = restoreSubtask(checkpoint, { operatorUid: 'op', subtaskIndex: 0, parallelism: 2, keyed, timers: { t: timers } });
  keyed.setCurrentKey('a');
  assert.is(keyed.getValueState(new ValueStateDescriptor<number>('v')).value(), 1);
  assert.equal([...keyed.getKeys('v', '')], kgA === kgB ? ['a', 'b'] : ['a']);
  assert.is(timers.numTimers().eventTime, 1);
  assert.equal(state.operatorState.s, [1]);
});

test('an operator missing from the checkpoint restores nothing, or fails when required', () => {
  assert.equal(restoreSubtask(checkpoint, { operatorUid: 'new', subtaskIndex: 0, parallelism: 1 }), { operatorState: {}, unionState: {} });
  assert.throws(() => restoreSubtask(checkpoint, { operatorUid: 'new', subtaskIndex: 0, parallelism: 1 }, { requireOperator: true }), /checkpoint 3 has no state for operator new/);
});

test.run();
