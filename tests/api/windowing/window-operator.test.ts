import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutputTag } from '../../../api/output-tag.ts';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../../api/functions/process-window-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { GlobalWindows } from '../../../api/windowing/global-windows.ts';
import { IterableWindowFunction, SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { PurgingTrigger } from '../../../api/windowing/purging-trigger.ts';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../../../api/windowing/session-windows.ts';
import { SlidingEventTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import type { TimeWindow, Window } from '../../../api/windowing/time-window.ts';
import type { Trigger } from '../../../api/windowing/trigger.ts';
import type { WindowAssigner } from '../../../api/windowing/window-assigner.ts';
import { WindowOperator } from '../../../api/windowing/window-operator.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };
const e = (key: string, v: number): E => ({ key, v });
const sum = (a: E, b: E): E => ({ key: a.key, v: a.v + b.v });

/** Emits "key@start-end:list" for every fired window. */
class Describe<W extends Window> extends ProcessWindowFunction<E, string, string, W> {
  process(key: string, ctx: ProcessWindowContext<W>, elements: Iterable<E>, out: Collector<string>): void {
    const w = ctx.window as unknown as TimeWindow;
    out.collect(`${key}@${w.start}-${w.end}:${[...elements].map((x) => x.v).join(',')}`);
  }
}

interface Opts<W extends Window> { trigger?: Trigger<E, W>; allowedLateness?: number; lateTag?: OutputTag<E> }

async function reduceHarness<W extends Window>(assigner: WindowAssigner<E, W>, opts: Opts<W> = {}) {
  const op = new WindowOperator<E, E, E, string, W>({
    assigner, trigger: opts.trigger ?? assigner.getDefaultTrigger(), allowedLateness: opts.allowedLateness, lateDataOutputTag: opts.lateTag,
    contents: new ReducingStateDescriptor<E>('window-contents', sum), windowFunction: new SingleValueWindowFunction<E, E, string, W>(undefined),
  });
  return { op, h: await new OneInputHarness<E, E>(op, (x) => x.key).open() };
}

async function listHarness<W extends Window>(assigner: WindowAssigner<E, W>, opts: Opts<W> = {}, fn: ProcessWindowFunction<E, string, string, W> = new Describe<W>()) {
  const op = new WindowOperator<E, Iterable<E>, string, string, W>({
    assigner, trigger: opts.trigger ?? assigner.getDefaultTrigger(), allowedLateness: opts.allowedLateness, lateDataOutputTag: opts.lateTag,
    contents: new ListStateDescriptor<E>('window-contents'), windowFunction: new IterableWindowFunction<E, string, string, W>(fn),
  });
  return { op, h: await new OneInputHarness<E, string>(op, (x) => x.key).open() };
}

const results = (h: OneInputHarness<E, E>) => h.output.records().map((r) => `${r.value.key}=${r.value.v}@${r.timestamp}`);

test('tumbling event time, in order: fires when the watermark passes the end, stamped maxTimestamp', async () => {
  const { h } = await reduceHarness(TumblingEventTimeWindows.of<E>(1000));
  h.processElement(e('a', 1), 100);
  h.processElement(e('b', 10), 200);
  h.processElement(e('a', 2), 999);
  h.processElement(e('a', 4), 1000);
  h.processWatermark(998);
  assert.equal(results(h), []);
  h.processWatermark(999);
  assert.equal(results(h).sort(), ['a=3@999', 'b=10@999']);
  h.processWatermark(Infinity);
  assert.equal(results(h).slice(2), ['a=4@1999']);
  assert.equal(h.output.watermarks(), [998, 999, Infinity]);
  // Window state and timers are gone after cleanup.
  assert.equal(h.timerServices.get('window-timers')!.numTimers(), { eventTime: 0, processingTime: 0 });
});

test('out of order within the watermark bound lands in its window', async () => {
  const { h } = await reduceHarness(TumblingEventTimeWindows.of<E>(1000));
  h.processElement(e('a', 1), 1500);
  h.processWatermark(1200);
  h.processElement(e('a', 2), 1100);
  h.processElement(e('a', 4), 900);
  assert.equal(results(h), []);
  h.processWatermark(2000);
  assert.equal(results(h), ['a=3@1999']);
});

test('late within allowed lateness fires again (late firing); later goes to the side output', async () => {
  const late = new OutputTag<E>('late');
  const { h, op } = await reduceHarness(TumblingEventTimeWindows.of<E>(1000), { allowedLateness: 500, lateTag: late });
  h.processElement(e('a', 1), 100);
  h.processWatermark(1000);
  assert.equal(results(h), ['a=1@999']);
  h.processElement(e('a', 2), 200);
  assert.equal(results(h), ['a=1@999', 'a=3@999']);
  h.processWatermark(1499);
  h.processElement(e('a', 4), 300);
  assert.equal(results(h), ['a=1@999', 'a=3@999']);
  assert.equal(h.output.side('late'), [e('a', 4)]);
  assert.is(op.numLateRecordsDropped, 0);
});

test('without a side output, too-late elements are dropped and counted', async () => {
  const { h, op } = await reduceHarness(TumblingEventTimeWindows.of<E>(1000));
  h.processWatermark(5000);
  h.processElement(e('a', 1), 100);
  h.processWatermark(Infinity);
  assert.equal(results(h), []);
  assert.is(op.numLateRecordsDropped, 1);
});

test('sliding windows: each element in size / slide windows', async () => {
  const { h } = await listHarness(SlidingEventTimeWindows.of<E>(1000, 500));
  h.processElement(e('a', 1), 100);
  h.processElement(e('a', 2), 600);
  h.processElement(e('a', 3), 1100);
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => r.value), ['a@-500-500:1', 'a@0-1000:1,2', 'a@500-1500:2,3', 'a@1000-2000:3']);
});

