// End-to-end: interval joins through the public API, compared with a plain nested loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy, ProcessJoinFunction, type Collector, type ProcessJoinContext } from '../../../api/index.ts';
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

test.run();
