import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeltaTrigger as Exported, EventTimeSessionWindows, StreamExecutionEnvironment } from '../../../api/index.ts';
import { DeltaTrigger } from '../../../api/windowing/delta-trigger.ts';
import { GlobalWindows } from '../../../api/windowing/global-windows.ts';
import { IterableWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import type { GlobalWindow, TimeWindow } from '../../../api/windowing/time-window.ts';
import { WindowOperator } from '../../../api/windowing/window-operator.ts';
import { ListStateDescriptor } from '../../../state/state-descriptors.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };

async function deltaWindows(trigger: DeltaTrigger<E, GlobalWindow>) {
  const op = new WindowOperator<E, Iterable<E>, string, string, GlobalWindow>({
    assigner: GlobalWindows.create<E>(), trigger, contents: new ListStateDescriptor<E>('c'),
    windowFunction: new IterableWindowFunction<E, string, string, GlobalWindow>((key, _w, input, out) => out.collect(`${key}:${[...input].map((x) => x.v).join(',')}`)),
  });
  return new OneInputHarness<E, string>(op, (x) => x.key).open();
}

test('fires when the delta to the reference element exceeds the threshold; that element becomes the reference', async () => {
  const h = await deltaWindows(DeltaTrigger.of<E, GlobalWindow>(2, (older, newer) => newer.v - older.v));
  for (const v of [1, 2, 3, 4, 5, 9, 9.5]) h.processElement({ key: 'a', v }, -Infinity);
  // 3 - 1 is the threshold itself (no firing), 4 - 1 exceeds it; then 9 - 4.
  assert.equal(h.output.records().map((r) => r.value), ['a:1,2,3,4', 'a:1,2,3,4,5,9']);
  // Keys keep their own reference element.
  h.processElement({ key: 'b', v: 100 }, -Infinity);
  h.processElement({ key: 'b', v: 103 }, -Infinity);
  assert.equal(h.output.records().map((r) => r.value).slice(2), ['b:100,103']);
});

test('the delta function may be an object with getDelta; bad arguments are refused', async () => {
  const h = await deltaWindows(DeltaTrigger.of<E, GlobalWindow>(0, { getDelta: (older: E, newer: E) => Math.abs(newer.v - older.v) }));
  for (const v of [5, 5, 4]) h.processElement({ key: 'a', v }, -Infinity);
  assert.equal(h.output.records().map((r) => r.value), ['a:5,5,4']);
  assert.throws(() => DeltaTrigger.of(Number.NaN, () => 0), /DeltaTrigger needs a numeric threshold/);
  assert.throws(() => DeltaTrigger.of(1, 'x' as never), /DeltaTrigger needs a delta function/);
  assert.is(Exported, DeltaTrigger);
});

test('it cannot merge: session windows refuse it where the program is built', () => {
  const trigger = DeltaTrigger.of<{ v: number }, TimeWindow>(1, (a, b) => b.v - a.v);
  assert.is(trigger.canMerge(), false);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const sessions = env.fromElements({ v: 1 }).keyBy(() => 'k').window(EventTimeSessionWindows.withGap<{ v: number }>(10));
  assert.throws(() => sessions.trigger(trigger), /A merging window assigner cannot be used with a trigger that does not support merging/);
});

test.run();
