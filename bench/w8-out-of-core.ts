// W8 — out of core: the W7 batch grouping (count and sum per key, N/10 keys) with a batch memory
// budget of 1/10 of the data's estimated size, so the sorting reduce and the blocking partitions
// spill to local files, against the same job with a budget that holds all of it (target >= 0.3).
// Peak RSS growth over each run's start is sampled every 5 ms and printed after the figures.
// Size: W8_RECORDS (default 200k), keys W8_KEYS (default N/10; the batch reduce's combine step
// folds each key's records before the exchange, so with few keys little is left to spill: the
// spill figures of the last out-of-core run are printed). Imports the public API, the embedded
// batch executor (its run's spill figures), the size estimate and the harness.
import { embeddedBatchExecutor } from '../actors/runtime/register-embedded-executor.ts';
import { StreamExecutionEnvironment } from '../api/index.ts';
import { estimateBytes } from '../api/operators/key-order.ts';
import { benchmark } from './harness.ts';

const RECORDS = Number(process.env.W8_RECORDS ?? 200_000);
const KEYS = Number(process.env.W8_KEYS ?? Math.max(1, Math.floor(RECORDS / 10)));

/** [key, count, sum] */
type Agg = [number, number, number];
let input: Agg[] = [];
let expected = new Map<number, [number, number]>();
let dataBytes = 0;
const peakRss = { 'in-memory': 0, 'out-of-core': 0 };

async function runJob(side: keyof typeof peakRss, memoryBytes: number): Promise<number> {
  // RSS is the process's, which keeps the other side's freed heap: the figure is the growth over the run's start.
  const start = process.memoryUsage.rss();
  const sampler = setInterval(() => { peakRss[side] = Math.max(peakRss[side], process.memoryUsage.rss() - start); }, 5);
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2).setRuntimeMode('batch');
    env.getConfig().setBatchMemoryBytes(memoryBytes);
    const result = new Map<number, Agg>();
    env.fromCollection(input).keyBy((r) => r[0]).reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]]).addSink((r) => { result.set(r[0], r); });
    await env.execute(`w8-${side}`);
    if (result.size !== expected.size) throw new Error(`${side}: ${result.size} keys, expected ${expected.size}`);
    for (const [k, [count, sum]] of expected) {
      const r = result.get(k);
      if (!r || r[1] !== count || r[2] !== sum) throw new Error(`${side}: key ${k} has ${r?.slice(1)}, expected ${count},${sum}`);
    }
    return input.length;
  } finally {
    clearInterval(sampler);
  }
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

benchmark('w8-out-of-core', {
  records: RECORDS,
  setup() {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    input = Array.from({ length: RECORDS }, (): Agg => [next() % KEYS, 1, next() % 1000]);
    expected = new Map();
    for (const [k, c, v] of input) { const e = expected.get(k); if (e) { e[0] += c; e[1] += v; } else expected.set(k, [c, v]); }
    // As the sorter counts a buffered record: a fixed overhead, the value and the key.
    dataBytes = input.reduce((n, r) => n + 64 + estimateBytes(r) + 8, 0);
    console.log(`w8: ${RECORDS} records, ${KEYS} keys, ~${mib(dataBytes)} estimated; budget ${mib(dataBytes / 10)} vs ${mib(dataBytes * 4)}`);
  },
  teardown() {
    console.log(`w8: peak RSS growth during a run: in-memory ${mib(peakRss['in-memory'])}, out-of-core ${mib(peakRss['out-of-core'])}`);
    const stats = embeddedBatchExecutor.lastRun?.stats;
    if (stats) console.log(`w8: last out-of-core run: ${stats.partitionRecords} records through blocking partitions, ${stats.partitionChunksSpilled} chunks spilled, ${stats.spillFiles} spill files, ${mib(stats.spillBytes)} spilled`);
  },
  baseline: () => runJob('in-memory', dataBytes * 4),
  subject: () => runJob('out-of-core', Math.max(1, Math.floor(dataBytes / 10))),
});
