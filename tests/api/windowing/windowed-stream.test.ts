// End-to-end: windows through the public API (env.execute on the embedded runtime), compared
// with plain-loop expectations. Watermarks cross keyBy and union, at random parallelism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, SlidingEventTimeWindows,
  EventTimeSessionWindows, ProcessWindowFunction, OutputTag, DataGeneratorSource, ManualClock,
  CountTrigger, PurgingTrigger, GlobalWindows, EventTimeTrigger, ContinuousEventTimeTrigger, ValueStateDescriptor, Trigger,
  type TriggerResult, type Collector, type ProcessWindowContext, type TimeWindow,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';
import { assignKeyToParallelOperator, DEFAULT_MAX_PARALLELISM } from '../../../state/key-groups.ts';

type Ev = { key: string; v: number; ts: number };

/** Events with timestamps out of order by at most `disorder`. */
function events(rnd: Random, n: number, keys: number, disorder: number): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < n; i++) out.push({ key: `k${rnd.int(0, keys - 1)}`, v: i, ts: Math.max(0, i * 3 + rnd.int(-disorder, 0)) });
  return out;
}

const strategy = (disorder: number) => WatermarkStrategy.forBoundedOutOfOrderness<Ev>(disorder).withTimestampAssigner((e) => e.ts);

test('tumbling counts per key over a union of two sources, random parallelism', async () => {
  const seed = testSeed('e2e-tumbling');
  const rnd = new Random(seed);
  const parallelism = rnd.int(1, 4);
  const a = events(rnd, 3000, 13, 20);
  const b = events(rnd, 2000, 13, 20);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism);
  const left = env.fromCollection(a).assignTimestampsAndWatermarks(strategy(20));
  const right = env.fromCollection(b).assignTimestampsAndWatermarks(strategy(20));
  const out = await left.union(right)
    .map((e) => ({ key: e.key, count: 1, end: 0 }))
    .keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(100))
    .reduce((x, y) => ({ key: x.key, count: x.count + y.count, end: 0 }),
      (key: string, w: TimeWindow, input: Iterable<{ key: string; count: number }>, collector: Collector<string>) => {
        for (const r of input) collector.collect(`${key}|${w.start}|${r.count}`);
      })
    .executeAndCollect();
  const expected = new Map<string, number>();
  for (const e of [...a, ...b]) {
    const id = `${e.key}|${e.ts - (e.ts % 100)}`;
    expected.set(id, (expected.get(id) ?? 0) + 1);
  }
  assert.equal(out.sort(), [...expected].map(([id, n]) => `${id}|${n}`).sort(), `seed ${seed}, parallelism ${parallelism}`);
});

test('sliding aggregate and session process windows, random parallelism', async () => {
  const seed = testSeed('e2e-sliding-session');
  const rnd = new Random(seed);
  const parallelism = rnd.int(1, 4);
  const data = events(rnd, 2000, 7, 10);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism);
  const stream = env.fromCollection(data).assignTimestampsAndWatermarks(strategy(10));
  const sum = { createAccumulator: () => 0, add: (e: Ev, acc: number) => acc + e.v, getResult: (acc: number) => acc, merge: (x: number, y: number) => x + y };
  const sliding = stream.keyBy((e) => e.key).window(SlidingEventTimeWindows.of(300, 100))
    .aggregate(sum, (key: string, w: TimeWindow, input: Iterable<number>, o: Collector<string>) => o.collect(`${key}|${w.start}|${[...input][0]}`));
  class Sessions extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<Ev>, o: Collector<string>): void {
      o.collect(`${key}|${ctx.window.start}|${ctx.window.end}|${[...elements].length}`);
    }
  }
  const sessions = stream.keyBy((e) => e.key).window(EventTimeSessionWindows.withGap(40)).process(new Sessions());
  const tag = (s: string) => (x: string) => `${s}:${x}`;
  const out = await sliding.map(tag('S')).union(sessions.map(tag('G'))).executeAndCollect();

  const expected: string[] = [];
  const slides = new Map<string, number>();
  for (const e of data) for (let s = e.ts - (e.ts % 100); s > e.ts - 300; s -= 100) slides.set(`${e.key}|${s}`, (slides.get(`${e.key}|${s}`) ?? 0) + e.v);
  for (const [id, v] of slides) expected.push(`S:${id}|${v}`);
  const byKey = new Map<string, number[]>();
  for (const e of data) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.ts]);
  for (const [key, tss] of byKey) {
    tss.sort((x, y) => x - y);
    let start = tss[0], end = start + 40, n = 0;
    for (const t of tss) {
      if (t > end) { expected.push(`G:${key}|${start}|${end}|${n}`); start = t; end = t + 40; n = 0; }
      end = Math.max(end, t + 40);
      n++;
    }
    expected.push(`G:${key}|${start}|${end}|${n}`);
  }
  assert.equal(out.sort(), expected.sort(), `seed ${seed}, parallelism ${parallelism}`);
});

