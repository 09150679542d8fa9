// W1 of BENCH.md: 1M records `{ key: 'k' + (i % 1000), value: i, ts: T0 + floor(i / 10) }`,
// count per key per 1-second tumbling event-time window (monotonous watermarks), end to end
// through env.execute() at parallelism 1 with the keyBy exchange; checks 100,000 rows and a total
// count of 1,000,000. Also the same count over sliding 10 s / 1 s windows (each record in ten
// windows). Baselines: plain loops with a Map over the same array, in the same process.
// Imports the public API and the harness.
import {
  SlidingEventTimeWindows, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy,
  type AggregateFunction, type Collector, type TimeWindow, type WindowAssigner,
} from '../api/index.ts';
import { benchmark } from './harness.ts';

const RECORDS = 1_000_000;
const KEYS = 1000;
const T0 = 1_700_000_000_000;
interface Rec { key: string; value: number; ts: number }
let input: Rec[] = [];

const count: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (_r, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** Runs the windowed count through the runtime; returns the records counted (checked). */
async function windowedCount(assigner: WindowAssigner<Rec, TimeWindow>, expectedRows: number, windowsPerRecord: number): Promise<number> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  let rows = 0;
  let total = 0;
  env.fromCollection(input)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts))
    .keyBy((r) => r.key)
    .window(assigner)
    .aggregate(count, (key: string, w: TimeWindow, counts: Iterable<number>, out: Collector<[string, number, number]>) => {
      for (const n of counts) out.collect([key, w.start, n]);
    })
    .addSink((row) => { rows++; total += row[2]; });
  await env.execute('w1-windowed-count');
  if (rows !== expectedRows || total !== RECORDS * windowsPerRecord) throw new Error(`wrong output: ${rows} rows, total ${total}`);
  return total / windowsPerRecord;
}

/** The plain-loop reference: a Map from key and window start to a count. */
function plainLoop(size: number, slide: number, expectedRows: number): number {
  const counts = new Map<string, Map<number, number>>();
  for (let i = 0; i < input.length; i++) {
    const r = input[i];
    let perKey = counts.get(r.key);
    if (perKey === undefined) { perKey = new Map(); counts.set(r.key, perKey); }
    const last = r.ts - (r.ts % slide);
    for (let start = last; start > r.ts - size; start -= slide) perKey.set(start, (perKey.get(start) ?? 0) + 1);
  }
  let rows = 0;
  let total = 0;
  for (const perKey of counts.values()) for (const n of perKey.values()) { rows++; total += n; }
  if (rows !== expectedRows || total !== RECORDS * (size / slide)) throw new Error(`baseline: wrong output ${rows} rows, total ${total}`);
  return total / (size / slide);
}

function setup(): void {
  if (input.length === 0) input = Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % KEYS), value: i, ts: T0 + Math.floor(i / 10) }));
}

// 100 s of event time: 100 tumbling windows per key; 109 sliding windows per key.
benchmark('w1-windowed-count', {
  records: RECORDS,
  setup,
  baseline: () => plainLoop(1000, 1000, KEYS * 100),
  subject: () => windowedCount(TumblingEventTimeWindows.of<Rec>(1000), KEYS * 100, 1),
});

benchmark('w1-windowed-count-sliding', {
  records: RECORDS,
  setup,
  baseline: () => plainLoop(10_000, 1000, KEYS * 109),
  subject: () => windowedCount(SlidingEventTimeWindows.of<Rec>(10_000, 1000), KEYS * 109, 10),
});
