// KeyedStream end to end: windows per key (event time), count windows, interval joins and keyed
// custom operators, each against a plain computation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AbstractStreamOperator, DataGeneratorSource, ProcessJoinFunction, StreamExecutionEnvironment, TumblingEventTimeWindows,
  ValueStateDescriptor, WatermarkStrategy, type Collector, type OneInputStreamOperator, type ValueState,
} from '../../../api/index.ts';

interface Ev { key: string; ts: number }
const events = (n: number): Ev[] => Array.from({ length: n }, (_, i) => ({ key: `k${i % 4}`, ts: i * 37 }));

function timed(env: StreamExecutionEnvironment, input: Ev[]) {
  return env.fromSource(new DataGeneratorSource((i) => input[i], input.length),
    WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts), 'events');
}

test('tumbling event-time windows per key count like a plain loop', async () => {
  const input = events(500);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const out = await timed(env, input).keyBy((e) => e.key)
    .window(TumblingEventTimeWindows.of<Ev>(1000))
    .aggregate({ createAccumulator: () => 0, add: (_e: Ev, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (key: string, w: { start: number }, counts: Iterable<number>, o: Collector<string>) => { for (const n of counts) o.collect(`${key}@${w.start}=${n}`); })
    .executeAndCollect();
  const expected = new Map<string, number>();
  for (const e of input) { const k = `${e.key}@${Math.floor(e.ts / 1000) * 1000}`; expected.set(k, (expected.get(k) ?? 0) + 1); }
  assert.equal(out.sort(), [...expected].map(([k, n]) => `${k}=${n}`).sort());
});

test('countWindow(size) fires every `size` elements per key', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const out = await env.fromSequence(0, 99).keyBy((x) => x % 3).countWindow(10).reduce((a, b) => a + b).executeAndCollect();
  const expected: number[] = [];
  for (let k = 0; k < 3; k++) {
    const xs = Array.from({ length: 100 }, (_, i) => i).filter((x) => x % 3 === k);
    for (let i = 0; i + 10 <= xs.length; i += 10) expected.push(xs.slice(i, i + 10).reduce((a, b) => a + b, 0));
  }
  assert.equal(out.sort((a, b) => a - b), expected.sort((a, b) => a - b));
});

test('intervalJoin pairs elements of equal key within the bounds', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const left = events(40), right = events(40).map((e) => ({ key: e.key, ts: e.ts + 50 }));
  class Pair extends ProcessJoinFunction<Ev, Ev, string> {
    processElement(l: Ev, r: Ev, _ctx: unknown, out: Collector<string>): void { out.collect(`${l.ts}-${r.ts}`); }
  }
  const out = await timed(env, left).keyBy((e) => e.key).intervalJoin(timed(env, right).keyBy((e) => e.key)).between(0, 100).process(new Pair()).executeAndCollect();
  const expected: string[] = [];
  for (const l of left) for (const r of right) if (l.key === r.key && r.ts >= l.ts && r.ts <= l.ts + 100) expected.push(`${l.ts}-${r.ts}`);
  assert.equal(out.sort(), expected.sort());
});

test('a custom keyed operator gets keyed state with the key set by the runtime', async () => {
  class Dedup extends AbstractStreamOperator<string> implements OneInputStreamOperator<string, string> {
    private seen!: ValueState<boolean>;
    override open(): void { this.seen = this.context.keyedState!.getValueState(new ValueStateDescriptor<boolean>('seen')); }
    processElement(v: string, t: number): void { if (!this.seen.value()) { this.seen.update(true); this.output.collect(v, t); } }
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const out = await env.fromCollection(['a', 'b', 'a', 'c', 'b', 'a']).keyBy((s) => s).transform('Dedup', () => new Dedup()).executeAndCollect();
  assert.equal(out.sort(), ['a', 'b', 'c']);
});

test.run();
