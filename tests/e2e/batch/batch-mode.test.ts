// Batch mode end to end, embedded: rolling aggregations emit one final value per key, event-time
// windows fire once and complete (session windows merge), each key's timers fire at the end of
// its input in timestamp order and processing-time timers never fire, a job of parallelism 4
// runs in 2 slots stage after stage, a tiny memory budget spills partitions and sort runs with
// exact results, and a failure in a later stage re-runs from its persisted inputs (the sources
// are read once) with exact output. Each result is compared with a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, EventTimeSessionWindows, KeyedProcessFunction, RestartStrategies, StreamExecutionEnvironment,
  TumblingEventTimeWindows, WatermarkStrategy, type Collector, type KeyedContext, type OnTimerContext,
} from '../../../api/index.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';

const batchEnv = (p: number, slots?: number) =>
  StreamExecutionEnvironment.getExecutionEnvironment(slots === undefined ? {} : { slotsPerTaskManager: slots }).setParallelism(p).setRuntimeMode('batch');
const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${(i * 7919) % 97}`);

test('a keyed sum emits one final value per key (word count)', async () => {
  const input = words(5000);
  const expected = new Map<string, number>();
  for (const w of input) expected.set(w, (expected.get(w) ?? 0) + 1);
  const out = await batchEnv(3).fromCollection(input).map((w): [string, number] => [w, 1]).keyBy((t) => t[0]).sum(1).executeAndCollect();
  assert.equal(sorted(out), sorted([...expected]));
});

test('rolling reduce, min and maxBy on numbers at parallelism 4 in 2 slots: final values only, stage after stage', async () => {
  const n = 20_000, keys = 37;
  const env = batchEnv(4, 2);
  const out = await env.fromSequence(1, n).map((x): [number, number] => [x % keys, x]).keyBy((t) => t[0])
    .reduce((a, b) => [a[0], a[1] + b[1]]).executeAndCollect();
  const expected = new Map<number, number>();
  for (let x = 1; x <= n; x++) expected.set(x % keys, (expected.get(x % keys) ?? 0) + x);
  assert.equal(sorted(out), sorted([...expected]));
  const stats = embeddedBatchExecutor.lastRun!.stats;
  assert.is(stats.slots, 2);
  assert.ok(stats.peakRunningSlices <= 2, `at most 2 slices at once, saw ${stats.peakRunningSlices}`);
  assert.is(stats.stages.length, 2);
});

test('event-time windows fire once, complete; session windows merge', async () => {
  const records = Array.from({ length: 3000 }, (_, i) => ({ key: i % 5, t: (i * 37) % 1000, v: 1 }));
  const env = batchEnv(2);
  // Out of order on purpose: in batch nothing is late.
  const ws = WatermarkStrategy.forMonotonousTimestamps<{ key: number; t: number; v: number }>().withTimestampAssigner((r) => r.t);
  const tumbling = await env.fromCollection(records).assignTimestampsAndWatermarks(ws).keyBy((r) => r.key)
    .window(TumblingEventTimeWindows.of(100)).reduce((a, b) => ({ ...a, v: a.v + b.v })).executeAndCollect();
  const expected = new Map<string, number>();
  for (const r of records) { const k = `${r.key}@${Math.floor(r.t / 100)}`; expected.set(k, (expected.get(k) ?? 0) + 1); }
  assert.equal(sorted(tumbling.map((r) => [`${r.key}@${Math.floor(r.t / 100)}`, r.v])), sorted([...expected]));

  const times = [0, 5, 9, 30, 33, 100, 104, 50];
  const sessions = await batchEnv(1).fromCollection(times.map((t) => ({ key: 1, t })))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ key: number; t: number }>().withTimestampAssigner((r) => r.t))
    .keyBy((r) => r.key).window(EventTimeSessionWindows.withGap(10))
    .process({ process(_k: number, ctx: { window: { start: number; end: number } }, els: Iterable<unknown>, out: Collector<[number, number, number]>) {
      out.collect([ctx.window.start, ctx.window.end, [...els].length]);
    } } as never).executeAndCollect();
  // Sorted times 0 5 9 | 30 33 | 50 | 100 104 with gap 10.
  assert.equal(sorted(sessions as unknown as number[][]), sorted([[0, 19, 3], [30, 43, 2], [50, 60, 1], [100, 114, 2]]));
});

class TimerOrder extends KeyedProcessFunction<number, [number, number], string> {
  processElement(value: [number, number], ctx: KeyedContext<number>, out: Collector<string>): void {
    if (ctx.timerService().currentWatermark() !== -Infinity) out.collect(`watermark ${ctx.timerService().currentWatermark()} during input`);
    ctx.timerService().registerEventTimeTimer(value[1] + 1000);
    ctx.timerService().registerProcessingTimeTimer(0);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()} ${ctx.timeDomain()} ${timestamp}`);
  }
}

