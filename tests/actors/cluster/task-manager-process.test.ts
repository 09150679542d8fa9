// startTaskManager: registration with the JobManager, a clear error when there is none,
// re-registration after the JobManager connection was lost (a JobManager restarted on its port),
// and the fencing of a deposed JobManager's commands (against a scripted JobManager).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ActorSystem, defineActor, type ActorRef } from '../../../actors/index.ts';
import type { DeploymentDescriptor, SubtaskId, TaskExecutorMessage, TaskReport } from '../../../actors/cluster/cluster-messages.protocol.ts';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `condition` until it holds or `ms` pass. */
async function eventually(what: string, condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a TaskManager without a reachable JobManager fails to start, naming the address', async () => {
  const port = await freePort();
  try {
    await startTaskManager({ jobmanager: `127.0.0.1:${port}`, slots: 1, registrationTimeoutMs: 300 });
    assert.unreachable('it started');
  } catch (error) {
    assert.match((error as Error).message, new RegExp(`could not register with the JobManager at 127\\.0\\.0\\.1:${port}`));
  }
});

test('a bad --jobmanager value or slot count is refused', async () => {
  try { await startTaskManager({ jobmanager: 'nohost', slots: 1 }); assert.unreachable(); } catch (error) { assert.match((error as Error).message, /HOST:PORT/); }
  try { await startTaskManager({ jobmanager: '127.0.0.1:1', slots: 0 }); assert.unreachable(); } catch (error) { assert.match((error as Error).message, /at least one slot/); }
});

test('after losing its JobManager a TaskManager registers with the one restarted on the same port', async () => {
  const first = await startJobManager({ port: 0, restPort: 0 });
  const port = Number(first.rpcAddress.split(':')[1]);
  const tm = await startTaskManager({ jobmanager: first.rpcAddress, slots: 3, heartbeatIntervalMs: 100 });
  try {
    assert.equal((await first.service.taskManagers()).map((t) => t.id), [tm.id]);
    await first.close();
    const second = await startJobManager({ port, restPort: 0 });
    try {
      await eventually('the re-registration', async () => (await second.service.taskManagers()).some((t) => t.id === tm.id));
      const [info] = await second.service.taskManagers();
      assert.is(info.slotsNumber, 3);
      assert.is(info.address, tm.address);
    } finally {
      await tm.close();
      await second.close();
    }
  } finally {
    await tm.close();
  }
});

/**
 * A JobManager reduced to what a TaskManager talks to: its ResourceManager answers registrations
 * with `epoch`, its top actor serves one bundle, and a JobMaster actor collects the reports.
 */
async function scriptedJobManager(bundle: Uint8Array, epoch: number) {
  const system = ActorSystem.create('jobmanager');
  const listened = await system.listen(0, { host: '127.0.0.1' });
  const reports: TaskReport[] = [];
  const fetched: string[] = [];
  const waiters = new Set<() => void>();
  const resourceManager = defineActor<null, { type: string }>({
    init: () => null,
    receive: (_s, msg, ctx) => {
      if (msg.type === 'resourcemanager.register-remote') ctx.reply({ registered: true, epoch });
      if (msg.type === 'resourcemanager.heartbeat') ctx.reply({ known: true });
    },
  });
  system.spawn(defineActor<null, { type: string; key?: string }>({
    init: (ctx) => { ctx.spawn(resourceManager, 'resourcemanager'); return null; },
    receive: (_s, msg, ctx) => {
      if (msg.type !== 'jobmanager.fetch-blob') return;
      fetched.push(msg.key!);
      ctx.reply(msg.key === 'endless' ? bundle : null);
    },
  }), 'jobmanager');
  system.spawn(defineActor<null, TaskReport>({
    init: () => null,
    receive: (_s, report) => { reports.push(report); for (const w of waiters) w(); },
  }), 'jobmaster');
  const jobMaster = `${listened.address}/user/jobmaster`;
  return {
    address: `127.0.0.1:${listened.port}`, reports, fetched,
    descriptor: (jobId: string, blobKey = 'endless'): DeploymentDescriptor => ({
      jobId, attempt: 0, vertex: 0, subtask: 0, blobKey, submitOptions: { name: jobId, parallelism: 1 }, jobMaster,
      inputs: [], outputs: [], credits: 4, batchSize: 64,
    }),
    /** Resolves with the first report `match` accepts (reports are events: no polling). */
    report: (match: (r: TaskReport) => boolean): Promise<TaskReport> => new Promise((resolve) => {
      const check = (): void => { const r = reports.find(match); if (r) { waiters.delete(check); resolve(r); } };
      waiters.add(check);
      check();
    }),
    close: () => system.terminate(),
  };
}

