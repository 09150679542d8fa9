// RemoteDeployer: the deployment descriptors of an attempt (which channel ends are on the same
// TaskManager, which go through the data plane to which address), and the routing of subtask
// reports to their handles (older attempts ignored, a lost TaskManager's subtasks released), and
// the redeployment of one pipelined region as its next attempt beside the others' current one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { ActorSystem, defineActor, ManualClock, type ActorRef } from '../../../actors/index.ts';
import type { DeploymentDescriptor, TaskExecutorMessage } from '../../../actors/cluster/cluster-messages.protocol.ts';
import { RemoteDeployer } from '../../../actors/cluster/remote-deployer.ts';
import { RemoteTaskManager } from '../../../actors/cluster/remote-task-manager.ts';
import type { JobCheckpointing } from '../../../actors/checkpoint/job-checkpointing.ts';
import { computePipelinedRegions } from '../../../actors/failover/pipelined-regions.ts';
import type { DeployContext, JobTaskListener } from '../../../actors/runtime/subtask-deployer.ts';
import { ResourceManager } from '../../../actors/runtime/resource-manager.ts';
import type { TaskHandle } from '../../../actors/runtime/task-manager.ts';

function graph() {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  env.fromSequence(1, 10).name('src').keyBy((n: number) => n % 2).map((n: number) => n).name('keyed').addSink(() => {}).name('sink');
  return env.getJobGraph('wiring');
}

test('descriptors: channels within a TaskManager are local, across TaskManagers they name the peer; reports reach the handles', async () => {
  const clock = new ManualClock();
  const system = ActorSystem.create('deployer-test', { clock });
  const received = new Map<string, TaskExecutorMessage[]>([['a', []], ['b', []]]);
  const executor = (name: string): ActorRef<TaskExecutorMessage> => system.spawn(defineActor<null, TaskExecutorMessage>({
    init: () => null, receive: (_s, msg) => { received.get(name)!.push(msg); },
  }), name);
  const rm = new ResourceManager(clock, 1000, true);
  rm.registerTaskManager(new RemoteTaskManager('a', 'actorflow://a@127.0.0.1:1', 2, executor('a'), 0));
  rm.registerTaskManager(new RemoteTaskManager('b', 'actorflow://b@127.0.0.1:2', 2, executor('b'), 0));
  const slots = await rm.requestSlots('job', 2);
  const events: string[] = [];
  const listener: JobTaskListener = {
    onStateChange: (task, state, error) => events.push(`${task.name} ${state}${error ? ` ${(error as Error).message}` : ''}`),
    onReaderRegistered: (task) => events.push(`${task.name} reader`),
    onSplitRequest: (task) => events.push(`${task.name} split request`),
  };
  const g = graph();
  const context: DeployContext = {
    jobId: 'job', graph: g, listener,
    checkpointing: { restorePoint: () => ({ checkpointId: 4 }) } as unknown as JobCheckpointing,
    options: { clock, batchSize: 64, channelCredits: 3 },
  };
  const deployer = new RemoteDeployer(context, { blobKey: 'k'.repeat(64), submitOptions: { name: 'wiring' }, jobMasterPath: 'actorflow://jobmanager@127.0.0.1:3/user/jm', resourceManager: rm });
  const handles = deployer.deployAttempt(2, (_vertex, index) => slots[index]);
  await system.whenIdle();
  const descriptors = (name: string): DeploymentDescriptor[] => received.get(name)!.filter((m) => m.type === 'taskexecutor.deploy').map((m) => (m as { descriptor: DeploymentDescriptor }).descriptor);
  const [a, b] = [descriptors('a'), descriptors('b')];
  assert.is(a.length, 2, 'one subtask of each vertex per TaskManager');
  assert.ok(a.every((d) => d.subtask === 0) && b.every((d) => d.subtask === 1));
  assert.ok([...a, ...b].every((d) => d.attempt === 2 && d.credits === 3 && d.batchSize === 64 && d.jobMaster.endsWith('/user/jm')));
  assert.equal(a[0].restore, { checkpointId: 4 });
  const source0 = a.find((d) => d.vertex === 0)!;
  assert.equal(source0.outputs, [{ edge: 0, channels: [{ targetSubtask: 0, receiver: 'local' }, { targetSubtask: 1, receiver: 'actorflow://b@127.0.0.1:2' }] }]);
  const keyed1 = b.find((d) => d.vertex === 1)!;
  assert.equal(keyed1.inputs, [{ edge: 0, sourceSubtask: 0, sender: 'actorflow://a@127.0.0.1:1' }, { edge: 0, sourceSubtask: 1, sender: 'local' }]);
  const [srcVertex, keyedVertex] = g.vertices;
  const src1 = handles.get(srcVertex)![1];
  const keyed0 = handles.get(keyedVertex)![0];
  const id = (v: number, s: number, attempt = 2) => ({ jobId: 'job', attempt, vertex: v, subtask: s });
  deployer.onReport({ type: 'jobmaster.reader-registered', id: id(0, 1) } as never);
  deployer.onReport({ type: 'jobmaster.task-state', id: id(0, 1), state: 'running' } as never);
  assert.is(src1.state, 'running');
  deployer.onReport({ type: 'jobmaster.task-state', id: id(0, 1, 1), state: 'failed', error: 'old attempt' } as never);
  deployer.onReport({ type: 'jobmaster.task-state', id: id(0, 1), state: 'finished', accumulators: { n: 5 } } as never);
  assert.equal(src1.accumulators(), new Map([['n', 5]]));
  assert.equal(events, [`${src1.name} reader`, `${src1.name} finished`]);
  src1.addSplits([{ id: 'x' } as never]);
  const cancelled = keyed0.cancel();
  await system.whenIdle();
  assert.ok(received.get('a')!.some((m) => m.type === 'taskexecutor.cancel-task' && m.id.vertex === 1 && m.id.subtask === 0));
  assert.ok(received.get('b')!.some((m) => m.type === 'taskexecutor.add-splits'));
  deployer.onTaskManagerLost('a');
  await cancelled;
  assert.is((keyed0 as TaskHandle).state, 'failed', 'a subtask on a lost TaskManager cannot be reached');
  assert.is(handles.get(keyedVertex)![1].state, 'deploying', 'the other TaskManager is unaffected');
  await system.terminate();
});

