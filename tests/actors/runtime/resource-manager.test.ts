// ResourceManager: slot allocation, waiting requests served on registration or release, and the
// timeout error with what was needed and what the cluster had (ManualClock, no sleeping); spreading
// a job over TaskManagers; a lost TaskManager's slots leaving the pool, with its jobs told.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NoResourceAvailableError, ResourceManager } from '../../../actors/runtime/resource-manager.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';
import { ManualClock } from '../../../api/time/clock.ts';

test('allocates free slots TaskManager by TaskManager and releases them per job', async () => {
  const rm = new ResourceManager(new ManualClock(), 1000);
  rm.registerTaskManager(new TaskManager('tm-0', 2));
  rm.registerTaskManager(new TaskManager('tm-1', 2));
  const a = await rm.requestSlots('job-a', 3);
  assert.equal(a.map((s) => `${s.taskManagerId}#${s.index}`), ['tm-0#0', 'tm-0#1', 'tm-1#0']);
  assert.ok(a.every((s) => s.allocatedTo === 'job-a'));
  assert.is(rm.freeSlots().length, 1);
  rm.releaseSlots('job-a');
  assert.is(rm.freeSlots().length, 4);
});

test('a waiting request is served when a TaskManager registers or slots are released', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000);
  rm.registerTaskManager(new TaskManager('tm-0', 1));
  await rm.requestSlots('first', 1);
  const second = rm.requestSlots('second', 2);
  rm.registerTaskManager(new TaskManager('tm-1', 1));
  rm.releaseSlots('first');
  const slots = await second;
  assert.is(slots.length, 2);
  clock.advance(5000);
  assert.is(clock.pending(), 0);
});

test('too few slots: rejects after the timeout, saying needed and available', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 3000);
  rm.registerTaskManager(new TaskManager('tm-0', 2));
  const request = rm.requestSlots('big', 5);
  let error: unknown;
  request.catch((e) => { error = e; });
  clock.advance(2999);
  await Promise.resolve();
  assert.is(error, undefined);
  clock.advance(1);
  await new Promise((r) => setTimeout(r, 0));
  assert.instance(error, NoResourceAvailableError);
  assert.match((error as Error).message, /needs 5 slots, the cluster has 2 free of 2 \(1 TaskManagers\)/);
});

test('cancelled requests are dropped; TaskManagers check slot ownership on deploy', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 3000);
  const tm = new TaskManager('tm-0', 1);
  rm.registerTaskManager(tm);
  void rm.requestSlots('x', 2).catch(() => {});
  rm.cancelRequests('x');
  assert.is(clock.pending(), 0);
  assert.throws(() => tm.deploy({ deployment: { jobId: 'y' } } as never, tm.slots[0]), /not allocated to job y/);
  assert.throws(() => rm.getTaskManager('nope'), /unknown TaskManager/);
});

test('spread out: a job takes one slot of each TaskManager in turn', async () => {
  const rm = new ResourceManager(new ManualClock(), 1000, true);
  rm.registerTaskManager(new TaskManager('tm-0', 2));
  rm.registerTaskManager(new TaskManager('tm-1', 2));
  const a = await rm.requestSlots('job-a', 3);
  assert.equal(a.map((s) => `${s.taskManagerId}#${s.index}`), ['tm-0#0', 'tm-1#0', 'tm-0#1']);
});

test('an unregistered TaskManager takes its slots along; the jobs that held some are told; waiting requests see the rest', async () => {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 1000, true);
  rm.registerTaskManager(new TaskManager('tm-0', 1));
  rm.registerTaskManager(new TaskManager('tm-1', 1));
  await rm.requestSlots('job', 2);
  const told: string[] = [];
  const unsubscribe = rm.onTaskManagerLost((id, jobs, reason) => told.push(`${id} ${[...jobs].join(',')} ${reason}`));
  rm.unregisterTaskManager('tm-1', 'its connection was lost');
  rm.unregisterTaskManager('tm-1', 'again');
  assert.equal(told, ['tm-1 job its connection was lost']);
  assert.not.ok(rm.isRegistered('tm-1'));
  assert.is(rm.totalSlots(), 1);
  rm.releaseSlots('job');
  const again = rm.requestSlots('job', 2);
  rm.registerTaskManager(new TaskManager('tm-2', 1));
  assert.equal((await again).map((s) => s.taskManagerId).sort(), ['tm-0', 'tm-2']);
  unsubscribe();
  rm.unregisterTaskManager('tm-2', 'gone');
  assert.is(told.length, 1, 'an unsubscribed listener is not told');
});

test('a slot of a lost TaskManager is not held once one with the same id registers again', async () => {
  const rm = new ResourceManager(new ManualClock(), 1000);
  rm.registerTaskManager(new TaskManager('tm-0', 1));
  const [old] = await rm.requestSlots('job', 1);
  assert.ok(rm.holdsSlot(old));
  rm.unregisterTaskManager('tm-0', 'killed');
  assert.not.ok(rm.holdsSlot(old));
  // Restarted under the same id (simulation seeds 1008 and 1151 of taskmanager-kill): the job must
  // ask for new slots rather than deploy onto the old incarnation's.
  rm.registerTaskManager(new TaskManager('tm-0', 1));
  assert.ok(rm.isRegistered('tm-0'));
  assert.not.ok(rm.holdsSlot(old));
  assert.ok(rm.holdsSlot(rm.freeSlots()[0]));
});

test.run();
