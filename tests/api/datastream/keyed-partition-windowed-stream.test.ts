// KeyedStream.fullWindowPartition(): aggregate, reduce and mapPartition over each key's whole
// input, in streaming and batch mode at several parallelisms, against a plain loop (seeded). In
// batch mode `aggregate` folds each producer's records into one accumulator per key before the
// exchange (at most one record per key and producer crosses it); with a tiny memory budget the
// producers send partial accumulators many times (and spill them) and the result stays exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, type RuntimeMode } from '../../../api/index.ts';
import type { AggregateFunction } from '../../../state/state-descriptors.ts';
import { embeddedBatchExecutor } from '../../../actors/runtime/register-embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';

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

const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** Count and sum with an accumulator updated in place (the runtime owns it). */
const countSum: AggregateFunction<Row, Row, Row> = {
  createAccumulator: (): Row => ['', 0, 0],
  add: (r, acc) => { acc[0] = r[0]; acc[1] += r[1]; acc[2] += r[2]; return acc; },
  getResult: (acc) => [acc[0], acc[1], acc[2]],
  merge: (a, b) => [a[0] || b[0], a[1] + b[1], a[2] + b[2]],
};

function env(mode: RuntimeMode, parallelism: number, memoryBytes?: number): StreamExecutionEnvironment {
  const e = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism).setRuntimeMode(mode);
  if (memoryBytes !== undefined) e.getConfig().setBatchMemoryBytes(memoryBytes);
  return e;
}

test('aggregate, reduce and mapPartition per key equal a plain loop, streaming and batch, p1 and p3', async () => {
  const input = rows('full-window-partition', 5_000, 120);
  const expected = sorted(loop(input));
  for (const mode of ['streaming', 'batch'] as const) {
    for (const p of [1, 3]) {
      const keyed = () => env(mode, p).fromCollection(input).keyBy((r) => r[0]).fullWindowPartition();
      assert.equal(sorted(await keyed().aggregate(countSum).executeAndCollect()), expected, `aggregate ${mode} p${p}`);
      assert.equal(sorted(await keyed().reduce((a, b): Row => [a[0], a[1] + b[1], a[2] + b[2]]).executeAndCollect()), expected, `reduce ${mode} p${p}`);
      const perKey = await keyed().mapPartition<Row>((values, out) => {
        let key = '', count = 0, sum = 0;
        for (const [k, c, s] of values) { key = k; count += c; sum += s; }
        out.collect([key, count, sum]);
      }).executeAndCollect();
      assert.equal(sorted(perKey), expected, `mapPartition ${mode} p${p}`);
    }
  }
});

test('batch aggregate: at most one accumulator per key and producer crosses the exchange', async () => {
  const input = rows('full-window-partition-combine', 20_000, 300);
  const out = await env('batch', 3).fromCollection(input).keyBy((r) => r[0]).fullWindowPartition().aggregate(countSum).executeAndCollect();
  assert.equal(sorted(out), sorted(loop(input)));
  const { partitionRecords } = embeddedBatchExecutor.lastRun!.stats;
  assert.ok(partitionRecords <= 3 * 300, `${partitionRecords} records crossed the exchange`);
});

test('batch aggregate under a tiny memory budget: partial accumulators sent many times, spilled, merged exactly', async () => {
  const input = rows('full-window-partition-spill', 20_000, 2_000);
  const out = await env('batch', 2, 16 * 1024).fromCollection(input).keyBy((r) => r[0]).fullWindowPartition().aggregate(countSum).executeAndCollect();
  assert.equal(sorted(out), sorted(loop(input)));
  const { partitionRecords, partitionChunksSpilled } = embeddedBatchExecutor.lastRun!.stats;
  assert.ok(partitionRecords > 2 * 2_000, `the producers flushed more than once (${partitionRecords} partials)`);
  assert.ok(partitionRecords < input.length, `but fewer than the records (${partitionRecords})`);
  assert.ok(partitionChunksSpilled > 0, 'partials were spilled');
});

test('a trigger of its own, or an evictor, is not combined (the window sees every record)', async () => {
  const input = rows('full-window-partition-trigger', 3_000, 40);
  const out = await env('batch', 2).fromCollection(input).keyBy((r) => r[0]).countWindow(1_000_000)
    .aggregate(countSum).executeAndCollect();
  assert.equal(out, [], 'a count window that never fills emits nothing');
  assert.is(embeddedBatchExecutor.lastRun!.stats.partitionRecords, input.length);
});

test.run();
