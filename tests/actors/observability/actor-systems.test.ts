// ClusterMetrics.actorSystems (GET /actors): the JobManager's own tree, each TaskManager's tree
// asked over its actor ref, a TaskManager that does not answer named once its ask times out on
// the JobManager's (manual) clock while the others' trees still arrive, a TaskManager in the
// JobManager's process marked as sharing its tree, and bad limits refused. The TaskManagers here
// are actors of other systems reached through refs, as RemoteTaskManagers are.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setImmediate } from 'node:timers';
import { ActorSystem, defineActor, ManualClock, type ActorRef } from '../../../actors/index.ts';
import { ClusterMetrics } from '../../../actors/observability/cluster-metrics.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { RemoteTaskManager } from '../../../actors/cluster/remote-task-manager.ts';
import { TaskManager } from '../../../actors/runtime/task-manager.ts';
import type { ResourceManager } from '../../../actors/runtime/resource-manager.ts';

configureLogging({ level: 'silent' });

/** A task executor that answers actor-tree asks with its own system's snapshot (as a TaskManager process does). */
const answering = defineActor<null, { type: string; maxActors?: number }>({
  name: 'task-executor',
  init: () => null,
  receive(_state, msg, ctx) {
    if (msg.type === 'taskexecutor.actor-tree') ctx.reply(ctx.system.snapshot(msg.maxActors !== undefined ? { maxActors: msg.maxActors } : {}));
  },
});

/** A task executor that never answers (a hung TaskManager). */
const silent = defineActor<null, unknown>({ init: () => null, receive: (_s, _m, ctx) => { ctx.deferReply(); } });

const idle = defineActor<null, unknown>({ name: 'idle', init: () => null, receive: () => undefined });

function hostWith(system: ActorSystem, taskManagers: unknown[]) {
  const resourceManager = { registeredTaskManagers: () => taskManagers } as unknown as ResourceManager;
  return new ClusterMetrics({ job: () => undefined, jobs: () => [], resourceManager, system });
}

test('every TaskManager\'s tree arrives; one that does not answer is named after its timeout', async () => {
  const clock = new ManualClock(1_000);
  const jm = ActorSystem.create('jm', { clock });
  const tmA = ActorSystem.create('tm-a');
  const tmB = ActorSystem.create('tm-b');
  try {
    jm.spawn(idle, 'jobmanager');
    const a = tmA.spawn(answering, 'taskmanager');
    tmA.spawn(idle, 'dataplane');
    const b = tmB.spawn(silent, 'taskmanager');
    const inProcess = Object.create(TaskManager.prototype) as TaskManager;
    Object.defineProperty(inProcess, 'id', { value: 'local-tm' });
    const metrics = hostWith(jm, [
      new RemoteTaskManager('tm-a', 'actorflow://tm-a@127.0.0.1:1', 1, a as ActorRef<never>, 0),
      new RemoteTaskManager('tm-b', 'actorflow://tm-b@127.0.0.1:2', 1, b as ActorRef<never>, 0),
      inProcess,
    ]);
    let settled = false;
    const pending = metrics.actorSystems({ timeoutMs: 500 }).finally(() => { settled = true; });
    for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    assert.is(settled, false, 'the answer waits for the silent TaskManager until its timeout');
    clock.advance(500);
    const report = await pending;
    assert.is(report.jobManager?.system, 'jm');
    assert.equal(report.jobManager?.tree.map((n) => n.path), ['actorflow://jm/user/jobmanager']);
    assert.equal(report.unanswered, ['tm-b']);
    const [ra, rb, local] = report.taskManagers;
    assert.is(ra.id, 'tm-a');
    assert.is(ra.address, 'actorflow://tm-a@127.0.0.1:1');
    assert.equal(ra.snapshot?.tree.map((n) => [n.name, n.behavior, n.state]), [['taskmanager', 'task-executor', 'running'], ['dataplane', 'idle', 'running']]);
    assert.is(ra.error, undefined);
    assert.is(rb.snapshot, undefined);
    assert.match(rb.error!, /timed out|timeout/i);
    assert.equal(local, { id: 'local-tm', inJobManager: true });

    // The limit travels to the TaskManagers.
    const limited = await metrics.actorSystems({ timeoutMs: 500, maxActors: 1 }).catch((e) => e);
    clock.advance(500);
    const l = await limited;
    assert.is(l.taskManagers[0].snapshot.tree.length, 1);
    assert.is(l.taskManagers[0].snapshot.truncated, true);
    assert.is(l.taskManagers[0].snapshot.actors, 2);
  } finally {
    await Promise.all([jm.terminate(), tmA.terminate(), tmB.terminate()]);
  }
});

test('bad timeouts and limits are refused before anything is asked', async () => {
  const system = ActorSystem.create('jm-bad', { clock: new ManualClock(5) });
  const metrics = hostWith(system, []);
  for (const options of [{ timeoutMs: 0 }, { timeoutMs: Number.NaN }, { timeoutMs: 10, maxActors: -1 }]) {
    try {
      await metrics.actorSystems(options);
      assert.unreachable(`accepted ${JSON.stringify(options)}`);
    } catch (error) {
      assert.instance(error, RangeError);
    }
  }
  assert.equal(await metrics.actorSystems({ timeoutMs: 10 }), { jobManager: system.snapshot(), taskManagers: [], unanswered: [] });
  await system.terminate();
});

test.run();