test("each key's event-time timers fire at the end of its input in timestamp order; processing-time timers never fire", async () => {
  const input: Array<[number, number]> = [[1, 30], [2, 5], [1, 10], [2, 5], [1, 20], [3, 7]];
  const env = batchEnv(1);
  const out = await env.fromCollection(input)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<[number, number]>().withTimestampAssigner((r) => r[1]))
    .keyBy((r) => r[0]).process(new TimerOrder()).executeAndCollect();
  assert.equal(out, [
    '1 event-time 1010', '1 event-time 1020', '1 event-time 1030',
    '2 event-time 1005',
    '3 event-time 1007',
  ]);
});

test('a tiny memory budget spills partitions and sort runs; results stay exact', async () => {
  const n = 30_000, keys = 1000;
  const env = batchEnv(2);
  env.getConfig().setBatchMemoryBytes(64 * 1024);
  const out = await env.fromSequence(1, n).map((x) => ({ k: `key-${(x * 31) % keys}`, x })).keyBy((r) => r.k)
    .reduce((a, b) => ({ k: a.k, x: a.x + b.x })).executeAndCollect();
  const expected = new Map<string, number>();
  for (let x = 1; x <= n; x++) { const k = `key-${(x * 31) % keys}`; expected.set(k, (expected.get(k) ?? 0) + x); }
  assert.equal(sorted(out.map((r) => [r.k, r.x])), sorted([...expected]));
  const stats = embeddedBatchExecutor.lastRun!.stats;
  assert.ok(stats.partitionChunksSpilled > 0, 'partitions spilled');
  assert.ok(stats.spillFiles > 1 && stats.spillBytes > 0, `spill files written: ${stats.spillFiles}`);
});

test('a failure in a later stage re-runs that slice from its persisted inputs: sources read once, output exact', async () => {
  const n = 10_000, keys = 13;
  let sourceReads = 0, seen = 0, failures = 0;
  const env = batchEnv(2).setRestartStrategy(RestartStrategies.fixedDelay(2, 0));
  const out = await env.fromSource(new DataGeneratorSource((i) => i + 1, n), undefined, 'numbers')
    .map((x: number) => { sourceReads++; return x; })
    .keyBy((x) => x % keys).reduce((a, b) => a + b)
    // Stage 2 fails after writing part of its output into the blocking partition of stage 3.
    .rebalance().map((x) => {
      if (failures === 0 && ++seen === 5) { failures++; throw new Error('injected in stage 2'); }
      return x;
    })
    .keyBy((x) => x % 3).reduce((a, b) => a + b)
    .executeAndCollect();
  const perKey = new Map<number, number>();
  for (let x = 1; x <= n; x++) perKey.set(x % keys, (perKey.get(x % keys) ?? 0) + x);
  const expected = new Map<number, number>();
  for (const v of perKey.values()) expected.set(v % 3, (expected.get(v % 3) ?? 0) + v);
  assert.is(failures, 1);
  assert.is(sourceReads, n, 'the first stage ran once');
  assert.equal([...out].sort((a, b) => a - b), [...expected.values()].sort((a, b) => a - b));
  assert.is(embeddedBatchExecutor.lastRun!.stats.sliceRestarts, 1);
});

test('without a restart strategy a failure fails the job with the cause', async () => {
  const env = batchEnv(1);
  env.fromSequence(1, 10).keyBy((x) => x % 2).map(() => { throw new Error('boom'); }).addSink(() => {});
  let failure: any;
  try { await env.execute('failing batch job'); } catch (error) { failure = error; }
  assert.ok(failure, 'the job failed');
  assert.match(String(failure.message), /failing batch job/);
  assert.is(failure.cause?.message, 'boom');
});

test.run();
