// Side outputs with a missing tag: every context that has output() throws, as Flink does
// ("OutputTag must not be null."), instead of handing the value to an output that drops what
// nobody consumes. Each operator runs on an output that drops side outputs, as the runtime's do
// when no getSideOutput reads them, so a missing check shows up as a value lost without an error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BroadcastProcessFunction, KeyedBroadcastProcessFunction, type BroadcastBaseContext,
} from '../../api/functions/broadcast-process-function.ts';
import { CoProcessFunction, KeyedCoProcessFunction, type CoProcessContext } from '../../api/functions/co-process-function.ts';
import { KeyedProcessFunction, type OnTimerContext } from '../../api/functions/keyed-process-function.ts';
import { ProcessFunction, type ProcessContext } from '../../api/functions/process-function.ts';
import { ProcessJoinFunction, type ProcessJoinContext } from '../../api/functions/process-join-function.ts';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../api/functions/process-window-function.ts';
import { CoBroadcastWithKeyedOperator } from '../../api/operators/co-broadcast-with-keyed-operator.ts';
import { CoBroadcastWithNonKeyedOperator } from '../../api/operators/co-broadcast-with-non-keyed-operator.ts';
import { CoProcessOperator, KeyedCoProcessOperator } from '../../api/operators/co-process-operator.ts';
import { KeyedProcessOperator } from '../../api/operators/keyed-process-operator.ts';
import { ProcessOperator } from '../../api/operators/process-operator.ts';
import { OutputTag, requireOutputTag } from '../../api/output-tag.ts';
import { IterableWindowFunction } from '../../api/windowing/internal-window-function.ts';
import { IntervalJoinOperator } from '../../api/windowing/interval-join-operator.ts';
import type { TimeWindow } from '../../api/windowing/time-window.ts';
import { TumblingEventTimeWindows } from '../../api/windowing/tumbling-windows.ts';
import { WindowOperator } from '../../api/windowing/window-operator.ts';
import { ListStateDescriptor } from '../../state/state-descriptors.ts';
import { OneInputHarness, TwoInputHarness } from './windowing/operator-harness.ts';

/** The element says which tag its function emits to: a real one, null, or undefined. */
type E = 'tag' | 'null' | 'undefined';
const TAG = new OutputTag<string>('side');
const tagOf = (e: E): OutputTag<string> => (e === 'tag' ? TAG : e === 'null' ? null : undefined) as unknown as OutputTag<string>;
const emit = (ctx: { output<X>(tag: OutputTag<X>, value: X): void }, e: E) => ctx.output(tagOf(e), `from ${e}`);
const NOT_NULL = /OutputTag must not be null/;

/** Runs `send(e)` for a missing tag of both kinds (must throw) and then a real one (must arrive). */
function check(name: string, h: { output: { collectSide: unknown; side(tag: string): unknown[] } }, send: (e: E) => void): void {
  const recorded = h.output.collectSide as (...args: unknown[]) => void;
  let dropped = 0;
  // The runtime's outputs drop side outputs no consumer reads: so does this one, for missing tags.
  h.output.collectSide = (tag: OutputTag<unknown> | null | undefined, value: unknown, timestamp: number) => {
    if (tag === null || tag === undefined) { dropped++; return; }
    recorded.call(h.output, tag, value, timestamp);
  };
  assert.throws(() => send('null'), NOT_NULL, `${name}: null tag`);
  assert.throws(() => send('undefined'), NOT_NULL, `${name}: undefined tag`);
  assert.is(dropped, 0, `${name}: nothing reaches the output with a missing tag`);
  send('tag');
  assert.equal(h.output.side('side'), ['from tag'], `${name}: a real tag still works`);
}

test('requireOutputTag passes a tag through and refuses null and undefined', () => {
  assert.is(requireOutputTag(TAG), TAG);
  assert.throws(() => requireOutputTag(null), NOT_NULL);
  assert.throws(() => requireOutputTag(undefined), NOT_NULL);
});

test('ProcessFunction and KeyedProcessFunction (element and timer contexts)', async () => {
  class P extends ProcessFunction<E, never> { processElement(e: E, ctx: ProcessContext): void { emit(ctx, e); } }
  const p = await new OneInputHarness<E, never>(new ProcessOperator(new P())).open();
  check('ProcessFunction', p, (e) => p.processElement(e, 1));

  class K extends KeyedProcessFunction<string, E, never> {
    processElement(e: E, ctx: OnTimerContext<string>): void {
      if (e === 'tag') emit(ctx, e);
      else ctx.timerService().registerEventTimeTimer(e === 'null' ? 10 : 20);
    }
    override onTimer(ts: number, ctx: OnTimerContext<string>): void { emit(ctx, ts === 10 ? 'null' : 'undefined'); }
  }
  const k = await new OneInputHarness<E, never>(new KeyedProcessOperator(new K()), () => 'k').open();
  k.processElement('null', 1);
  k.processElement('undefined', 1);
  check('KeyedProcessFunction', k, (e) => (e === 'tag' ? k.processElement(e, 1) : k.processWatermark(e === 'null' ? 10 : 20)));
});

