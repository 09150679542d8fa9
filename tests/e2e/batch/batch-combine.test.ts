// The combine step of batch rolling reduces, end to end: a keyBy into a reduce (or a field
// aggregation) at parallelism 3 sends at most one record per key and producer through its
// blocking partition, and the result equals a plain loop; with timestamped records the producers
// stop folding and the result stays exact; a keyBy into any other keyed operator is not combined.
// Seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedProcessFunction, StreamExecutionEnvironment, WatermarkStrategy, type Collector, type KeyedContext } from '../../../api/index.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';

const batchEnv = (p: number) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p).setRuntimeMode('batch');
const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

type Row = [key: string, count: number, sum: number];

function rows(seed: string, n: number, keys: number): Row[] {
  const random = new Random(testSeed(seed));
  return Array.from({ length: n }, (): Row => [`k${random.int(0, keys - 1)}`, 1, random.int(-500, 500)]);
}

function loop(input: readonly Row[]): Row[] {
  const m = new Map<string, Row>();
  for (const [k, c, s] of input) { const e = m.get(k); if (e) { e[1] += c; e[2] += s; } else m.set(k, [k, c, s]); }
  return [...m.values()];
}

test('a keyBy into a rolling reduce crosses one record per key and producer; the result equals the loop', async () => {
  const input = rows('batch-combine-reduce', 20_000, 300);
  const out = await batchEnv(3).fromSequence(0, input.length - 1).map((i) => input[i]).keyBy((r) => r[0])
    .reduce((a, b): Row => [a[0], a[1] + b[1], a[2] + b[2]]).executeAndCollect();
  assert.equal(sorted(out), sorted(loop(input)));
  const { partitionRecords, stages } = embeddedBatchExecutor.lastRun!.stats;
  assert.is(stages.length, 2);
  assert.ok(partitionRecords <= 3 * 300, `${partitionRecords} records crossed the exchange`);
});

test('a field aggregation is combined too', async () => {
  const input = rows('batch-combine-sum', 9_000, 50);
  const out = await batchEnv(3).fromSequence(0, input.length - 1).map((i) => input[i]).keyBy((r) => r[0]).sum(2).executeAndCollect();
  const expected = new Map(loop(input).map((r) => [r[0], r[2]]));
  assert.equal(new Map(out.map((r) => [r[0], r[2]])), expected);
  assert.ok(embeddedBatchExecutor.lastRun!.stats.partitionRecords <= 3 * 50);
});

test('timestamped records are not folded before the exchange; the result stays exact', async () => {
  const input = rows('batch-combine-timed', 6_000, 40);
  const out = await batchEnv(3).fromSequence(0, input.length - 1).map((i) => input[i])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Row>().withTimestampAssigner((r) => 1000 + r[2]))
    .keyBy((r) => r[0]).reduce((a, b): Row => [a[0], a[1] + b[1], a[2] + b[2]]).executeAndCollect();
  assert.equal(sorted(out), sorted(loop(input)));
  assert.is(embeddedBatchExecutor.lastRun!.stats.partitionRecords, input.length);
});

/** Emits each record's sum: a keyed operator that is not a rolling reduce. */
class EachSum extends KeyedProcessFunction<string, Row, number> {
  processElement(value: Row, _ctx: KeyedContext<string>, out: Collector<number>): void { out.collect(value[2]); }
}

test('a keyBy into another keyed operator sends every record', async () => {
  const input = rows('batch-combine-process', 3_000, 20);
  const out = await batchEnv(2).fromSequence(0, input.length - 1).map((i) => input[i]).keyBy((r) => r[0])
    .process(new EachSum()).executeAndCollect();
  assert.is(out.length, input.length);
  assert.is(embeddedBatchExecutor.lastRun!.stats.partitionRecords, input.length);
});

test.run();
