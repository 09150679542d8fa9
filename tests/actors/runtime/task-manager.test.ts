// TaskManager: slots and deployment checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';

test('offers numbered free slots and has its own scheduler', () => {
  const tm = new TaskManager('tm-7', 3);
  assert.equal(tm.slots.map((s) => `${s.taskManagerId}#${s.index}:${s.allocatedTo}`), ['tm-7#0:undefined', 'tm-7#1:undefined', 'tm-7#2:undefined']);
  assert.is(tm.scheduler.queuedCount, 0);
  assert.equal(tm.runningTasks(), []);
  const other = new TaskManager('tm-8', 1);
  assert.throws(() => tm.deploy({ deployment: { jobId: 'j' } } as never, other.slots[0]), /not a slot of tm-7/);
});

test.run();