test('count windows per key, and late data to a side output', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const data = Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 3}`, v: i, ts: i }));
  const counts = await env.fromCollection(data).keyBy((e) => e.key).countWindow(5)
    .reduce((x, y) => ({ key: x.key, v: x.v + y.v, ts: 0 })).executeAndCollect();
  const expected: string[] = [];
  for (let k = 0; k < 3; k++) {
    const vs = data.filter((e) => e.key === `k${k}`).map((e) => e.v);
    for (let i = 0; i + 5 <= vs.length; i += 5) expected.push(`k${k}=${vs.slice(i, i + 5).reduce((x, y) => x + y, 0)}`);
  }
  assert.equal(counts.map((e) => `${e.key}=${e.v}`).sort(), expected.sort());

  // A watermark far ahead makes the trailing elements late: monotonous watermarks on a stream
  // whose last elements go back in time.
  const late = new OutputTag<Ev>('late');
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment();
  const seq: Ev[] = [{ key: 'a', v: 1, ts: 10 }, { key: 'a', v: 2, ts: 5000 }];
  const lateSeq: Ev[] = [{ key: 'a', v: 3, ts: 20 }];
  const strategy2 = WatermarkStrategy.forGenerator<Ev>(() => ({
    onEvent: (e, ts, o) => { if (e.v === 2) o.emitWatermark(ts); },
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.ts);
  const windowed = env2.fromCollection([...seq, ...lateSeq]).assignTimestampsAndWatermarks(strategy2)
    .keyBy((e) => e.key).window(TumblingEventTimeWindows.of(100)).sideOutputLateData(late)
    .reduce((x, y) => ({ key: x.key, v: x.v + y.v, ts: 0 }));
  const lateOut = windowed.getSideOutput(late).map((e) => `late ${e.v}`);
  const all = await windowed.map((e) => `on time ${e.v}`).union(lateOut).executeAndCollect();
  assert.equal(all.sort(), ['late 3', 'on time 1', 'on time 2']);
});

/** Runs an unbounded job on a manual clock until `done` or `maxMs` of processing time passed. */
async function runOnManualClock(idlenessMs: number | undefined, maxMs: number): Promise<{ rows: string[]; elapsed: number }> {
  type G = { key: string; ts: number };
  const clock = new ManualClock(0);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock });
  env.getConfig().setAutoWatermarkInterval(50);
  const monotonous = WatermarkStrategy.forMonotonousTimestamps<G>().withTimestampAssigner((e) => e.ts);
  // One record per ms of processing time, event time 10 ms apart.
  const active = env.fromSource(new DataGeneratorSource<G>((i) => ({ key: `k${i % 3}`, ts: i * 10 }), Infinity, { ratePerSecond: 1000 }), monotonous, 'active');
  // One record per second: without idleness it holds the watermark of the union back.
  const quietStrategy = idlenessMs === undefined ? monotonous : monotonous.withIdleness(idlenessMs);
  const quiet = env.fromSource(new DataGeneratorSource<G>(() => ({ key: 'quiet', ts: 0 }), Infinity, { ratePerSecond: 1 }), quietStrategy, 'quiet');
  const rows: string[] = [];
  active.union(quiet).map((e) => ({ key: e.key, start: 0, n: 1 })).name('count one')
    .keyBy((e) => e.key).window(TumblingEventTimeWindows.of(100))
    .reduce((a, b) => ({ key: a.key, start: 0, n: a.n + b.n }),
      (key: string, w: TimeWindow, input: Iterable<{ n: number }>, o: Collector<string>) => o.collect(`${key}|${w.start}|${[...input][0].n}`))
    .addSink((row) => { rows.push(row); });
  const client = await env.executeAsync('idle input');
  while (clock.now() < maxMs && rows.filter((r) => !r.startsWith('quiet')).length < 30) {
    clock.advance(10);
    for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  const elapsed = clock.now();
  await client.cancel();
  await client.getJobExecutionResult().catch(() => {});
  return { rows, elapsed };
}

test('watermarks pass a union with an idle input (withIdleness), and are held back without it', async () => {
  const idle = await runOnManualClock(300, 5000);
  const active = idle.rows.filter((r) => !r.startsWith('quiet'));
  assert.ok(active.length >= 30, `only ${active.length} windows fired in ${idle.elapsed} ms`);
  for (const row of active) {
    const [key, start, n] = row.split('|');
    let expected = 0;
    for (let i = Number(start) / 10; i < Number(start) / 10 + 10; i++) if (`k${i % 3}` === key) expected++;
    assert.is(Number(n), expected, row);
  }
  const held = await runOnManualClock(undefined, 3000);
  assert.equal(held.rows.filter((r) => !r.startsWith('quiet')), []);
});


test('a ProcessWindowFunction object is copied per subtask: fields set in open() are not shared', async () => {
  class Opened extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    private opens = 0;
    override open(): void { this.opens++; }
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, _in: Iterable<Ev>, out: Collector<string>): void { out.collect(`${key}|${ctx.window.start}|${this.opens}`); }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const data: Ev[] = Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 6}`, v: i, ts: i }));
  const out = await env.fromCollection(data).assignTimestampsAndWatermarks(strategy(0)).keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of(30)).process(new Opened()).executeAndCollect();
  assert.is(out.length, 12);
  // One shared object would have been opened by all 3 subtasks.
  assert.equal(out.filter((r) => !r.endsWith('|1')), []);
});

