import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountEvictor } from '../../../api/windowing/count-evictor.ts';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { EvictingWindowOperator } from '../../../api/windowing/evicting-window-operator.ts';
import { GlobalWindows } from '../../../api/windowing/global-windows.ts';
import { IterableWindowFunction, ReduceIterableWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { TimeEvictor } from '../../../api/windowing/time-evictor.ts';
import { TumblingEventTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import type { GlobalWindow, TimeWindow } from '../../../api/windowing/time-window.ts';
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

test.run();
