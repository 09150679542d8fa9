// Region failover end to end: a job of two independent pipelines at parallelism 2 (four pipelined
// regions) with checkpoints on a ManualClock; one subtask fails once. With the region strategy
// only that subtask's region is cancelled and redeployed (the job stays RUNNING, every other
// subtask keeps its attempt 0); with the full strategy every subtask restarts. Either way each
// pipeline's exactly-once output equals the plain-loop expectation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ExactlyOnceCollectSink, ManualClock, ProcessFunction, RestartStrategies, StreamExecutionEnvironment,
  type Collector, type RuntimeContext,
} from '../../../api/index.ts';
import { DataGeneratorSource } from '../../../api/sources/data-generator-source.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import type { JobStatus } from '../../../api/environment/job-client.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('region-failover');
const records = 20000;
const factor = { a: 2, b: 3 } as const;
type Pipeline = keyof typeof factor;

/** What the plain loop says pipeline `p` emits: every generated index times its factor, once. */
function expected(p: Pipeline): number[] {
  const out: number[] = [];
  for (let i = 0; i < records; i++) out.push(i * factor[p]);
  return out;
}

interface Run {
  /** `pipeline[subtask]` -> the attempt numbers it opened with, in order. */
  readonly opened: Map<string, number[]>;
  readonly statuses: Set<JobStatus>;
  readonly failed: boolean;
  readonly output: Record<Pipeline, number[]>;
}

/**
 * Runs the two-pipeline job; subtask 0 of pipeline a throws once after it saw `throwAt` records
 * (only once a checkpoint completed, unless `beforeCheckpoint`).
 */
async function run(strategy: 'region' | 'full', throwAt: number, beforeCheckpoint = false): Promise<Run> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setFailoverStrategy(strategy)
    .setRestartStrategy(RestartStrategies.fixedDelay(3, 50));
  const opened = new Map<string, number[]>();
  const shared = { seen: 0, failed: false };
  const checkpointed = (): boolean => (embeddedExecutor.lastJobMaster?.checkpointing.latestCompletedId ?? 0) > 0;
  class Scale extends ProcessFunction<number, number> {
    private subtask = -1;
    constructor(private readonly pipeline: Pipeline) { super(); }
    open(ctx: RuntimeContext): void {
      this.subtask = ctx.getIndexOfThisSubtask();
      const key = `${this.pipeline}[${this.subtask}]`;
      opened.set(key, [...(opened.get(key) ?? []), ctx.getAttemptNumber()]);
    }
    processElement(x: number, _ctx: unknown, out: Collector<number>): void {
      if (this.pipeline === 'a' && this.subtask === 0 && !shared.failed && ++shared.seen >= throwAt && (beforeCheckpoint || checkpointed())) {
        shared.failed = true;
        throw new Error(`injected failure at record ${shared.seen}`);
      }
      out.collect(x * factor[this.pipeline]);
    }
  }
  const sinks = { a: new ExactlyOnceCollectSink<number>(), b: new ExactlyOnceCollectSink<number>() };
  for (const p of ['a', 'b'] as const) {
    env.fromSource(new DataGeneratorSource((i) => i, records, { ratePerSecond: 20_000 }), undefined, `source-${p}`)
      .process(new Scale(p)).name(`scale-${p}`)
      .sinkTo(sinks[p]);
  }
  const result = env.execute(`region-failover-${strategy}`);
  const statuses = new Set<JobStatus>();
  let settled = false;
  const done = result.finally(() => { settled = true; });
  done.catch(() => {});
  // The job's progress paces the clock (10 ms per event-loop turn), never wall time.
  while (!settled) {
    const jm = embeddedExecutor.lastJobMaster;
    if (jm) statuses.add(jm.getStatus());
    clock.advance(10);
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  await done;
  return { opened, statuses, failed: shared.failed, output: { a: [...sinks.a.results].sort((x, y) => x - y), b: [...sinks.b.results].sort((x, y) => x - y) } };
}

const random = new Random(seed);

test('region: only the failed subtask\'s region restarts; the job stays RUNNING; output exactly once', async () => {
  const throwAt = random.int(1000, 6000);
  console.log(`  throw at record ${throwAt}`);
  const r = await run('region', throwAt);
  const jm = embeddedExecutor.lastJobMaster!;
  assert.ok(r.failed, 'the failure happened');
  assert.equal(Object.fromEntries(r.opened), { 'a[0]': [0, 1], 'a[1]': [0], 'b[0]': [0], 'b[1]': [0] });
  assert.is(jm.failover.failures.length, 1);
  assert.is(jm.attemptNumber, 1, 'the job\'s attempt number is the highest of its subtasks');
  const scaleA = [...jm.taskHandles().keys()].find((v) => v.name.includes('scale-a'))!;
  assert.equal([jm.subtaskAttemptNumber(scaleA, 0), jm.subtaskAttemptNumber(scaleA, 1)], [1, 0]);
  assert.ok((jm.checkpointing.restoredCheckpointId ?? 0) > 0, 'the region restored a checkpoint');
  assert.not.ok(r.statuses.has('RESTARTING'), 'a region restart does not take the job through RESTARTING');
  assert.equal(r.output.a, expected('a'));
  assert.equal(r.output.b, expected('b'));
});

test('region: a failure before any checkpoint completed restarts the region from the beginning of its splits', async () => {
  const r = await run('region', 50, true);
  const jm = embeddedExecutor.lastJobMaster!;
  assert.ok(r.failed, 'the failure happened');
  assert.is(jm.checkpointing.restoredCheckpointId, undefined, 'no checkpoint had completed');
  assert.equal(Object.fromEntries(r.opened), { 'a[0]': [0, 1], 'a[1]': [0], 'b[0]': [0], 'b[1]': [0] });
  assert.equal(r.output.a, expected('a'));
  assert.equal(r.output.b, expected('b'));
});

test('full: the same failure restarts every subtask (attempt 1 everywhere), output exactly once', async () => {
  const throwAt = random.int(1000, 6000);
  console.log(`  throw at record ${throwAt}`);
  const r = await run('full', throwAt);
  const jm = embeddedExecutor.lastJobMaster!;
  assert.ok(r.failed, 'the failure happened');
  assert.equal(Object.fromEntries(r.opened), { 'a[0]': [0, 1], 'a[1]': [0, 1], 'b[0]': [0, 1], 'b[1]': [0, 1] });
  assert.is(jm.attemptNumber, 1);
  assert.ok(r.statuses.has('RESTARTING'), 'a full restart goes through RESTARTING (for the backoff)');
  assert.equal(r.output.a, expected('a'));
  assert.equal(r.output.b, expected('b'));
});

test.run();
