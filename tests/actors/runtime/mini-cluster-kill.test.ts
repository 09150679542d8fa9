// MiniCluster: killing a TaskManager (as if its process died) stops its subtasks where they are and
// fails the job over onto the remaining slots; a TaskManager started again under the same id
// registers fresh slots; bad requests are refused clearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setImmediate } from 'node:timers';
import { MiniCluster } from '../../../actors/runtime/mini-cluster.ts';
import { DataGeneratorSource, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(condition(), 'the condition never held');
}

test('a killed TaskManager fails the job over; restarted, it registers fresh slots', async () => {
  const cluster = new MiniCluster({ taskManagers: 2, slotsPerTaskManager: 2, clock: new ManualClock(), slotRequestTimeoutMs: 1000, batchSize: 64, channelCredits: 2 });
  await cluster.ready;
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  env.setRestartStrategy(RestartStrategies.fixedDelay(5, 0));
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'endless').addSink(() => {});
  const { client, jobMaster } = await cluster.submitJob(env.getJobGraph('endless'));
  await until(() => cluster.taskManagers.every((tm) => tm.runningTasks().length > 0));
  const oldSlots = cluster.taskManagers[1].slots;
  const killedTasks = cluster.taskManagers[1].runningTasks();
  await cluster.killTaskManager('taskmanager-1');
  assert.not.ok(cluster.resourceManager.isRegistered('taskmanager-1'));
  assert.throws(() => cluster.restartTaskManager('nope'), /unknown TaskManager nope \(this cluster has taskmanager-0, taskmanager-1\)/);
  try { await cluster.killTaskManager('taskmanager-1'); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /taskmanager-1 is not running/); }
  // Three subtasks no longer fit on the two slots left: the job waits for slots.
  cluster.restartTaskManager('taskmanager-1');
  await until(() => jobMaster.attemptNumber === 1 && cluster.taskManagers[1].runningTasks().length > 0);
  assert.ok(cluster.resourceManager.isRegistered('taskmanager-1'));
  assert.is.not(cluster.taskManagers[1].slots, oldSlots);
  assert.ok(killedTasks.every((t) => t.state === 'canceled'), killedTasks.map((t) => t.state).join());
  assert.throws(() => cluster.restartTaskManager('taskmanager-1'), /taskmanager-1 is running: kill it first/);
  assert.is(await client.getJobStatus(), 'RUNNING');
  await client.cancel();
  await cluster.close();
});

test.run();
