// W1 records as a keyed rolling count: 1M records `{ key: 'k' + (i % 1000), value: i, ts }`
// through keyBy (a real network exchange: batches, credits, key-group routing) into a keyed
// operator holding a count per key in ValueState, emitting every update; parallelism 1, end to
// end through env.execute(). Baseline: a plain loop over the same array with a Map.
// Imports the public API and the harness.
import {
  KeyedProcessFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type KeyedContext,
  type RuntimeContext, type ValueState,
} from '../api/index.ts';
import { benchmark } from './harness.ts';

const RECORDS = 1_000_000;
const T0 = 1_700_000_000_000;
interface Rec { key: string; value: number; ts: number }
let input: Rec[] = [];

class RollingCount extends KeyedProcessFunction<string, Rec, number> {
  private count!: ValueState<number>;
  open(ctx: RuntimeContext): void { this.count = ctx.getState(new ValueStateDescriptor<number>('count')); }
  processElement(_r: Rec, _ctx: KeyedContext<string>, out: Collector<number>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect(n);
  }
}

benchmark('w1-keyed-rolling-count', {
  records: RECORDS,
  setup() {
    input = Array.from({ length: RECORDS }, (_, i) => ({ key: 'k' + (i % 1000), value: i, ts: T0 + Math.floor(i / 10) }));
  },
  baseline() {
    const counts = new Map<string, number>();
    let updates = 0, total = 0;
    for (let i = 0; i < input.length; i++) {
      const k = input[i].key;
      const n = (counts.get(k) ?? 0) + 1;
      counts.set(k, n);
      updates++;
      if (n === 1000) total += n;
    }
    if (total !== RECORDS) throw new Error('baseline: wrong counts');
    return updates;
  },
  async subject() {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    let updates = 0, total = 0;
    env.fromCollection(input).keyBy((r) => r.key).process(new RollingCount()).addSink((n) => { updates++; if (n === 1000) total += n; });
    await env.execute('w1');
    if (total !== RECORDS) throw new Error(`subject: wrong counts (${total})`);
    return updates;
  },
});