test('session windows merge, including a bridge element, and fire once per session', async () => {
  const { h } = await listHarness(EventTimeSessionWindows.withGap<E>(10));
  h.processElement(e('a', 1), 0);
  h.processElement(e('a', 2), 5);
  h.processElement(e('a', 3), 30);
  h.processElement(e('b', 9), 7);
  h.processWatermark(20);
  assert.equal(h.output.records().map((r) => r.value).sort(), ['a@0-15:1,2', 'b@7-17:9']);
  h.processElement(e('a', 4), 36);
  h.processElement(e('a', 5), 50);
  h.processElement(e('a', 6), 42);
  h.processWatermark(Infinity);
  const out = h.output.records().map((r) => r.value).slice(2);
  assert.equal(out, ['a@30-60:3,4,5,6']);
  assert.equal(h.timerServices.get('window-timers')!.numTimers(), { eventTime: 0, processingTime: 0 });
});

test('session merging with allowed lateness: a late element re-opens and merges a fired session', async () => {
  const { h } = await listHarness(EventTimeSessionWindows.withGap<E>(10), { allowedLateness: 100 });
  h.processElement(e('a', 1), 0);
  h.processWatermark(50);
  h.processElement(e('a', 2), 8);
  h.processWatermark(Infinity);
  // The merged window is behind the watermark: it fires at once, and its cleanup timer does not fire it again.
  assert.equal(h.output.records().map((r) => r.value), ['a@0-10:1', 'a@0-18:1,2']);
});

test('count windows: purging count trigger on global windows', async () => {
  const { h } = await reduceHarness(GlobalWindows.create<E>(), { trigger: PurgingTrigger.of(CountTrigger.of(3)) });
  for (let i = 1; i <= 7; i++) h.processElement(e(i % 2 ? 'odd' : 'even', i), -Infinity);
  h.processElement(e('even', 100), -Infinity);
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => `${r.value.key}=${r.value.v}`), ['odd=9', 'even=12']);
});

test('processing-time tumbling windows fire by the manual clock', async () => {
  const { h } = await reduceHarness(TumblingProcessingTimeWindows.of<E>(100));
  h.advanceProcessingTimeTo(10);
  h.processElement(e('a', 1), -Infinity);
  h.processElement(e('a', 2), -Infinity);
  h.advanceProcessingTimeTo(120);
  h.processElement(e('a', 5), -Infinity);
  assert.equal(results(h), ['a=3@99']);
  h.advanceProcessingTimeTo(199);
  assert.equal(results(h), ['a=3@99', 'a=5@199']);
  h.processWatermark(Infinity);
  assert.equal(results(h).length, 2);
});

