import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ExactlyOnceCollectSink, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import type { DataStream } from '../../../api/datastream/data-stream.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

type Count = [number, number];
const records = 20000, keys = 6;

/** Every running count emitted, once each (plain loop). */
function expectedEmissions(): string[] {
  const n = new Map<number, number>();
  for (let i = 0; i < records; i++) n.set(i % keys, (n.get(i % keys) ?? 0) + 1);
  const out: string[] = [];
  for (const [k, count] of n) for (let c = 1; c <= count; c++) out.push(`${k}:${c}`);
  return out.sort();
}

/** The job, with uids so that its state maps onto another parallelism. */
function build(parallelism: number, ratePerSecond: number | undefined, progress: { seen: number }) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(parallelism).enableCheckpointing(100).setRestartStrategy(RestartStrategies.noRestart());
  const source = new DataGeneratorSource((i) => i, records, ratePerSecond ? { ratePerSecond } : {});
  const counts: DataStream<Count> = env.fromSource(source, undefined, 'numbers').uid('numbers')
    .map((i: number): Count => { progress.seen++; return [i % keys, 1]; }).uid('pair')
    .keyBy((t) => t[0])
    .reduce((a, b): Count => [a[0], a[1] + b[1]]).uid('count');
  const results: Count[] = [];
  counts.sinkTo(new ExactlyOnceCollectSink<Count>(results)).uid('sink');
  return { env, clock, results };
}

const lines = (c: Count[]): string[] => c.map(([k, n]) => `${k}:${n}`);

/** Lets the job run, moving its clock 10 ms per turn, until `done` holds (its own progress, never wall time). */
async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the job made the expected progress');
}

test('stop with a savepoint at parallelism 2, restore at 3 and at 1: results as if never stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-savepoints-'));
  try {
    const progress = { seen: 0 };
    const first = build(2, 1000, progress);
    const client = await first.env.executeAsync('first');
    await until(first.clock, () => progress.seen >= 6000);
    const path = await client.stopWithSavepoint(dir);
    assert.ok(existsSync(path), 'the savepoint file exists');
    assert.is(await client.getJobStatus(), 'FINISHED');
    assert.ok(first.results.length > 0 && first.results.length < records, 'part of the output was committed before the stop');
    for (const parallelism of [3, 1]) {
      const next = build(parallelism, undefined, { seen: 0 });
      await next.env.execute({ name: `restored at ${parallelism}`, fromSavepoint: path });
      assert.equal([...lines(first.results), ...lines(next.results)].sort(), expectedEmissions(), `restored at parallelism ${parallelism}`);
    }
    assert.ok(existsSync(path), 'savepoints are never deleted automatically');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('triggerSavepoint keeps the job running; a savepoint operator without a matching uid fails the restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-savepoints-'));
  try {
    const progress = { seen: 0 };
    const job = build(2, 1000, progress);
    const client = await job.env.executeAsync('running');
    await until(job.clock, () => progress.seen >= 2000);
    const path = await client.triggerSavepoint(dir);
    assert.is(await client.getJobStatus(), 'RUNNING');
    await client.cancel();

    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
    env.enableCheckpointing(100);
    env.fromSource(new DataGeneratorSource((i) => i, 10), undefined, 'numbers').uid('numbers')
      .map((i: number): Count => [i, 1]).uid('pair').keyBy((t) => t[0]).reduce((a) => a).uid('renamed-count')
      .sinkTo(new ExactlyOnceCollectSink<Count>()).uid('sink');
    try {
      await env.execute({ fromSavepoint: path });
      assert.unreachable('the restore must fail');
    } catch (error) {
      assert.match((error as Error).message, /operator "count"/);
    }

    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
    env2.enableCheckpointing(100);
    const out: Count[] = [];
    env2.fromSource(new DataGeneratorSource((i) => i, 10), undefined, 'numbers').uid('other-source')
      .map((i: number): Count => [i, 1]).uid('pair2').keyBy((t) => t[0]).reduce((a) => a).uid('renamed-count')
      .sinkTo(new ExactlyOnceCollectSink<Count>(out)).uid('sink2');
    await env2.execute({ fromSavepoint: path, allowNonRestoredState: true });
    assert.is(out.length, 10, 'allowNonRestoredState skips the unmatched state');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a retained checkpoint (the kv checkpoint storage of a cancelled job) restores like a savepoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-retained-'));
  const counting = (parallelism: number, ratePerSecond: number | undefined, progress: { seen: number }, emitted: Count[]) => {
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
    env.setParallelism(parallelism).enableCheckpointing(100).setStateBackend('kv').setCheckpointStorage(dir);
    env.fromSource(new DataGeneratorSource((i) => i, records, ratePerSecond ? { ratePerSecond } : {}), undefined, 'numbers').uid('numbers')
      .map((i: number): Count => { progress.seen++; return [i % keys, 1]; }).uid('pair')
      .keyBy((t) => t[0]).reduce((a, b): Count => [a[0], a[1] + b[1]]).uid('count')
      .addSink((c) => { emitted.push(c); });
    return { env, clock };
  };
  try {
    const emitted: Count[] = [];
    const firstProgress = { seen: 0 };
    const first = counting(2, 1000, firstProgress, emitted);
    const client = await first.env.executeAsync('retained');
    const jm = embeddedExecutor.lastJobMaster!;
    await until(first.clock, () => firstProgress.seen >= 6000 && (jm.checkpointing.latestCompletedId ?? 0) >= 2);
    await client.cancel();
    const progress = { seen: 0 };
    const next = counting(3, undefined, progress, emitted);
    await next.env.execute({ name: 'from retained', fromSavepoint: dir });
    assert.ok(progress.seen < records, `the restored job resumed (${progress.seen} records read, not ${records})`);
    const finals = new Map<number, number>();
    for (const [k, c] of emitted) finals.set(k, Math.max(finals.get(k) ?? 0, c));
    const expected = new Map<number, number>();
    for (let i = 0; i < records; i++) expected.set(i % keys, (expected.get(i % keys) ?? 0) + 1);
    for (const [k, n] of expected) assert.is(finals.get(k), n, `key ${k}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
