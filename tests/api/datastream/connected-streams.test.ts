// ConnectedStreams: co-process functions (keyed and not) and custom two-input operators, end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AbstractStreamOperator, CoProcessFunction, KeyedCoProcessFunction, StreamExecutionEnvironment, ValueStateDescriptor,
  type Collector, type RuntimeContext, type TwoInputStreamOperator, type ValueState,
} from '../../../api/index.ts';

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

test.run();
