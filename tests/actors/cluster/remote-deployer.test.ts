// RemoteDeployer: the deployment descriptors of an attempt (which channel ends are on the same
// TaskManager, which go through the data plane to which address), and the routing of subtask
// reports to their handles (older attempts ignored, a lost TaskManager's subtasks released).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { ActorSystem, defineActor, ManualClock, type ActorRef } from '../../../actors/index.ts';
import type { DeploymentDescriptor, TaskExecutorMessage } from '../../../actors/cluster/cluster-messages.protocol.ts';
import { RemoteDeployer } from '../../../actors/cluster/remote-deployer.ts';
import { RemoteTaskManager } from '../../../actors/cluster/remote-task-manager.ts';
import type { JobCheckpointing } from '../../../actors/checkpoint/job-checkpointing.ts';
import type { DeployContext, JobTaskListener } from '../../../actors/runtime/job-master.ts';
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

test.run();