test('processing-time sessions merge by arrival time', async () => {
  const { h } = await listHarness(ProcessingTimeSessionWindows.withGap<E>(10));
  h.processElement(e('a', 1), -Infinity);
  h.advanceProcessingTimeTo(5);
  h.processElement(e('a', 2), -Infinity);
  h.advanceProcessingTimeTo(30);
  assert.equal(h.output.records().map((r) => r.value), ['a@0-15:1,2']);
});

test('process window function: window, time, per-window and global state, side outputs, clear', async () => {
  const side = new OutputTag<string>('side');
  const perWindow = new ValueStateDescriptor<number>('fires');
  const global = new ValueStateDescriptor<number>('total');
  const cleared: string[] = [];
  class Stateful extends ProcessWindowFunction<E, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<E>, out: Collector<string>): void {
      const fires = ctx.windowState.getState(perWindow);
      fires.update((fires.value() ?? 0) + 1);
      const total = ctx.globalState.getState(global);
      total.update((total.value() ?? 0) + [...elements].length);
      out.collect(`${key} ${ctx.window.start} fires=${fires.value()} total=${total.value()} wm=${ctx.currentWatermark} pt=${ctx.currentProcessingTime}`);
      ctx.output(side, `side ${ctx.window.end}`);
    }
    override clear(ctx: ProcessWindowContext<TimeWindow>): void {
      cleared.push(`${ctx.window.start}`);
      ctx.windowState.getState(perWindow).clear();
    }
  }
  const { h } = await listHarness(TumblingEventTimeWindows.of<E>(10), { allowedLateness: 5 }, new Stateful());
  h.advanceProcessingTimeTo(77);
  h.processElement(e('a', 1), 1);
  h.processWatermark(10);
  h.processElement(e('a', 1), 2);
  h.processElement(e('a', 1), 12);
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => r.value), [
    'a 0 fires=1 total=1 wm=10 pt=77', 'a 0 fires=2 total=3 wm=10 pt=77', 'a 10 fires=1 total=4 wm=Infinity pt=77',
  ]);
  assert.equal(h.output.side('side'), ['side 10', 'side 10', 'side 20']);
  assert.equal(cleared, ['0', '10']);
});

test('aggregate with a window function: one accumulator per key and window', async () => {
  const avg = { createAccumulator: () => [0, 0] as [number, number], add: (x: E, a: [number, number]): [number, number] => [a[0] + x.v, a[1] + 1],
    getResult: (a: [number, number]) => a[0] / a[1], merge: (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]] };
  const op = new WindowOperator<E, number, string, string, TimeWindow>({
    assigner: EventTimeSessionWindows.withGap<E>(10), trigger: EventTimeSessionWindows.withGap<E>(10).getDefaultTrigger(),
    contents: new AggregatingStateDescriptor('window-contents', avg),
    windowFunction: new SingleValueWindowFunction<number, string, string, TimeWindow>((key, w, input, out) => out.collect(`${key} ${w.start}-${w.end} avg=${[...input][0]}`)),
  });
  const h = await new OneInputHarness<E, string>(op, (x) => x.key).open();
  h.processElement(e('a', 2), 0);
  h.processElement(e('a', 4), 20);
  h.processElement(e('a', 9), 10);
  h.processElement(e('b', 1), 11);
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => r.value).sort(), ['a 0-30 avg=5', 'b 11-21 avg=1']);
});

test('a merging assigner rejects a trigger that cannot merge', () => {
  const plain: Trigger<E, TimeWindow> = { onElement: () => 'CONTINUE', onEventTime: () => 'CONTINUE', onProcessingTime: () => 'CONTINUE', clear: () => {} };
  assert.throws(() => new WindowOperator<E, E, E, string, TimeWindow>({
    assigner: EventTimeSessionWindows.withGap<E>(10), trigger: plain,
    contents: new ReducingStateDescriptor<E>('c', sum), windowFunction: new SingleValueWindowFunction<E, E, string, TimeWindow>(undefined),
  }), /A merging window assigner cannot be used with a trigger that does not support merging/);
});

