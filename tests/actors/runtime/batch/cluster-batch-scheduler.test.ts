// The JobManager's scheduling of batch stages over a cluster, without processes: TaskManagers are
// proxies whose commands are recorded, and the test answers for their slices. A job of
// parallelism 8 runs in 2 slots, a stage only after the stages it reads; a TaskManager lost while
// consumers run makes exactly its still-needed partitions run again (and, further up, the lost
// partitions those need), cancels the consumers reading them, and gives the consumers the new
// locations; a failure the restart strategy does not allow fails the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../../api/index.ts';
import { planBatchStages } from '../../../../api/graph/batch-stages.ts';
import type { JobGraph } from '../../../../api/graph/job-graph.ts';
import type { RestartStrategy } from '../../../../api/environment/restart-strategies.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import type { ActorRef } from '../../../../actors/core/actor-ref.ts';
import { ClusterBatchScheduler } from '../../../../actors/cluster/cluster-batch-scheduler.ts';
import type { SliceDescriptor, SliceId } from '../../../../actors/cluster/batch-messages.protocol.ts';
import { RemoteTaskManager } from '../../../../actors/cluster/remote-task-manager.ts';
import { createRestartBackoff } from '../../../../actors/failover/restart-backoff.ts';
import { ResourceManager } from '../../../../actors/runtime/resource-manager.ts';

/** A batch job of `stages` stages (2 or 3) at parallelism `p`. */
function jobGraph(p: number, stages: 2 | 3): JobGraph {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p).setRuntimeMode('batch');
  let s = env.fromSequence(0, 99).map((x): [number, number] => [x % 7, x]).keyBy(([k]) => k).sum(1).map((x) => x);
  if (stages === 3) s = s.keyBy(([k]) => k % 3).reduce((a) => a);
  s.addSink(() => {});
  return env.getJobGraph('scheduler test');
}

interface Sent { readonly tm: string; readonly msg: { type: string; descriptor?: SliceDescriptor; id?: SliceId } }

function setup(graph: JobGraph, taskManagers: Array<[string, number]>, strategy: RestartStrategy = { kind: 'fixed-delay', attempts: 5, delayMs: 0 }) {
  const clock = new ManualClock();
  const rm = new ResourceManager(clock, 60_000);
  const sent: Sent[] = [];
  taskManagers.forEach(([id, slots], i) => {
    const ref = { tell: (msg: Sent['msg']) => sent.push({ tm: id, msg }) } as unknown as ActorRef;
    rm.registerTaskManager(new RemoteTaskManager(id, `actorflow://${id}@127.0.0.1:${7000 + i}`, slots, ref, 0));
  });
  const outcome: { finished?: Record<string, unknown>; failed?: Error } = {};
  const plan = planBatchStages(graph);
  const scheduler = new ClusterBatchScheduler({
    jobId: 'job', graph, plan, clock, resourceManager: rm, slots: [], backoff: createRestartBackoff(strategy), firstAttempt: 0,
    blobKey: 'blob', submitOptions: { name: 'scheduler test' }, jobMasterPath: 'jobmaster', credits: 2, batchSize: 16,
    resolve: () => { throw new Error('no relays in this test'); },
    onFinished: (accumulators) => { outcome.finished = accumulators; },
    onFailed: (error) => { outcome.failed = error; },
  });
  let seen = 0;
  /** Deployments sent since the last call. */
  const deployed = (): Array<SliceDescriptor & { tm: string }> => {
    const out = sent.slice(seen).filter((s) => s.msg.type === 'taskexecutor.deploy-slice').map((s) => ({ ...s.msg.descriptor!, tm: s.tm }));
    seen = sent.length;
    return out;
  };
  const report = (d: SliceDescriptor & { tm: string }, state: 'finished' | 'failed', accumulators: Record<string, unknown> = {}): void => {
    scheduler.onReport({
      type: 'jobmaster.slice-state', id: { jobId: 'job', stage: d.stage, slice: d.slice, attempt: d.attempt }, taskManagerId: d.tm, state,
      ...(state === 'finished' ? { accumulators } : { error: 'it broke' }),
    });
  };
  const cancelled = (): string[] => sent.filter((s) => s.msg.type === 'taskexecutor.cancel-slice').map((s) => `${s.tm}:${s.msg.id!.stage}/${s.msg.id!.slice}`);
  return { clock, rm, scheduler, outcome, deployed, report, cancelled, plan };
}

/** Lets the slot requests' promises settle. */
async function settle(): Promise<void> { for (let i = 0; i < 10; i++) await Promise.resolve(); }

const key = (d: SliceDescriptor & { tm: string }): string => `${d.tm}:${d.stage}/${d.slice}`;

