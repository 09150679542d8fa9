// W7 — batch grouping: count and sum per key over N records with many distinct keys (N/10),
// keyBy + reduce in BATCH mode, end to end through env.execute() on the embedded mini cluster.
// Two figures: batch against a plain loop with a Map (target >= 0.5), and batch against the same
// job in STREAMING mode, where the reduce emits every update and the sink keeps the last per key
// (target >= 1.5x). Size: W7_RECORDS (default 200k; the 10M/1M keys is too slow for a
// shared 2-core machine); parallelism: W7_PARALLELISM (default 2; the target is stated at
// 1). Imports the public API and the harness.
import { StreamExecutionEnvironment } from '../api/index.ts';
import { benchmark } from './harness.ts';

const RECORDS = Number(process.env.W7_RECORDS ?? 200_000);
const KEYS = Math.max(1, Math.floor(RECORDS / 10));
const PARALLELISM = Number(process.env.W7_PARALLELISM ?? 2);
console.log(`w7: ${RECORDS} records, ${KEYS} keys, parallelism ${PARALLELISM}`);

/** [key, count, sum] */
type Agg = [number, number, number];
let input: Agg[] = [];
let expected = new Map<number, [number, number]>();

/** The job in either mode; the sink keeps the last value per key, which in batch mode is the only one. */
async function runJob(mode: 'batch' | 'streaming'): Promise<number> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(PARALLELISM).setRuntimeMode(mode);
  const result = new Map<number, Agg>();
  env.fromCollection(input).keyBy((r) => r[0]).reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]]).addSink((r) => { result.set(r[0], r); });
  await env.execute(`w7-${mode}`);
  check(result, mode);
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

benchmark('w7-batch-grouping-vs-loop', {
  records: RECORDS,
  setup,
  baseline() {
    const m = new Map<number, Agg>();
    for (const r of input) { const e = m.get(r[0]); if (e) { e[1] += r[1]; e[2] += r[2]; } else m.set(r[0], [r[0], r[1], r[2]]); }
    check(m, 'loop');
    return input.length;
  },
  subject: () => runJob('batch'),
});

benchmark('w7-batch-grouping-vs-streaming', {
  records: RECORDS,
  setup,
  baseline: () => runJob('streaming'),
  subject: () => runJob('batch'),
});