const stateOf = (jobId: string, state: string) => (r: TaskReport): boolean => r.type === 'jobmaster.task-state' && r.id.jobId === jobId && r.state === state;

test('commands of an older epoch are refused without effect; a newer epoch releases what the older one deployed', async () => {
  const bundle = await bundleJob(fileURLToPath(new URL('./fixtures/endless-job.ts', import.meta.url)));
  const jm = await scriptedJobManager(bundle, 1);
  const log: string[] = [];
  const tm = await startTaskManager({ jobmanager: jm.address, slots: 2, heartbeatIntervalMs: 100, log: (m) => log.push(m) });
  const client = ActorSystem.create('client');
  try {
    await client.connect('127.0.0.1', Number(tm.address.split(':').pop()));
    const executor = client.resolve(`${tm.address}/user/taskmanager`) as ActorRef<TaskExecutorMessage>;
    const id = (jobId: string): SubtaskId => ({ jobId, attempt: 0, vertex: 0, subtask: 0 });
    const running = async (): Promise<string[]> => (await executor.ask<Array<{ jobId: string; state: string }>>({ type: 'taskexecutor.list-subtasks' }))
      .filter((t) => t.state === 'running').map((t) => t.jobId).sort();

    executor.tell({ type: 'taskexecutor.deploy', descriptor: jm.descriptor('old'), epoch: 1 });
    await jm.report(stateOf('old', 'running'));
    // The leader of epoch 2 deploys: what epoch 1 deployed is released.
    executor.tell({ type: 'taskexecutor.deploy', descriptor: jm.descriptor('new'), epoch: 2 });
    await jm.report(stateOf('old', 'canceled'));
    await jm.report(stateOf('new', 'running'));

    // The deposed leader (epoch 1) still sends: a cancellation, a checkpoint, a deployment.
    executor.tell({ type: 'taskexecutor.cancel-task', id: id('new'), epoch: 1 });
    executor.tell({ type: 'taskexecutor.trigger-checkpoint', id: id('new'), barrier: { kind: 'barrier', checkpointId: 1, timestamp: 0, savepoint: false }, epoch: 1 });
    executor.tell({ type: 'taskexecutor.deploy', descriptor: jm.descriptor('stale', 'stale-bundle'), epoch: 1 });
    const refusal = await jm.report(stateOf('stale', 'failed')) as { error?: string };
    assert.match(refusal.error ?? '', /refused the deployment: the JobManager of epoch 2 leads now, not this one \(epoch 1\)/);
    // A deployment of epoch 2 after them: by the time it runs, the refused cancellation would have acted.
    executor.tell({ type: 'taskexecutor.deploy', descriptor: jm.descriptor('later'), epoch: 2 });
    await jm.report(stateOf('later', 'running'));
    assert.equal(await running(), ['later', 'new'], 'the refused cancellation had no effect');
    assert.not.ok(jm.reports.some(stateOf('new', 'canceled')));
    assert.not.ok(jm.fetched.includes('stale-bundle'), 'the refused deployment fetched nothing');
    assert.is(log.length, 3, log.join('\n'));
    assert.match(log[0], /refused taskexecutor\.cancel-task \(job new attempt 0 subtask 0\/0\) from a deposed JobManager \(epoch 1\): the JobManager of epoch 2 leads now/);
    assert.match(log[1], /refused taskexecutor\.trigger-checkpoint/);
    assert.match(log[2], /refused taskexecutor\.deploy \(job stale/);

    // Commands of the current epoch still act.
    executor.tell({ type: 'taskexecutor.cancel-task', id: id('new'), epoch: 2 });
    await jm.report(stateOf('new', 'canceled'));
  } finally {
    await client.terminate();
    await tm.close();
    await jm.close();
  }
});

test.run();