test('each subtask aggregates with its own copy of an AggregateFunction object', async () => {
  class CountingSum {
    adds = 0;
    createAccumulator(): number { return 0; }
    add(e: number, acc: number): number { this.adds++; return acc + e; }
    getResult(acc: number): string { return `${acc}/${this.adds}`; }
    merge(a: number, b: number): number { return a + b; }
  }
  // Two keys that land on different subtasks at parallelism 2.
  const a = 0;
  let b = 1;
  while (assignKeyToParallelOperator(b, DEFAULT_MAX_PARALLELISM, 2) === assignKeyToParallelOperator(a, DEFAULT_MAX_PARALLELISM, 2)) b++;
  const agg = new CountingSum();
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const values = Array.from({ length: 40 }, (_, i) => i);
  const out = await env.fromCollection(values)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x))
    .keyBy((x) => (x % 2 === 0 ? a : b))
    .window(TumblingEventTimeWindows.of(1000))
    .aggregate(agg)
    .executeAndCollect();
  // Each copy counts only the adds of its own subtask's key.
  const sum = (odd: number): number => values.filter((x) => x % 2 === odd).reduce((x, y) => x + y);
  assert.equal(out.sort(), [`${sum(0)}/20`, `${sum(1)}/20`].sort());
  assert.is(agg.adds, 0, 'the object given to aggregate() itself is not run');
});

test('trigger(): a trigger that cannot merge is refused on session windows where the program is built', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const sessions = () => env.fromElements<Ev>({ key: 'a', v: 1, ts: 1 }).keyBy((e) => e.key).window(EventTimeSessionWindows.withGap<Ev>(10));
  const refused = /A merging window assigner cannot be used with a trigger that does not support merging/;
  class NoMerge extends Trigger<Ev, TimeWindow> {
    onElement(): TriggerResult { return 'FIRE'; }
    onEventTime(): TriggerResult { return 'CONTINUE'; }
    onProcessingTime(): TriggerResult { return 'CONTINUE'; }
    clear(): void {}
    override canMerge(): boolean { return false; }
  }
  assert.throws(() => sessions().trigger(new NoMerge()), refused);
  assert.throws(() => sessions().trigger(PurgingTrigger.of(new NoMerge())), refused, 'a purging trigger merges when its nested trigger does');
  const plain = { onElement: () => 'CONTINUE' as const, onEventTime: () => 'CONTINUE' as const, onProcessingTime: () => 'CONTINUE' as const, clear: () => {} };
  assert.throws(() => sessions().trigger(plain), refused, 'a trigger without canMerge');
  assert.throws(() => sessions().trigger(null as never), /trigger must not be null/);
  // Triggers that merge, and any trigger on windows that do not merge, are taken.
  sessions().trigger(EventTimeTrigger.create<Ev>()).trigger(ContinuousEventTimeTrigger.of<Ev, TimeWindow>(5)).trigger(PurgingTrigger.of(CountTrigger.of<Ev, TimeWindow>(2)));
  env.fromElements<Ev>({ key: 'a', v: 1, ts: 1 }).keyBy((e) => e.key).window(TumblingEventTimeWindows.of<Ev>(10)).trigger(new NoMerge());
  assert.throws(() => sessions().sideOutputLateData(null as never), /OutputTag must not be null/);
});

test('a job whose session-window function uses per-window state fails with Flink\'s message', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  class PerWindow extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, _elements: Iterable<Ev>, out: Collector<string>): void {
      ctx.windowState.getState(new ValueStateDescriptor<number>('n'));
      out.collect(key);
    }
  }
  const job = env.fromElements<Ev>({ key: 'a', v: 1, ts: 1 }, { key: 'a', v: 2, ts: 30 })
    .assignTimestampsAndWatermarks(strategy(0)).keyBy((e) => e.key)
    .window(EventTimeSessionWindows.withGap<Ev>(10)).process(new PerWindow()).executeAndCollect();
  const error = await job.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error, 'the job fails');
  assert.match(String((error as Error).message), /Per-window state is not allowed when using merging windows/);
});

test('global windows with the end-of-stream trigger fire once per key when a bounded input ends', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const data = Array.from({ length: 300 }, (_, i): Ev => ({ key: `k${i % 7}`, v: i, ts: i }));
  const out = await env.fromCollection(data).assignTimestampsAndWatermarks(strategy(0)).keyBy((e) => e.key)
    .window(GlobalWindows.createWithEndOfStreamTrigger<Ev>())
    .reduce((a, b) => ({ key: a.key, v: a.v + b.v, ts: 0 }))
    .executeAndCollect();
  const expected = new Map<string, number>();
  for (const e of data) expected.set(e.key, (expected.get(e.key) ?? 0) + e.v);
  assert.equal(out.map((e) => `${e.key}=${e.v}`).sort(), [...expected].map(([k, v]) => `${k}=${v}`).sort());
});

test.run();