test('event-time windows register their timers once, with the first element, and still fire late and clean up', async () => {
  const { h } = await reduceHarness(TumblingEventTimeWindows.of<E>(1000), { allowedLateness: 500 });
  const timers = () => h.timerServices.get('window-timers')!.numTimers().eventTime;
  for (let t = 0; t < 1000; t += 100) h.processElement(e('a', 1), t);
  // The window's end (999) and its cleanup (1499): two timers for ten elements.
  assert.is(timers(), 2);
  h.processElement(e('b', 5), 10);
  h.processElement(e('a', 7), 1200);
  assert.is(timers(), 6, 'one pair per key and window');
  h.processWatermark(999);
  assert.equal(results(h).sort(), ['a=10@999', 'b=5@999']);
  assert.is(timers(), 4, 'the end timers fired; the cleanup timers wait out the lateness');
  // Late but within the allowed lateness: the window's contents still exist, and it fires again at once.
  h.processElement(e('a', 100), 950);
  assert.equal(results(h).slice(2), ['a=110@999']);
  assert.is(timers(), 4);
  h.processWatermark(1499);
  assert.is(timers(), 2, 'the first windows are cleaned up');
  h.processElement(e('a', 1000), 960);
  assert.equal(results(h).slice(3), [], 'after cleanup the element is too late');
  h.processWatermark(Infinity);
  assert.equal(results(h).slice(3), ['a=7@1999']);
  assert.is(timers(), 0);
});

test('per-window state on merging windows fails, in process and in clear; global state works', async () => {
  const perWindow = new ValueStateDescriptor<number>('per-window');
  const global = new ValueStateDescriptor<number>('global');
  const refused = /Per-window state is not allowed when using merging windows/;
  const errors: string[] = [];
  class Sessions extends ProcessWindowFunction<E, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<E>, out: Collector<string>): void {
      const seen = ctx.globalState.getState(global);
      seen.update((seen.value() ?? 0) + [...elements].length);
      out.collect(`${key}@${ctx.window.start}-${ctx.window.end} seen=${seen.value()}`);
      for (const get of [
        () => ctx.windowState.getState(perWindow), () => ctx.windowState.getListState(new ListStateDescriptor<number>('l')),
        () => ctx.windowState.getMapState(new MapStateDescriptor<string, number>('m')), () => ctx.windowState.getReducingState(new ReducingStateDescriptor<E>('r', sum)),
        () => ctx.windowState.getAggregatingState(new AggregatingStateDescriptor('a', { createAccumulator: () => 0, add: () => 0, getResult: () => 0, merge: () => 0 })),
      ]) {
        try { get(); errors.push('none'); } catch (err) { errors.push(refused.test((err as Error).message) ? 'refused' : String(err)); }
      }
    }
    override clear(ctx: ProcessWindowContext<TimeWindow>): void { ctx.windowState.getState(perWindow).clear(); }
  }
  const { h } = await listHarness(EventTimeSessionWindows.withGap<E>(10), {}, new Sessions());
  h.processElement(e('a', 1), 0);
  h.processElement(e('a', 1), 5);
  h.processElement(e('a', 1), 30);
  // The first session fires, then its cleanup calls clear(), which asks for per-window state.
  assert.throws(() => h.processWatermark(20), refused);
  assert.equal(h.output.records().map((r) => r.value), ['a@0-15 seen=2']);
  assert.equal(errors, ['refused', 'refused', 'refused', 'refused', 'refused']);

  // Without per-window state, sessions run as before.
  class GlobalOnly extends Sessions { override clear(): void {} }
  errors.length = 0;
  const { h: g } = await listHarness(EventTimeSessionWindows.withGap<E>(10), {}, new GlobalOnly());
  for (const t of [0, 5, 30]) g.processElement(e('a', 1), t);
  g.processWatermark(Infinity);
  assert.equal(g.output.records().map((r) => r.value), ['a@0-15 seen=2', 'a@30-40 seen=3']);

  // Non-merging windows keep their per-window state.
  const { h: t } = await listHarness(TumblingEventTimeWindows.of<E>(10), {}, new Sessions());
  errors.length = 0;
  t.processElement(e('a', 1), 0);
  t.processWatermark(Infinity);
  assert.equal(errors, ['none', 'none', 'none', 'none', 'none']);
});

test.run();