test('a region is redeployed alone: its descriptors name the region, its old attempt\'s reports are ignored, the other region\'s still count', async () => {
  const clock = new ManualClock();
  const system = ActorSystem.create('deployer-region-test', { clock });
  const received: TaskExecutorMessage[] = [];
  const executor = system.spawn(defineActor<null, TaskExecutorMessage>({ init: () => null, receive: (_s, msg) => { received.push(msg); } }), 'a');
  const rm = new ResourceManager(clock, 1000, true);
  rm.registerTaskManager(new RemoteTaskManager('a', 'actorflow://a@127.0.0.1:1', 2, executor, 0));
  const slots = await rm.requestSlots('job', 2);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  // Forward only, not chained: subtask 0 of both vertices is one region, subtask 1 the other.
  env.fromSequence(1, 10).name('src').forward().map((n: number) => n).name('map').startNewChain().addSink(() => {});
  const g = env.getJobGraph('regions');
  const regions = computePipelinedRegions(g);
  const states: string[] = [];
  const listener: JobTaskListener = { onStateChange: (task, state) => states.push(`${task.name} ${state}`), onReaderRegistered: () => {}, onSplitRequest: () => {} };
  const deployer = new RemoteDeployer({
    jobId: 'job', graph: g, listener, regions, options: { clock, batchSize: 64, channelCredits: 3 },
    checkpointing: { restorePoint: () => ({ checkpointId: 7 }) } as unknown as JobCheckpointing,
  }, { blobKey: 'k'.repeat(64), submitOptions: { name: 'regions' }, jobMasterPath: 'actorflow://jobmanager@127.0.0.1:3/user/jm', resourceManager: rm });
  const first = deployer.deployAttempt(0, (_vertex, index) => slots[index]);
  const [src, map] = g.vertices;
  const region1 = regions.regionOf(src, 1);
  assert.equal(region1.map((r) => [r.vertex, r.subtaskIndex]), [[src, 1], [map, 1]]);
  const [newSrc1, newMap1] = deployer.deployRegion(region1, [1, 1], (_vertex, index) => slots[index]);
  await system.whenIdle();
  const descriptors = received.filter((m) => m.type === 'taskexecutor.deploy').map((m) => (m as { descriptor: DeploymentDescriptor }).descriptor);
  assert.is(descriptors.length, 6, 'four subtasks, then the two of region 1');
  const redeployed = descriptors.slice(4);
  assert.equal(redeployed.map((d) => [d.vertex, d.subtask, d.attempt, d.region, d.regionRestart]), [[0, 1, 1, 1, true], [1, 1, 1, 1, true]]);
  assert.equal(descriptors.slice(0, 4).map((d) => [d.region, d.regionRestart]), [[0, undefined], [1, undefined], [0, undefined], [1, undefined]]);
  assert.equal(redeployed[0].outputs, [{ edge: 0, channels: [{ targetSubtask: 1, receiver: 'local' }] }]);
  assert.equal(redeployed[1].inputs, [{ edge: 0, sourceSubtask: 1, sender: 'local' }]);
  const id = (v: number, s: number, attempt: number) => ({ jobId: 'job', attempt, vertex: v, subtask: s });
  deployer.onReport({ type: 'jobmaster.task-state', id: id(1, 1, 0), state: 'canceled' } as never);
  deployer.onReport({ type: 'jobmaster.task-state', id: id(1, 1, 1), state: 'finished' } as never);
  deployer.onReport({ type: 'jobmaster.task-state', id: id(1, 0, 0), state: 'finished' } as never);
  assert.equal(states, [`${newMap1.name} finished`, `${first.get(map)![0].name} finished`]);
  assert.is(newMap1.state, 'finished');
  assert.is(first.get(map)![1].state, 'deploying', 'the replaced handle hears nothing more');
  assert.is.not(newSrc1, first.get(src)![1]);
  await system.terminate();
});

test.run();
