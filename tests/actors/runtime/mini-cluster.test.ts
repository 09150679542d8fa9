// MiniCluster: the roles as supervised actors (JobManager with ResourceManager and Dispatcher,
// a JobMaster actor per job, TaskManager actors), reached by path, answering over ask.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MiniCluster } from '../../../actors/runtime/mini-cluster.ts';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';

const config = (clock = new ManualClock()) => ({ taskManagers: 2, slotsPerTaskManager: 2, clock, slotRequestTimeoutMs: 1000, batchSize: 64, channelCredits: 2 });

function endlessGraph(parallelism: number) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'endless').addSink(() => {});
  return env.getJobGraph('endless');
}

test('the actor tree: jobmanager/{resourcemanager,dispatcher}, a jobmaster per job, TaskManagers', async () => {
  const cluster = new MiniCluster(config());
  await cluster.ready;
  const { client } = await cluster.submitJob(endlessGraph(3));
  const root = `actorflow://${cluster.system.name}/user`;
  for (const path of ['jobmanager', 'jobmanager/resourcemanager', 'jobmanager/dispatcher', `jobmanager/dispatcher/jobmaster-${client.jobId}`, 'taskmanager-0', 'taskmanager-1']) {
    assert.is(cluster.system.lifecycleOf(cluster.system.resolve(`${root}/${path}`)), 'running', path);
  }
  const report = await cluster.system.resolve(`${root}/jobmanager/resourcemanager`).ask({ type: 'resourcemanager.slot-report' });
  assert.equal(report, { free: 1, total: 4, taskManagers: 2 });
  assert.equal(await cluster.dispatcherRef.ask({ type: 'dispatcher.list-jobs' }), [{ jobId: client.jobId, name: 'endless', status: 'RUNNING' }]);
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  const subtasks = await cluster.system.resolve(`${root}/taskmanager-0`).ask<Array<{ name: string; state: string }>>({ type: 'taskmanager.list-subtasks' });
  assert.ok(subtasks.length >= 1 && subtasks.every((s) => s.state === 'running'), JSON.stringify(subtasks));
  assert.is(await client.getJobStatus(), 'RUNNING');
  await client.cancel();
  assert.is(await client.getJobStatus(), 'CANCELED');
  await cluster.system.whenIdle();
  assert.is(cluster.system.lifecycleOf(cluster.system.resolve(`${root}/jobmanager/dispatcher/jobmaster-${client.jobId}`)), 'stopped');
  assert.equal(await cluster.system.resolve(`${root}/jobmanager/resourcemanager`).ask({ type: 'resourcemanager.slot-report' }), { free: 4, total: 4, taskManagers: 2 });
  await cluster.close();
  assert.is(await client.getJobStatus(), 'CANCELED');
});

test('jobs share the cluster: a second job waits for slots the first one releases', async () => {
  const cluster = new MiniCluster(config());
  const first = await cluster.submitJob(endlessGraph(4));
  const second = await cluster.submitJob(endlessGraph(2));
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  assert.is(cluster.resourceManager.freeSlots().length, 0);
  assert.equal([...second.jobMaster.subtasks().keys()].length, 0, 'the second job has no subtasks yet');
  await first.client.cancel();
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  assert.is([...second.jobMaster.subtasks().values()].flat().length, 2);
  await cluster.close();
  assert.is(second.jobMaster.getStatus(), 'CANCELED');
});

test.run();
