// The W1 pipeline shared by the W1 job files: records `{ key: 'k' + (i % 1000), value: i,
// ts: T0 + floor(i / 10) }` from a generator source, counted per key per 1-second tumbling
// event-time window. The output is checked through counters: `rows` (100,000) and `total`
// (1,000,000) in the job's result. The job files choose how the source splits the records.
import {
  DataGeneratorSource, ProcessFunction, TumblingEventTimeWindows, WatermarkStrategy,
  type AggregateFunction, type Collector, type RuntimeContext, type StreamExecutionEnvironment, type TimeWindow,
} from '../../api/index.ts';

/** Records per run. */
export const RECORDS = 1_000_000;
/** Distinct keys. */
export const KEYS = 1000;
const T0 = 1_700_000_000_000;

/** One W1 record. */
export interface Rec { key: string; value: number; ts: number }

/** The W1 record with index `i`. */
export function record(i: number): Rec {
  return { key: 'k' + (i % KEYS), value: i, ts: T0 + Math.floor(i / 10) };
}

const count: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (_r, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** Counts the rows and the total of the window counts into the job's accumulators. */
class CheckOutput extends ProcessFunction<[string, number, number], never> {
  private rows!: { add(n: number): void };
  private total!: { add(n: number): void };
  open(ctx: RuntimeContext): void { this.rows = ctx.getLongCounter('rows'); this.total = ctx.getLongCounter('total'); }
  processElement(row: [string, number, number]): void { this.rows.add(1); this.total.add(row[2]); }
}

/** source -> keyBy(key) -> 1 s tumbling event-time window count -> output check. */
export function buildWindowedCount(env: StreamExecutionEnvironment, source: DataGeneratorSource<Rec>): void {
  env.fromSource(source, WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts), 'records')
    .keyBy((r) => r.key)
    .window(TumblingEventTimeWindows.of<Rec>(1000))
    .aggregate(count, (key: string, w: TimeWindow, counts: Iterable<number>, out: Collector<[string, number, number]>) => {
      for (const n of counts) out.collect([key, w.start, n]);
    })
    .process(new CheckOutput())
    .addSink(() => {});
}
