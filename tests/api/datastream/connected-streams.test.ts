// ConnectedStreams: co-process functions (keyed and not) and custom two-input operators, end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AbstractStreamOperator, CoProcessFunction, KeyedCoProcessFunction, StreamExecutionEnvironment, ValueStateDescriptor,
  type Collector, type CoFlatMapFunction, type RuntimeContext, type TwoInputStreamOperator, type ValueState,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';

test('non-keyed CoProcessFunction sees both inputs', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  class Tag extends CoProcessFunction<number, string, string> {
    processElement1(v: number, _c: unknown, out: Collector<string>): void { out.collect(`n${v}`); }
    processElement2(v: string, _c: unknown, out: Collector<string>): void { out.collect(`s${v}`); }
  }
  const out = await env.fromElements(1, 2).connect(env.fromElements('a')).process(new Tag()).executeAndCollect();
  assert.equal(out.sort(), ['n1', 'n2', 'sa']);
});

test('keyed CoProcessFunction: state shared by both inputs of one key (enrichment join)', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  class Enrich extends KeyedCoProcessFunction<string, [string, string], [string, number], string> {
    private name!: ValueState<string>;
    private pending!: ValueState<number>;
    open(ctx: RuntimeContext): void {
      this.name = ctx.getState(new ValueStateDescriptor<string>('name'));
      this.pending = ctx.getState(new ValueStateDescriptor<number>('pending'));
    }
    processElement1(v: [string, string], _c: unknown, out: Collector<string>): void {
      this.name.update(v[1]);
      const p = this.pending.value();
      if (p !== undefined) { out.collect(`${v[1]}:${p}`); this.pending.clear(); }
    }
    processElement2(v: [string, number], _c: unknown, out: Collector<string>): void {
      const n = this.name.value();
      if (n === undefined) this.pending.update((this.pending.value() ?? 0) + v[1]);
      else out.collect(`${n}:${v[1]}`);
    }
  }
  const users = env.fromElements<[string, string]>(['u1', 'Ann'], ['u2', 'Bob'], ['u3', 'Cy']);
  const orders = env.fromElements<[string, number]>(['u1', 10], ['u2', 5], ['u3', 7]);
  const out = await users.keyBy((u) => u[0]).connect(orders.keyBy((o) => o[0])).process(new Enrich()).executeAndCollect();
  assert.equal(out.sort(), ['Ann:10', 'Bob:5', 'Cy:7']);
});

test('custom two-input operator through transform; keyed only when both sides are keyed', async () => {
  class Merge extends AbstractStreamOperator<string> implements TwoInputStreamOperator<number, number, string> {
    ended: number[] = [];
    processElement1(v: number, t: number): void { this.output.collect(`L${v}`, t); }
    processElement2(v: number, t: number): void { this.output.collect(`R${v}`, t); }
    endInput(input: 1 | 2): void { this.output.collect(`end${input}`, -Infinity); }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const connected = env.fromElements(1).connect(env.fromElements(2));
  assert.not.ok(connected.isKeyed());
  assert.ok(env.fromElements(1).keyBy((x) => x).connect(env.fromElements(2).keyBy((x) => x)).isKeyed());
  const out = await connected.transform('Merge', () => new Merge()).executeAndCollect();
  assert.equal(out.sort(), ['L1', 'R2', 'end1', 'end2']);
});


const seed = testSeed('connected-streams');

test('co-map: two functions or one { map1, map2 } object, every element of both inputs once (seeded parallelism)', async () => {
  const random = new Random(seed);
  const numbers = Array.from({ length: random.int(50, 400) }, () => random.int(-1000, 1000));
  const words = Array.from({ length: random.int(50, 400) }, () => `w${random.int(0, 99)}`);
  const expected = [...numbers.map((n) => `n${n * 2}`), ...words.map((w) => `s${w.length}`)].sort();
  for (const shape of ['functions', 'object'] as const) {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(random.int(1, 4));
    const connected = env.fromCollection(numbers).connect(env.fromCollection(words));
    const mapped = shape === 'functions'
      ? connected.map((n) => `n${n * 2}`, (w) => `s${w.length}`)
      : connected.map({ map1: (n: number) => `n${n * 2}`, map2: (w: string) => `s${w.length}` });
    assert.equal((await mapped.executeAndCollect()).sort(), expected, shape);
  }
});

test('co-flatMap: both shapes; keyed inputs share keyed state through open()', async () => {
  const random = new Random(seed + 1);
  const left = Array.from({ length: random.int(100, 500) }, (): [number, number] => [random.int(0, 20), random.int(1, 9)]);
  const right = Array.from({ length: random.int(100, 500) }, (): [number, number] => [random.int(0, 20), random.int(1, 9)]);
  // Plain loop: per key, left values count once and right values ten times.
  const totals = new Map<number, number>();
  for (const [k, v] of left) totals.set(k, (totals.get(k) ?? 0) + v);
  for (const [k, v] of right) totals.set(k, (totals.get(k) ?? 0) + 10 * v);

  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(random.int(1, 4));
  const sum = new ValueStateDescriptor<number>('total');
  const fn: CoFlatMapFunction<[number, number], [number, number], [number, number]> & { total?: ValueState<number> } = {
    open(ctx: RuntimeContext) { this.total = ctx.getState(sum); },
    flatMap1([k, v], out) { const t = (this.total!.value() ?? 0) + v; this.total!.update(t); out.collect([k, t]); },
    flatMap2([k, v], out) { const t = (this.total!.value() ?? 0) + 10 * v; this.total!.update(t); out.collect([k, t]); },
  };
  const running = await env.fromCollection(left).connect(env.fromCollection(right)).keyBy((l) => l[0], (r) => r[0]).flatMap(fn).executeAndCollect();
  assert.is(running.length, left.length + right.length);
  const finals = new Map<number, number>();
  for (const [k, t] of running) finals.set(k, Math.max(finals.get(k) ?? 0, t));
  assert.equal([...finals].sort((a, b) => a[0] - b[0]), [...totals].sort((a, b) => a[0] - b[0]));

  const env2 = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const split = await env2.fromElements('a b', 'c').connect(env2.fromElements(3))
    .flatMap((s: string, out: Collector<string>) => { for (const w of s.split(' ')) out.collect(w); }, (n: number, out: Collector<string>) => { for (let i = 0; i < n; i++) out.collect(`#${i}`); })
    .executeAndCollect();
  assert.equal(split.sort(), ['#0', '#1', '#2', 'a', 'b', 'c']);
  assert.throws(() => env2.fromElements(1).connect(env2.fromElements(2)).map(((x: number) => x) as never), /a function per input/);
});

test.run();
