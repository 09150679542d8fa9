// TaskScheduler: runs queued runnables in rounds (fair interleaving), re-queues those with more
// work, and yields the event loop between time slices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setImmediate } from 'node:timers';
import { TaskScheduler, type Runnable } from '../../../actors/runtime/task-scheduler.ts';

/** Resolves once `scheduler` has nothing queued, however many event-loop turns its rounds take. */
async function idle(scheduler: TaskScheduler): Promise<void> {
  do await new Promise<void>((r) => setImmediate(r)); while (scheduler.queuedCount > 0);
}

test('interleaves runnables one slice each per round', async () => {
  const scheduler = new TaskScheduler();
  const log: string[] = [];
  const make = (name: string, slices: number): Runnable => {
    let left = slices;
    return { queued: false, runSlice: () => { log.push(name); return --left > 0; } };
  };
  scheduler.schedule(make('a', 3));
  scheduler.schedule(make('b', 2));
  scheduler.schedule(make('c', 1));
  await idle(scheduler);
  assert.equal(log, ['a', 'b', 'c', 'a', 'b', 'a']);
});

test('scheduling an already queued runnable is a no-op', async () => {
  const scheduler = new TaskScheduler();
  let runs = 0;
  const r: Runnable = { queued: false, runSlice: () => { runs++; return false; } };
  scheduler.schedule(r); scheduler.schedule(r); scheduler.schedule(r);
  assert.is(scheduler.queuedCount, 1);
  await idle(scheduler);
  assert.is(runs, 1);
});

test('a busy runnable does not starve timers: the scheduler yields the event loop', async () => {
  const scheduler = new TaskScheduler(1, 2);
  let timerFired = false;
  let slicesAfterTimer = 0;
  const busy: Runnable = {
    queued: false,
    runSlice: (deadline) => {
      while (performance.now() < deadline) { /* work */ }
      if (timerFired) slicesAfterTimer++;
      return slicesAfterTimer < 3;
    },
  };
  setTimeout(() => { timerFired = true; }, 1);
  scheduler.schedule(busy);
  while (slicesAfterTimer < 3) await new Promise((r) => setTimeout(r, 1));
  assert.ok(timerFired);
});

test('a runnable woken during its own slice runs again', async () => {
  const scheduler = new TaskScheduler();
  let runs = 0;
  const r: Runnable = { queued: false, runSlice: () => { runs++; if (runs === 1) scheduler.schedule(r); return false; } };
  scheduler.schedule(r);
  await idle(scheduler);
  assert.is(runs, 2);
});

test.run();
