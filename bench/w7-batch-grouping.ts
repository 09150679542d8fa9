// W7 — batch grouping: count and sum per key over N records with many distinct keys (N/10),
// keyBy + reduce in BATCH mode, end to end through env.execute() on the embedded mini cluster.
// Two figures: batch against a plain loop with a Map (target >= 0.5), and batch against the same
// job in STREAMING mode, where the reduce emits every update and the sink keeps the last per key
// (target >= 1.5x). Size: W7_RECORDS (default 200k; the 10M/1M keys is too slow for a
// shared 2-core machine); parallelism: W7_PARALLELISM (default 2; the target is stated at
// 1). A third figure runs the same count and sum as `keyBy(...).fullWindowPartition().aggregate(fn)`
// with an AggregateFunction whose accumulator is updated in place (Flink's idiom for aggregating
// a whole key), which batch mode folds per key before the exchange without allocating per record.
// W7_MEMORY_MB sets the batch memory budget (default the runtime's 64 MiB; at the 10M
// records and 1M keys the accumulators need more, or the combine step flushes and sorts partials).
// Imports the public API and the harness.
import { StreamExecutionEnvironment, type AggregateFunction } from '../api/index.ts';
import { benchmark } from './harness.ts';

const RECORDS = Number(process.env.W7_RECORDS ?? 200_000);
const KEYS = Math.max(1, Math.floor(RECORDS / 10));
const PARALLELISM = Number(process.env.W7_PARALLELISM ?? 2);
const MEMORY = process.env.W7_MEMORY_MB === undefined ? undefined : Number(process.env.W7_MEMORY_MB) * 1024 * 1024;
console.log(`w7: ${RECORDS} records, ${KEYS} keys, parallelism ${PARALLELISM}`);

/** [key, count, sum] */
type Agg = [number, number, number];
let input: Agg[] = [];
let expected = new Map<number, [number, number]>();

/** The job in either mode; the sink keeps the last value per key, which in batch mode is the only one. */
async function runJob(mode: 'batch' | 'streaming'): Promise<number> {
  const env = environment(mode);
  const result = new Map<number, Agg>();
  env.fromCollection(input).keyBy((r) => r[0]).reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]]).addSink((r) => { result.set(r[0], r); });
  await env.execute(`w7-${mode}`);
  check(result, mode);
  return input.length;
}

function environment(mode: 'batch' | 'streaming'): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(PARALLELISM).setRuntimeMode(mode);
  if (MEMORY !== undefined) env.getConfig().setBatchMemoryBytes(MEMORY);
  return env;
}

/** Count and sum per key with an accumulator the runtime owns: [key, count, sum], updated in place. */
const countSum: AggregateFunction<Agg, Agg, Agg> = {
  createAccumulator: (): Agg => [0, 0, 0],
  add: (r, acc) => { acc[0] = r[0]; acc[1] += r[1]; acc[2] += r[2]; return acc; },
  getResult: (acc) => acc,
  merge: (a, b) => [b[0], a[1] + b[1], a[2] + b[2]],
};

/** The aggregate form of the job (batch mode). */
async function runAggregate(): Promise<number> {
  const result = new Map<number, Agg>();
  const env = environment('batch');
  env.fromCollection(input).keyBy((r) => r[0]).fullWindowPartition().aggregate(countSum).addSink((r) => { result.set(r[0], r); });
  await env.execute('w7-aggregate');
  check(result, 'aggregate');
  return input.length;
}

function check(result: Map<number, Agg>, who: string): void {
  if (result.size !== expected.size) throw new Error(`${who}: ${result.size} keys, expected ${expected.size}`);
  for (const [k, [count, sum]] of expected) {
    const r = result.get(k);
    if (!r || r[1] !== count || r[2] !== sum) throw new Error(`${who}: key ${k} has ${r?.slice(1)}, expected ${count},${sum}`);
  }
}

function setup(): void {
  if (input.length > 0) return;
  // A fixed linear congruential sequence: the same keys and values in every run.
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  input = Array.from({ length: RECORDS }, (): Agg => [next() % KEYS, 1, next() % 1000]);
  expected = new Map();
  for (const [k, c, v] of input) { const e = expected.get(k); if (e) { e[0] += c; e[1] += v; } else expected.set(k, [c, v]); }
}

/** The baseline: count and sum per key in a plain Map, updated in place. */
function loop(): number {
  const m = new Map<number, Agg>();
  for (const r of input) { const e = m.get(r[0]); if (e) { e[1] += r[1]; e[2] += r[2]; } else m.set(r[0], [r[0], r[1], r[2]]); }
  check(m, 'loop');
  return input.length;
}

benchmark('w7-batch-grouping-vs-loop', {
  records: RECORDS,
  setup,
  baseline: loop,
  subject: () => runJob('batch'),
});

benchmark('w7-batch-grouping-vs-streaming', {
  records: RECORDS,
  setup,
  baseline: () => runJob('streaming'),
  subject: () => runJob('batch'),
});

benchmark('w7-batch-aggregate-vs-loop', {
  records: RECORDS,
  setup,
  baseline: loop,
  subject: runAggregate,
});
