// W1 of BENCH.md with exactly-once checkpoints: the 1M-record count per key per 1-second tumbling
// event-time window (as w1-windowed-count), through env.execute() at parallelism 1, with
// `enableCheckpointing(1000)` on the `kv` backend (checkpoint storage in a fresh temporary
// directory per run, removed afterwards) against the same job without checkpoints, measured in the
// same run (target: ratio >= 0.8). The job may end before its first 1 s checkpoint, so a second
// figure checkpoints every 100 ms and prints how many checkpoints completed per run.
// Imports the public API, the embedded executor (completed checkpoint id, failover causes) and the harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy,
  type AggregateFunction, type Collector, type TimeWindow,
} from '../api/index.ts';
import { embeddedExecutor } from '../actors/runtime/embedded-executor.ts';
import { benchmark, median } from './harness.ts';

const RECORDS = 1_000_000;
const KEYS = 1000;
const T0 = 1_700_000_000_000;
const RUNS = 5;
const WARMUP = 1;
interface Rec { key: string; value: number; ts: number }
let input: Rec[] = [];

const count: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (_r, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/**
 * Runs the tumbling windowed count; with `intervalMs`, checkpoints on the kv backend into a
 * temporary directory. Returns the records counted (checked) and the last completed checkpoint id.
 */
async function windowedCount(intervalMs?: number): Promise<{ records: number; checkpoints: number }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const dir = intervalMs === undefined ? undefined : mkdtempSync(join(tmpdir(), 'actorflow-bench-w1cp-'));
  if (dir !== undefined) env.enableCheckpointing(intervalMs!).setStateBackend('kv').setCheckpointStorage(dir);
  let rows = 0;
  let total = 0;
  env.fromCollection(input)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts))
    .keyBy((r) => r.key)
    .window(TumblingEventTimeWindows.of<Rec>(1000))
    .aggregate(count, (key: string, w: TimeWindow, counts: Iterable<number>, out: Collector<[string, number, number]>) => {
      for (const n of counts) out.collect([key, w.start, n]);
    })
    .addSink((row) => { rows++; total += row[2]; });
  try {
    await env.execute('w1-checkpointed');
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  const master = embeddedExecutor.lastJobMaster;
  if (rows !== KEYS * 100 || total !== RECORDS) {
    // A restart replays records into this sink, which is not transactional: name the failure.
    const failures = master?.failover.failures ?? [];
    const cause = failures.length > 0 ? `; failover after: ${failures.map((f) => f.split('\n')[0]).join(' | ')}` : '';
    throw new Error(`wrong output: ${rows} rows, total ${total}${cause}`);
  }
  const checkpoints = intervalMs === undefined ? 0 : master?.checkpointing.latestCompletedId ?? 0;
  return { records: total, checkpoints };
}

/** A subject that checkpoints every `intervalMs` and, after its last run, prints the checkpoints completed. */
function checkpointed(name: string, intervalMs: number): () => Promise<number> {
  const completed: number[] = [];
  return async () => {
    const { records, checkpoints } = await windowedCount(intervalMs);
    completed.push(checkpoints);
    if (completed.length === WARMUP + RUNS) {
      const measured = completed.slice(WARMUP);
      console.log(`${name}: checkpoints completed per run ${median(measured)} (median; runs: ${measured.join(', ')})`);
    }
    return records;
  };
}

function setup(): void {
  if (input.length === 0) input = Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % KEYS), value: i, ts: T0 + Math.floor(i / 10) }));
}

const withoutCheckpoints = async (): Promise<number> => (await windowedCount()).records;

benchmark('w1-checkpointed', {
  records: RECORDS, setup, runs: RUNS, warmup: WARMUP,
  baseline: withoutCheckpoints,
  subject: checkpointed('w1-checkpointed', 1000),
});

benchmark('w1-checkpointed-100ms', {
  records: RECORDS, setup, runs: RUNS, warmup: WARMUP,
  baseline: withoutCheckpoints,
  subject: checkpointed('w1-checkpointed-100ms', 100),
});