test('a job of parallelism 8 runs in 2 slots, stage after stage, and sums its accumulators', async () => {
  const { scheduler, outcome, deployed, report, plan } = setup(jobGraph(8, 2), [['a', 1], ['b', 1]]);
  assert.is(plan.stages.length, 2);
  scheduler.start();
  await settle();
  let running = deployed();
  assert.equal(running.map(key), ['a:0/0', 'b:0/1']);
  const order: string[] = [];
  while (running.length > 0) {
    const d = running.shift()!;
    order.push(`${d.stage}/${d.slice}`);
    if (d.stage === 1) assert.is(d.inputs.length, 8, 'a consumer is told where all 8 producers put its input');
    report(d, 'finished', { seen: 1 });
    running.push(...deployed());
    assert.ok(running.length <= 2, 'never more slices than slots');
  }
  assert.equal(order.slice(0, 8).map((s) => s.split('/')[0]), Array(8).fill('0'), 'the consumers start after every producer finished');
  assert.equal(order.slice(8).sort(), ['1/0', '1/1', '1/2', '1/3', '1/4', '1/5', '1/6', '1/7']);
  assert.equal(outcome.finished, { seen: 16 });
  assert.is(scheduler.stats.runs.length, 16);
});

test('a TaskManager lost while consumers run: its partitions run again, the consumers reading them wait, and read them from their new place', async () => {
  const { scheduler, rm, clock, outcome, deployed, report, cancelled } = setup(jobGraph(4, 2), [['a', 2], ['b', 2]]);
  scheduler.start();
  await settle();
  const producers = deployed();
  assert.equal(producers.map(key).sort(), ['a:0/0', 'a:0/1', 'b:0/2', 'b:0/3']);
  for (const d of producers) report(d, 'finished');
  const consumers = deployed();
  assert.is(consumers.length, 4);
  const onA = consumers.filter((d) => d.tm === 'a');
  report(onA[0], 'finished');
  assert.equal(deployed(), []);
  rm.unregisterTaskManager('b', 'killed');
  scheduler.onTaskManagerLost('b');
  assert.is(scheduler.stats.partitionsLost, 2);
  assert.equal(cancelled(), [`a:1/${onA[1].slice}`], 'the consumer still running on a waits for the lost partitions');
  clock.advance(0);
  const again = deployed();
  assert.equal(again.map(key).sort(), ['a:0/2', 'a:0/3'], 'exactly the lost producers run again, on the TaskManager left');
  assert.ok(again.every((d) => d.attempt === 1));
  // A report of an attempt that was replaced no longer counts.
  report(onA[1], 'finished');
  for (const d of again) report(d, 'finished');
  const rest: Array<SliceDescriptor & { tm: string }> = deployed();
  const finished = new Set([onA[0].slice]);
  while (rest.length > 0) {
    const d = rest.shift()!;
    assert.is(d.stage, 1);
    assert.ok(d.inputs.every((l) => l.address === 'actorflow://a@127.0.0.1:7000'), 'every input is read from a');
    finished.add(d.slice);
    report(d, 'finished');
    rest.push(...deployed());
  }
  assert.equal([...finished].sort(), [0, 1, 2, 3]);
  assert.ok(outcome.finished !== undefined && outcome.failed === undefined);
  assert.is(scheduler.stats.runs.filter((r) => r.stage === 0).length, 6);
});

test('a lost partition that a lost partition needs runs again first (three stages)', async () => {
  const { scheduler, rm, clock, outcome, deployed, report, cancelled } = setup(jobGraph(2, 3), [['a', 1], ['b', 1]]);
  scheduler.start();
  await settle();
  let ds = deployed();
  while (!ds.some((d) => d.stage === 2)) { for (const d of ds) report(d, 'finished'); ds = deployed(); }
  assert.equal(ds.map(key), ['a:2/0', 'b:2/1'], 'the last stage runs');
  assert.equal(scheduler.stats.runs.filter((r) => r.taskManagerId === 'b' && r.outcome === 'finished').map((r) => `${r.stage}/${r.slice}`), ['0/1', '1/1']);
  rm.unregisterTaskManager('b', 'killed');
  scheduler.onTaskManagerLost('b');
  assert.is(scheduler.stats.partitionsLost, 2, 'the partitions of stages 0 and 1 on b');
  assert.equal(cancelled(), ['a:2/0'], 'the last stage waits');
  clock.advance(0);
  const order: string[] = [];
  let next = deployed();
  while (next.length > 0) {
    const d = next.shift()!;
    assert.is(d.tm, 'a');
    order.push(`${d.stage}/${d.slice}`);
    report(d, 'finished');
    next.push(...deployed());
  }
  assert.equal(order.slice(0, 2), ['0/1', '1/1'], 'stage 0 first, then stage 1, only the lost slices');
  assert.equal(order.slice(2).sort(), ['2/0', '2/1']);
  assert.ok(outcome.finished !== undefined);
});

test('a failure the restart strategy does not allow fails the run and cancels the other slices', async () => {
  const { scheduler, outcome, deployed, report, cancelled } = setup(jobGraph(2, 2), [['a', 1], ['b', 1]], { kind: 'no-restart' });
  scheduler.start();
  await settle();
  const [first, second] = deployed();
  report(first, 'failed');
  assert.match(outcome.failed?.message ?? '', /slice 0 of stage 0 failed and restart strategy: no restart: it broke/);
  assert.equal(cancelled(), [`${second.tm}:0/1`]);
  assert.equal(deployed(), []);
});

test.run();
