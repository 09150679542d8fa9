// W1 of BENCH.md: 1M records `{ key: 'k' + (i % 1000), value: i, ts: T0 + floor(i / 10) }`,
// count per key per 1-second tumbling event-time window (monotonous watermarks), end to end
// through env.execute() at parallelism 1 with the keyBy exchange; checks 100,000 rows and a total
// count of 1,000,000. Also the same count over sliding 10 s / 1 s windows (each record in ten
// windows). Baselines: plain loops with a Map over the same array, in the same process, that
// exploit the in-order timestamps (one open window, or a ring of panes, per key).
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

/**
 * The plain-loop reference for tumbling windows (BENCH.md's anchor): timestamps are in order, so
 * each key has one open window in a Map, emitted when the key's next record starts a new one.
 */
function plainTumbling(size: number, expectedRows: number): number {
  const open = new Map<string, { start: number; n: number }>();
  let rows = 0;
  let total = 0;
  for (let i = 0; i < input.length; i++) {
    const r = input[i];
    const start = r.ts - (r.ts % size);
    const w = open.get(r.key);
    if (w === undefined) open.set(r.key, { start, n: 1 });
    else if (w.start === start) w.n++;
    else { rows++; total += w.n; w.start = start; w.n = 1; }
  }
  for (const w of open.values()) { rows++; total += w.n; }
  if (rows !== expectedRows || total !== RECORDS) throw new Error(`baseline: wrong output ${rows} rows, total ${total}`);
  return total;
}

/**
 * The plain-loop reference for sliding windows: per key, counts of the last size/slide panes in
 * a ring; when a key moves to a later pane, every window ending in between is emitted.
 */
function plainSliding(size: number, slide: number, expectedRows: number): number {
  const panes = size / slide;
  const open = new Map<string, { pane: number; counts: number[] }>();
  let rows = 0;
  let total = 0;
  const emitUpTo = (w: { pane: number; counts: number[] }, pane: number): void => {
    // Close panes w.pane .. pane - 1: each closing pane ends one window (the sum of the ring).
    for (; w.pane < pane; w.pane++) {
      let sum = 0;
      for (let j = 0; j < panes; j++) sum += w.counts[j];
      if (sum > 0) { rows++; total += sum; }
      w.counts[(w.pane + 1) % panes] = 0;
      if (sum === 0) { w.pane = pane; break; }
    }
  };
  for (let i = 0; i < input.length; i++) {
    const r = input[i];
    const pane = Math.floor(r.ts / slide);
    let w = open.get(r.key);
    if (w === undefined) { w = { pane, counts: new Array<number>(panes).fill(0) }; open.set(r.key, w); }
    else if (pane > w.pane) emitUpTo(w, pane);
    w.counts[pane % panes]++;
  }
  for (const w of open.values()) emitUpTo(w, w.pane + panes);
  if (rows !== expectedRows || total !== RECORDS * panes) throw new Error(`baseline: wrong output ${rows} rows, total ${total}`);
  return total / panes;
}

function setup(): void {
  if (input.length === 0) input = Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % KEYS), value: i, ts: T0 + Math.floor(i / 10) }));
}

// 100 s of event time: 100 tumbling windows per key; 109 sliding windows per key.
benchmark('w1-windowed-count', {
  records: RECORDS,
  setup,
  baseline: () => plainTumbling(1000, KEYS * 100),
  subject: () => windowedCount(TumblingEventTimeWindows.of<Rec>(1000), KEYS * 100, 1),
});

benchmark('w1-windowed-count-sliding', {
  records: RECORDS,
  setup,
  baseline: () => plainSliding(10_000, 1000, KEYS * 109),
  subject: () => windowedCount(SlidingEventTimeWindows.of<Rec>(10_000, 1000), KEYS * 109, 10),
});
