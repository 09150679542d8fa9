// End-to-end: non-keyed windows (windowAll, countWindowAll) through the public API.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, ProcessAllWindowFunction, EventTimeSessionWindows, EventTimeTrigger,
  type Collector, type ProcessWindowContext, type TimeWindow,
} from '../../../api/index.ts';

type Ev = { v: number; ts: number };

test('windowAll gathers every subtask into one window operator', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(3);
  const data = Array.from({ length: 1000 }, (_, i) => ({ v: i, ts: i * 2 }));
  class Sum extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
    process(ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<Ev>, out: Collector<string>): void {
      let s = 0;
      for (const e of elements) s += e.v;
      out.collect(`${ctx.window.start}:${s}`);
    }
  }
  const stream = env.fromCollection(data).rebalance()
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(5).withTimestampAssigner((e) => e.ts));
  const processed = stream.windowAll(TumblingEventTimeWindows.of(500)).process(new Sum());
  const reduced = stream.windowAll(TumblingEventTimeWindows.of(500)).reduce((a, b) => ({ v: a.v + b.v, ts: 0 })).map((e) => `r${e.v}`);
  const out = await processed.union(reduced).executeAndCollect();
  const expected = new Map<number, number>();
  for (const e of data) expected.set(e.ts - (e.ts % 500), (expected.get(e.ts - (e.ts % 500)) ?? 0) + e.v);
  assert.equal(out.sort(), [...[...expected].map(([s, v]) => `${s}:${v}`), ...[...expected.values()].map((v) => `r${v}`)].sort());
});

test('countWindowAll: tumbling and sliding count windows over the whole stream', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const values = Array.from({ length: 10 }, (_, i) => i + 1);
  const tumbling = env.fromCollection(values).countWindowAll(4).reduce((a, b) => a + b);
  const sliding = env.fromCollection(values).countWindowAll(3, 2).apply<string>((_w, input, out) => out.collect([...input].join(',')));
  const out = await tumbling.map((v) => String(v)).union(sliding).executeAndCollect();
  assert.equal(out.sort(), ['10', '26', '1,2', '2,3,4', '4,5,6', '6,7,8', '8,9,10'].sort());
});


test('one ProcessAllWindowFunction object in two pipelines: each window operator has its own copy', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  class Numbered extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
    private opens = 0;
    private fired = 0;
    override open(): void { this.opens++; }
    process(_ctx: ProcessWindowContext<TimeWindow>, _elements: Iterable<Ev>, out: Collector<string>): void { out.collect(`${this.opens}/${++this.fired}`); }
  }
  const fn = new Numbered();
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const data = Array.from({ length: 30 }, (_, i) => ({ v: i, ts: i * 10 }));
  const a = env.fromCollection(data).assignTimestampsAndWatermarks(strategy).windowAll(TumblingEventTimeWindows.of(100)).process(fn);
  const b = env.fromCollection(data).assignTimestampsAndWatermarks(strategy).windowAll(TumblingEventTimeWindows.of(100)).process(fn);
  const out = await a.union(b).executeAndCollect();
  // Shared, the one object would be opened twice and count six windows.
  assert.equal(out.sort(), ['1/1', '1/1', '1/2', '1/2', '1/3', '1/3']);
});

test('windowAll(...).trigger(): a trigger that cannot merge is refused on session windows at the call', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const noMerge = { onElement: () => 'FIRE' as const, onEventTime: () => 'CONTINUE' as const, onProcessingTime: () => 'CONTINUE' as const, clear: () => {}, canMerge: () => false };
  const sessions = () => env.fromElements<Ev>({ v: 1, ts: 1 }).windowAll(EventTimeSessionWindows.withGap<Ev>(10));
  assert.throws(() => sessions().trigger(noMerge), /A merging window assigner cannot be used with a trigger that does not support merging/);
  sessions().trigger(EventTimeTrigger.create<Ev>());
  env.fromElements<Ev>({ v: 1, ts: 1 }).windowAll(TumblingEventTimeWindows.of<Ev>(10)).trigger(noMerge);
});

test.run();
