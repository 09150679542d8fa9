import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckpointCoordinator, DEFAULT_CHECKPOINT_CONFIG, type CoordinatorHooks } from '../../../actors/checkpoint/checkpoint-coordinator.ts';
import { ManualClock } from '../../../api/time/clock.ts';

const flush = async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

function setup(overrides: Partial<typeof DEFAULT_CHECKPOINT_CONFIG> & { intervalMs?: number } = {}, persistFails = false) {
  const clock = new ManualClock(0);
  const log: string[] = [];
  const triggered: number[] = [];
  const hooks: CoordinatorHooks = {
    triggerSources: (id) => { triggered.push(id); log.push(`trigger ${id}`); },
    persist: async (c) => { if (persistFails) throw new Error('disk full'); log.push(`persist ${c.checkpointId}`); },
    notifyComplete: (id) => log.push(`complete ${id}`),
    notifyAborted: (id, reason) => log.push(`abort ${id}: ${reason}`),
    discard: (id) => log.push(`discard ${id}`),
    failJob: (e) => log.push(`fail: ${e.message}`),
  };
  const coordinator = new CheckpointCoordinator({ ...DEFAULT_CHECKPOINT_CONFIG, intervalMs: 100, ...overrides }, ['a', 'b'], clock, hooks);
  return { clock, log, triggered, coordinator };
}

test('periodic checkpoints complete when every subtask acknowledges; older ones are discarded', async () => {
  const { clock, log, triggered, coordinator } = setup();
  coordinator.start();
  clock.advance(100);
  assert.equal(triggered, [1]);
  coordinator.acknowledge(1, 'a', 'state-a1');
  await flush();
  assert.not.ok(log.includes('complete 1'), 'waits for every subtask');
  coordinator.acknowledge(1, 'b', 'state-b1');
  await flush();
  assert.ok(log.includes('complete 1'));
  assert.equal(coordinator.latestCompleted?.states.get('a'), 'state-a1');
  clock.advance(100);
  assert.equal(triggered, [1, 2]);
  coordinator.acknowledge(2, 'a', 1); coordinator.acknowledge(2, 'b', 1);
  await flush();
  assert.ok(log.includes('discard 1'), 'retain 1: checkpoint 1 subsumed');
  coordinator.stop();
});

test('max concurrent checkpoints holds back the next trigger until one completes', async () => {
  const { clock, triggered, coordinator } = setup({ maxConcurrent: 1 });
  coordinator.start();
  clock.advance(350);
  assert.equal(triggered, [1]);
  coordinator.acknowledge(1, 'a', 0); coordinator.acknowledge(1, 'b', 0);
  await flush();
  clock.advance(1);
  assert.equal(triggered, [1, 2]);
  coordinator.stop();
});

test('min pause separates a completion from the next trigger', async () => {
  const { clock, triggered, coordinator } = setup({ minPauseMs: 500 });
  coordinator.start();
  clock.advance(100);
  coordinator.acknowledge(1, 'a', 0); coordinator.acknowledge(1, 'b', 0);
  await flush();
  clock.advance(300);
  assert.equal(triggered, [1]);
  clock.advance(200);
  assert.equal(triggered, [1, 2]);
  coordinator.stop();
});

test('a checkpoint that times out is aborted; beyond the tolerable number the job fails', async () => {
  const { clock, log, coordinator } = setup({ timeoutMs: 50, tolerableFailures: 1, maxConcurrent: 1 });
  coordinator.start();
  clock.advance(100);
  clock.advance(50);
  assert.ok(log.some((l) => l.startsWith('abort 1: checkpoint 1 expired')));
  assert.not.ok(log.some((l) => l.startsWith('fail')), 'one failure tolerated');
  clock.advance(200);
  assert.ok(log.some((l) => l.startsWith('fail: exceeded the tolerable checkpoint failure number (1)')));
});

test('a decline aborts the checkpoint; late acknowledgements are ignored', async () => {
  const { clock, log, coordinator } = setup({ tolerableFailures: 5 });
  coordinator.start();
  clock.advance(100);
  coordinator.decline(1, 'b', 'operator not ready');
  coordinator.acknowledge(1, 'a', 0);
  await flush();
  assert.ok(log.includes('abort 1: checkpoint 1 declined by b: operator not ready'));
  assert.not.ok(log.includes('complete 1'));
  coordinator.stop();
});

test('a failed metadata write aborts the checkpoint instead of completing it', async () => {
  const { clock, log, coordinator } = setup({ tolerableFailures: 5 }, true);
  coordinator.start();
  clock.advance(100);
  coordinator.acknowledge(1, 'a', 0); coordinator.acknowledge(1, 'b', 0);
  await flush();
  assert.ok(log.includes('abort 1: checkpoint 1 could not be written: disk full'));
  assert.is(coordinator.latestCompleted, undefined);
  coordinator.stop();
});

test('a savepoint resolves with all states and is never discarded by retention', async () => {
  const { log, coordinator } = setup();
  const sp = coordinator.trigger(true);
  coordinator.acknowledge(1, 'a', 'x'); coordinator.acknowledge(1, 'b', 'y');
  const done = await sp;
  assert.is(done.savepoint, true);
  assert.equal([...done.states.entries()], [['a', 'x'], ['b', 'y']]);
  assert.is(coordinator.latestCompleted, undefined, 'savepoints are not retained checkpoints');
  assert.not.ok(log.some((l) => l.startsWith('discard')));
});

test.run();