test('CoProcessFunction and KeyedCoProcessFunction, both inputs', async () => {
  class C extends CoProcessFunction<E, E, never> {
    processElement1(e: E, ctx: CoProcessContext): void { emit(ctx, e); }
    processElement2(e: E, ctx: CoProcessContext): void { emit(ctx, e); }
  }
  const c = await new TwoInputHarness<E, E, never>(new CoProcessOperator(new C())).open();
  check('CoProcessFunction input 1', c, (e) => c.processElement1(e, 1));
  c.output.clear();
  check('CoProcessFunction input 2', c, (e) => c.processElement2(e, 1));

  class KC extends KeyedCoProcessFunction<string, E, E, never> {
    processElement1(e: E, ctx: CoProcessContext): void { emit(ctx, e); }
    processElement2(e: E, ctx: CoProcessContext): void { emit(ctx, e); }
  }
  const kc = await new TwoInputHarness<E, E, never>(new KeyedCoProcessOperator(new KC()), () => 'k', () => 'k').open();
  check('KeyedCoProcessFunction input 1', kc, (e) => kc.processElement1(e, 1));
  kc.output.clear();
  check('KeyedCoProcessFunction input 2', kc, (e) => kc.processElement2(e, 1));
});

test('BroadcastProcessFunction and KeyedBroadcastProcessFunction, both sides', async () => {
  class B extends BroadcastProcessFunction<E, E, never> {
    processElement(e: E, ctx: BroadcastBaseContext): void { emit(ctx, e); }
    processBroadcastElement(e: E, ctx: BroadcastBaseContext): void { emit(ctx, e); }
  }
  const b = await new TwoInputHarness<E, E, never>(new CoBroadcastWithNonKeyedOperator(new B(), []), undefined, undefined, { keyed: false }).open();
  check('BroadcastProcessFunction element', b, (e) => b.processElement1(e, 1));
  b.output.clear();
  check('BroadcastProcessFunction broadcast element', b, (e) => b.processElement2(e, 1));

  class KB extends KeyedBroadcastProcessFunction<string, E, E, never> {
    processElement(e: E, ctx: BroadcastBaseContext): void { emit(ctx, e); }
    processBroadcastElement(e: E, ctx: BroadcastBaseContext): void { emit(ctx, e); }
  }
  const kb = await new TwoInputHarness<E, E, never>(new CoBroadcastWithKeyedOperator(new KB(), []), () => 'k', () => 'k').open();
  check('KeyedBroadcastProcessFunction element', kb, (e) => kb.processElement1(e, 1));
  kb.output.clear();
  check('KeyedBroadcastProcessFunction broadcast element', kb, (e) => kb.processElement2(e, 1));
});

test('ProcessWindowFunction (process and clear) and ProcessJoinFunction', async () => {
  let clearWith: E = 'tag';
  class W extends ProcessWindowFunction<E, never, string, TimeWindow> {
    process(_k: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<E>): void { for (const e of elements) emit(ctx, e); }
    override clear(ctx: ProcessWindowContext<TimeWindow>): void { if (clearWith !== 'tag') emit(ctx, clearWith); }
  }
  const op = new WindowOperator<E, E[], never, string, TimeWindow>({
    assigner: TumblingEventTimeWindows.of<E>(10), trigger: TumblingEventTimeWindows.of<E>(10).getDefaultTrigger(),
    contents: new ListStateDescriptor<E>('contents'), windowFunction: new IterableWindowFunction<E, never, string, TimeWindow>(new W()),
  });
  const w = await new OneInputHarness<E, never>(op, () => 'k').open();
  let window = 0;
  check('ProcessWindowFunction', w, (e) => { w.processElement(e, window * 10); w.processWatermark(window++ * 10 + 9); });
  clearWith = 'null';
  w.processElement('tag', 100);
  assert.throws(() => w.processWatermark(109), NOT_NULL, 'ProcessWindowFunction.clear');

  class J extends ProcessJoinFunction<E, E, never> { processElement(l: E, _r: E, ctx: ProcessJoinContext): void { emit(ctx, l); } }
  const j = await new TwoInputHarness<E, E, never>(new IntervalJoinOperator<E, E, never>({ lowerBound: 0, upperBound: 0 }, new J()), () => 'k', () => 'k').open();
  let ts = 0;
  j.processElement2('tag', 0);
  j.processElement2('tag', 1);
  j.processElement2('tag', 2);
  check('ProcessJoinFunction', j, (e) => j.processElement1(e, ts++));
});

test.run();
