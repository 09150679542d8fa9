// The cluster's ResourceManager actor: TaskManager processes register with their slots; one that
// stops heartbeating (manual clock) or whose actor ends is unregistered, and the jobs holding its
// slots are told; a TaskManager registering again under its id replaces its old registration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor, ManualClock, type ActorRef } from '../../../actors/index.ts';
import { clusterResourceManagerBehavior } from '../../../actors/cluster/cluster-resource-manager.ts';
import type { ClusterResourceManagerMessage } from '../../../actors/cluster/cluster-messages.protocol.ts';
import { RemoteTaskManager } from '../../../actors/cluster/remote-task-manager.ts';
import { ResourceManager } from '../../../actors/runtime/resource-manager.ts';

const TIMEOUT = 10_000;

function setup(): { clock: ManualClock; system: ActorSystem; rm: ResourceManager; actor: ActorRef<ClusterResourceManagerMessage>; lost: Array<{ id: string; jobs: string[]; reason: string }> } {
  const clock = new ManualClock(1_000);
  const system = ActorSystem.create('rm-test', { clock });
  const rm = new ResourceManager(clock, 60_000, true);
  const lost: Array<{ id: string; jobs: string[]; reason: string }> = [];
  rm.onTaskManagerLost((id, jobs, reason) => lost.push({ id, jobs: [...jobs], reason }));
  const actor = system.spawn(clusterResourceManagerBehavior(rm, { heartbeatTimeoutMs: TIMEOUT }), 'resourcemanager');
  return { clock, system, rm, actor, lost };
}

const executor = (system: ActorSystem, name: string): ActorRef => system.spawn(defineActor<null, unknown>({ init: () => null, receive: () => undefined }), name);

test('registration offers the slots; slots of a job spread over the TaskManagers', async () => {
  const { system, rm, actor } = setup();
  for (const name of ['a', 'b']) {
    const reply = await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: name, address: `actorflow://${name}@127.0.0.1:1`, slots: 2, ref: executor(system, name) });
    assert.equal(reply, { registered: true, epoch: 0 }, 'without high availability the epoch is 0');
  }
  assert.equal(await actor.ask({ type: 'resourcemanager.slot-report' }), { free: 4, total: 4, taskManagers: 2 });
  const slots = await rm.requestSlots('job', 2);
  assert.equal(slots.map((s) => s.taskManagerId).sort(), ['a', 'b']);
  assert.instance(rm.getTaskManager('a'), RemoteTaskManager);
  await system.terminate();
});

test('the registration answer and every command to the TaskManager carry the JobManager\'s epoch', async () => {
  const clock = new ManualClock(1_000);
  const system = ActorSystem.create('rm-epoch-test', { clock });
  const rm = new ResourceManager(clock, 60_000, true);
  let epoch = 3;
  const actor = system.spawn(clusterResourceManagerBehavior(rm, { heartbeatTimeoutMs: TIMEOUT, fencingToken: () => epoch }), 'resourcemanager');
  const received: Array<{ type: string; epoch?: number }> = [];
  const ref = system.spawn(defineActor<null, { type: string; epoch?: number }>({ init: () => null, receive: (_s, msg) => { received.push(msg); } }), 'te');
  const reply = await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 't', address: 'actorflow://t@127.0.0.1:1', slots: 1, ref });
  assert.equal(reply, { registered: true, epoch: 3 });
  const tm = rm.getTaskManager('t') as RemoteTaskManager;
  tm.releaseJob('j');
  epoch = 4;
  tm.send({ type: 'taskexecutor.cancel-task', id: { jobId: 'j', attempt: 0, vertex: 0, subtask: 0 } });
  await actor.ask({ type: 'resourcemanager.slot-report' });
  assert.equal(received.map((m) => [m.type, m.epoch]), [['taskexecutor.release-job', 3], ['taskexecutor.cancel-task', 4]]);
  await system.terminate();
});

test('a TaskManager without heartbeats for the timeout is lost; its job is told; heartbeats keep the other', async () => {
  const { clock, system, rm, actor, lost } = setup();
  await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 'quiet', address: 'actorflow://quiet@127.0.0.1:1', slots: 1, ref: executor(system, 'quiet') });
  await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 'alive', address: 'actorflow://alive@127.0.0.1:2', slots: 1, ref: executor(system, 'alive') });
  await rm.requestSlots('job-1', 2);
  for (let t = 0; t < TIMEOUT + 2_000; t += 500) {
    actor.tell({ type: 'resourcemanager.heartbeat', taskManagerId: 'alive' });
    await system.whenIdle();
    clock.advance(500);
    await system.whenIdle();
  }
  assert.is(lost.length, 1);
  assert.is(lost[0].id, 'quiet');
  assert.equal(lost[0].jobs, ['job-1']);
  assert.match(lost[0].reason, /no heartbeat for \d+ ms \(timeout 10000 ms\)/);
  assert.ok(rm.isRegistered('alive'));
  assert.not.ok(rm.isRegistered('quiet'));
  assert.equal(await actor.ask({ type: 'resourcemanager.heartbeat', taskManagerId: 'alive' }), { known: true });
  assert.equal(await actor.ask({ type: 'resourcemanager.heartbeat', taskManagerId: 'quiet' }), { known: false }, 'a TaskManager declared lost learns it from the answer');
  assert.is(rm.totalSlots(), 1);
  await system.terminate();
});

test('a TaskManager whose executor actor ends is lost at once', async () => {
  const { system, rm, actor, lost } = setup();
  const ref = executor(system, 'mortal');
  await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 'mortal', address: 'actorflow://mortal@127.0.0.1:1', slots: 1, ref });
  await system.stop(ref);
  await system.whenIdle();
  assert.equal(lost.map((l) => l.id), ['mortal']);
  assert.not.ok(rm.isRegistered('mortal'));
  await system.terminate();
});

test('registering again under the same id replaces the old registration (its subtasks are gone)', async () => {
  const { system, rm, actor, lost } = setup();
  const ref = executor(system, 'again');
  await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 'again', address: 'actorflow://again@127.0.0.1:1', slots: 1, ref });
  await rm.requestSlots('job-2', 1);
  await actor.ask({ type: 'resourcemanager.register-remote', taskManagerId: 'again', address: 'actorflow://again@127.0.0.1:1', slots: 3, ref });
  assert.equal(lost.map((l) => [l.id, l.jobs]), [['again', ['job-2']]]);
  assert.match(lost[0].reason, /registered again/);
  assert.is(rm.totalSlots(), 3);
  assert.is(rm.freeSlots().length, 3);
  await system.terminate();
});

test.run();
