import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountEvictor } from '../../../api/windowing/count-evictor.ts';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { EvictingWindowOperator } from '../../../api/windowing/evicting-window-operator.ts';
import { GlobalWindows } from '../../../api/windowing/global-windows.ts';
import { IterableWindowFunction, ReduceIterableWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { TimeEvictor } from '../../../api/windowing/time-evictor.ts';
import { DeltaEvictor } from '../../../api/windowing/delta-evictor.ts';
import type { Evictor } from '../../../api/windowing/evictor.ts';
import { TumblingEventTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import { GlobalWindow, type TimeWindow } from '../../../api/windowing/time-window.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };

test('sliding count window: count evictor keeps the last 3, fires every 2', async () => {
  const op = new EvictingWindowOperator<E, string, string, GlobalWindow>({
    assigner: GlobalWindows.create<E>(), trigger: CountTrigger.of(2), evictor: CountEvictor.of(3),
    windowFunction: new IterableWindowFunction<E, string, string, GlobalWindow>((key, _w, els, out) => out.collect(`${key}:${[...els].map((e) => e.v).join(',')}`)),
  });
  const h = await new OneInputHarness<E, string>(op, (e) => e.key).open();
  for (let i = 1; i <= 6; i++) h.processElement({ key: 'a', v: i }, -Infinity);
  assert.equal(h.output.records().map((r) => r.value), ['a:1,2', 'a:2,3,4', 'a:4,5,6']);
});

test('time evictor before a reduce: only the newest elements count', async () => {
  const op = new EvictingWindowOperator<E, E, string, TimeWindow>({
    assigner: TumblingEventTimeWindows.of<E>(100), trigger: TumblingEventTimeWindows.of<E>(100).getDefaultTrigger(), evictor: TimeEvictor.of(10),
    windowFunction: new ReduceIterableWindowFunction<E, E, string, TimeWindow>((a, b) => ({ key: a.key, v: a.v + b.v }), undefined),
  });
  const h = await new OneInputHarness<E, E>(op, (e) => e.key).open();
  h.processElement({ key: 'a', v: 1 }, 5);
  h.processElement({ key: 'a', v: 10 }, 95);
  h.processElement({ key: 'a', v: 100 }, 90);
  h.processWatermark(Infinity);
  assert.equal(h.output.records(), [{ value: { key: 'a', v: 110 }, timestamp: 99 }]);
});

// The scenarios below follow Flink's evicting window operator tests: two keys, a count trigger of
// 2 on global windows, a window function summing `v`; results are compared sorted, as there.
type Step = [key: string, v: number, timestamp: number];
const sumOf = (key: string, _w: unknown, els: Iterable<E>, out: { collect(s: string): void }) => {
  let sum = 0;
  for (const e of els) sum += e.v;
  out.collect(`${key}=${sum}`);
};

async function countTriggered(evictor: Evictor<E, GlobalWindow>) {
  const op = new EvictingWindowOperator<E, string, string, GlobalWindow>({
    assigner: GlobalWindows.create<E>(), trigger: CountTrigger.of(2), evictor,
    windowFunction: new IterableWindowFunction<E, string, string, GlobalWindow>(sumOf),
  });
  const h = await new OneInputHarness<E, string>(op, (e) => e.key).open();
  return {
    h,
    /** Feeds `steps`, then returns the results emitted since the last call, sorted. */
    run(steps: Step[]): string[] {
      const before = h.output.records().length;
      for (const [key, v, ts] of steps) h.processElement({ key, v }, ts);
      return h.output.records().slice(before).map((r) => `${r.value}@${r.timestamp}`).sort();
    },
  };
}

const firstSteps = (v: number[]): Step[] => [
  ['key2', v[0], 3000], ['key2', v[1], 3999], ['key1', v[2], 20], ['key1', v[3], 0], ['key1', v[4], 999],
  ['key2', v[5], 1998], ['key2', v[6], 1999], ['key2', v[7], 1000],
];
const MAX = GlobalWindow.get().maxTimestamp();

test('delta evictor before the window function: elements whose delta to the last is >= threshold go', async () => {
  const { run } = await countTriggered(DeltaEvictor.of<E, GlobalWindow>(2, (older, newer) => newer.v - older.v));
  assert.equal(run(firstSteps([1, 4, 1, 1, 5, 5, 6, 1])), [`key1=2@${MAX}`, `key2=11@${MAX}`, `key2=4@${MAX}`]);
  assert.equal(run([['key1', 3, 10999], ['key2', 10, 1000]]), [`key1=8@${MAX}`, `key2=10@${MAX}`]);
});

test('delta evictor after the window function: the function sees everything, the state keeps the rest', async () => {
  const { run } = await countTriggered(DeltaEvictor.of<E, GlobalWindow>(2, { getDelta: (older: E, newer: E) => newer.v - older.v }, true));
  assert.equal(run(firstSteps([1, 4, 1, 1, 5, 5, 6, 1])), [`key1=2@${MAX}`, `key2=15@${MAX}`, `key2=5@${MAX}`]);
  assert.equal(run([['key1', 9, 10999], ['key2', 10, 1000]]), [`key1=16@${MAX}`, `key2=22@${MAX}`]);
});

test('count and time evictors after the window function, and a time evictor on elements without timestamps', async () => {
  const count = await countTriggered(CountEvictor.of<E, GlobalWindow>(4, true));
  assert.equal(count.run(firstSteps([1, 1, 1, 1, 1, 1, 1, 1])), [`key1=2@${MAX}`, `key2=2@${MAX}`, `key2=4@${MAX}`]);
  assert.equal(count.run([['key1', 1, 10999], ['key2', 1, 1000]]), [`key1=4@${MAX}`, `key2=6@${MAX}`]);
  assert.equal(count.run([['key2', 1, 1000], ['key2', 1, 1000]]), [`key2=6@${MAX}`]);

  const time = await countTriggered(TimeEvictor.of<E, GlobalWindow>(2000, true));
  const ones = [1, 1, 1, 1, 1, 1, 1, 1];
  const steps = firstSteps(ones).map(([k, v, ts], i): Step => [k, v, [1000, 4000, 20, 0, 999, 3500, 2001, 1001][i] ?? ts]);
  assert.equal(time.run(steps), [`key1=2@${MAX}`, `key2=2@${MAX}`, `key2=3@${MAX}`]);
  assert.equal(time.run([['key1', 1, 10999], ['key2', 1, 1002]]), [`key1=4@${MAX}`, `key2=5@${MAX}`]);

  const untimed = await countTriggered(TimeEvictor.of<E, GlobalWindow>(2000, true));
  assert.equal(untimed.run(firstSteps(ones).map(([k, v]): Step => [k, v, -Infinity])), [`key1=2@${MAX}`, `key2=2@${MAX}`, `key2=4@${MAX}`]);
  assert.equal(untimed.run([['key1', 1, -Infinity], ['key2', 1, -Infinity]]), [`key1=4@${MAX}`, `key2=6@${MAX}`]);
});

test('time evictor before the window function on tumbling windows fired by a count trigger', async () => {
  const op = new EvictingWindowOperator<E, string, string, TimeWindow>({
    assigner: TumblingEventTimeWindows.of<E>(4000), trigger: CountTrigger.of(2), evictor: TimeEvictor.of<E, TimeWindow>(2000),
    windowFunction: new IterableWindowFunction<E, string, string, TimeWindow>(sumOf),
  });
  const h = await new OneInputHarness<E, string>(op, (e) => e.key).open();
  const out = () => h.output.records().map((r) => `${r.value}@${r.timestamp}`).sort();
  for (const [key, ts] of [['key2', 1000], ['key2', 3999], ['key1', 20], ['key1', 0], ['key1', 999], ['key1', 5999], ['key2', 3500], ['key2', 2001], ['key2', 1001]] as const) {
    h.processElement({ key, v: 1 }, ts);
  }
  assert.equal(out(), ['key1=2@3999', 'key2=1@3999', 'key2=3@3999']);
  h.processElement({ key: 'key1', v: 1 }, 6500);
  h.processElement({ key: 'key2', v: 1 }, 1002);
  assert.equal(out(), ['key1=2@3999', 'key1=2@7999', 'key2=1@3999', 'key2=3@3999', 'key2=3@3999']);
});

test.run();
