// End-to-end: interval joins through the public API, compared with a plain nested loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  StreamExecutionEnvironment, WatermarkStrategy, ProcessJoinFunction, OutputTag, type Collector, type ProcessJoinContext,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';

type Ev = { k: string; id: string; ts: number };

class Pair extends ProcessJoinFunction<Ev, Ev, string> {
  processElement(l: Ev, r: Ev, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(`${l.id}+${r.id}@${ctx.getTimestamp()}`);
  }
}

test('interval join matches a nested loop, random bounds and parallelism', async () => {
  const seed = testSeed('e2e-interval-join');
  const rnd = new Random(seed);
  const lower = rnd.int(-30, 5);
  const upper = lower + rnd.int(0, 40);
  const gen = (p: string, n: number, step: number): Ev[] =>
    Array.from({ length: n }, (_, i) => ({ k: `k${rnd.int(0, 5)}`, id: `${p}${i}`, ts: Math.max(0, i * step + rnd.int(-10, 0)) }));
  const ls = gen('L', 500, 4);
  const rs = gen('R', 400, 5);
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Ev>(10).withTimestampAssigner((e) => e.ts);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(rnd.int(1, 3));
  const out = await env.fromCollection(ls).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k)
    .intervalJoin(env.fromCollection(rs).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k))
    .between(lower, upper)
    .process(new Pair())
    .executeAndCollect();
  const expected: string[] = [];
  for (const l of ls) for (const r of rs) {
    if (l.k === r.k && r.ts >= l.ts + lower && r.ts <= l.ts + upper) expected.push(`${l.id}+${r.id}@${Math.max(l.ts, r.ts)}`);
  }
  assert.equal(out.sort(), expected.sort(), `seed ${seed}: bounds [${lower}, ${upper}]`);
});

test('exclusive bounds', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const left = env.fromElements<Ev>({ k: 'a', id: 'L', ts: 10 }).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
  const right = env.fromElements<Ev>(...[8, 9, 10, 11, 12].map((ts) => ({ k: 'a', id: `R${ts}`, ts }))).assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
  const out = await left.intervalJoin(right).between(-2, 2).lowerBoundExclusive().upperBoundExclusive().process(new Pair()).executeAndCollect();
  assert.equal(out.sort(), ['L+R10@10', 'L+R11@11', 'L+R9@10']);
});


test('a ProcessJoinFunction object is copied per subtask: fields set in open() are not shared', async () => {
  class Opened extends ProcessJoinFunction<Ev, Ev, number> {
    private opens = 0;
    override open(): void { this.opens++; }
    processElement(_l: Ev, _r: Ev, _ctx: ProcessJoinContext, out: Collector<number>): void { out.collect(this.opens); }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const side = (p: string) => env.fromCollection(Array.from({ length: 30 }, (_, i): Ev => ({ k: `k${i % 6}`, id: `${p}${i}`, ts: i })))
    .assignTimestampsAndWatermarks(strategy).keyBy((e) => e.k);
  const out = await side('L').intervalJoin(side('R')).between(0, 0).process(new Opened()).executeAndCollect();
  assert.equal(out, Array.from({ length: 30 }, () => 1));
});

test('late elements of either side reach their late-data side outputs', async () => {
  // One source feeds both sides, so each watermark reaches both inputs of the join before any
  // element emitted after it: elements that go back in time after a watermark are late for sure.
  type Tagged = Ev & { side: 'L' | 'R' };
  const data: Tagged[] = [
    { side: 'L', k: 'a', id: 'L10', ts: 10 }, { side: 'R', k: 'a', id: 'R11', ts: 11 },
    { side: 'L', k: 'a', id: 'L100', ts: 100 }, { side: 'R', k: 'a', id: 'R101', ts: 101 },
    { side: 'L', k: 'a', id: 'Llate', ts: 20 }, { side: 'R', k: 'a', id: 'Rlate', ts: 30 },
    { side: 'L', k: 'a', id: 'L102', ts: 102 },
  ];
  const strategy = WatermarkStrategy.forGenerator<Tagged>(() => ({
    // The watermark 100 goes out with L100, before the elements that follow it.
    onEvent: (e, ts, o) => { if (e.id === 'L100') o.emitWatermark(ts); },
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.ts);
  const leftLate = new OutputTag<Tagged>('left-late');
  const rightLate = new OutputTag<Tagged>('right-late');
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const all = env.fromCollection(data).assignTimestampsAndWatermarks(strategy);
  const side = (s: 'L' | 'R') => all.filter((e) => e.side === s).keyBy((e) => e.k);
  const joined = side('L').intervalJoin(side('R')).between(-5, 5)
    .sideOutputLeftLateData(leftLate).sideOutputRightLateData(rightLate)
    .process(new Pair());
  const out = await joined
    .union(joined.getSideOutput(leftLate).map((e) => `left late ${e.id}`), joined.getSideOutput(rightLate).map((e) => `right late ${e.id}`))
    .executeAndCollect();
  assert.equal(out.sort(), ['L10+R11@11', 'L100+R101@101', 'L102+R101@102', 'left late Llate', 'right late Rlate'].sort());
  assert.throws(() => side('L').intervalJoin(side('R')).between(0, 1).sideOutputLeftLateData(null as never), /OutputTag must not be null/);
  assert.throws(() => side('L').intervalJoin(side('R')).between(0, 1).sideOutputRightLateData(undefined as never), /OutputTag must not be null/);
});

test.run();
