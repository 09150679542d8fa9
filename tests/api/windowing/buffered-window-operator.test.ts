// The buffered window operator: buffered windows fire exactly as keyed state and timers would fire them
// (same records, same order, same timestamps), whatever mix of watermarks, snapshots (which copy
// the buffer into state) and buffer limits; a snapshot taken with windows buffered restores them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../../api/functions/process-window-function.ts';
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor, type AggregateFunction } from '../../../state/state-descriptors.ts';
import { SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { SlidingEventTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import type { TimeWindow } from '../../../api/windowing/time-window.ts';
import type { WindowAssigner } from '../../../api/windowing/window-assigner.ts';
import { WindowOperator, type WindowOperatorOptions } from '../../../api/windowing/window-operator.ts';
import { BufferedWindowOperator, canBufferWindows } from '../../../api/windowing/buffered-window-operator.ts';
import { Random, testSeed } from '../../support/random.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };

/** Sum and count of the values, in arrival order (so an order-sensitive fold would show). */
const sumCount: AggregateFunction<E, { sum: number; n: number; seq: number[] }, string> = {
  createAccumulator: () => ({ sum: 0, n: 0, seq: [] }),
  add: (e, acc) => { acc.sum += e.v; acc.n++; acc.seq.push(e.v); return acc; },
  getResult: (acc) => `${acc.sum}/${acc.n}/${acc.seq.join(',')}`,
  merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n, seq: [...a.seq, ...b.seq] }),
};

/**
 * Describes each firing with the watermark it saw, and counts firings per window in per-window
 * state (which must be cleared with the window, so the count stays 1).
 */
class Describe extends ProcessWindowFunction<string, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, results: Iterable<string>, out: Collector<string>): void {
    const fired = ctx.windowState.getState(new ValueStateDescriptor<number>('fired'));
    fired.update((fired.value() ?? 0) + 1);
    out.collect(`${key}|${ctx.window.start}|${[...results].join(';')}|wm ${ctx.currentWatermark}|fired ${fired.value()}`);
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    ctx.windowState.getState(new ValueStateDescriptor<number>('fired')).clear();
  }
}

type Op = WindowOperator<E, any, any, string, TimeWindow>;
type Options = WindowOperatorOptions<E, any, any, string, TimeWindow>;

/** The state path (bufferLimit 0) or the buffered operator with that limit. */
function operator(options: Options, bufferLimit: number): Op {
  return bufferLimit === 0 ? new WindowOperator(options) : new BufferedWindowOperator(options, bufferLimit);
}

function aggregateOperator(assigner: WindowAssigner<E, TimeWindow>, bufferLimit: number): Op {
  return operator({
    assigner, trigger: assigner.getDefaultTrigger(),
    contents: new AggregatingStateDescriptor('window-contents', sumCount),
    windowFunction: new SingleValueWindowFunction<string, string, string, TimeWindow>(new Describe()),
  }, bufferLimit);
}

/** An order-sensitive reduce that is not associative: partial results must never be merged. */
function reduceOperator(assigner: WindowAssigner<E, TimeWindow>, bufferLimit: number): Op {
  return operator({
    assigner, trigger: assigner.getDefaultTrigger(),
    contents: new ReducingStateDescriptor<E>('window-contents', (a, b) => ({ key: a.key, v: a.v * 31 + b.v })),
    windowFunction: new SingleValueWindowFunction<E, E, string, TimeWindow>(undefined),
  }, bufferLimit);
}

/** Snapshots where the runtime would: keyed state and timers are copied right after. */
function snapshot(op: Op, checkpointId: number): void {
  (op as Partial<BufferedWindowOperator<E, any, any, string, TimeWindow>>).snapshotState?.(checkpointId, 0);
}

type Step = { kind: 'element'; e: E; ts: number } | { kind: 'watermark'; ts: number } | { kind: 'snapshot' };

/** Random steps: disordered elements (some late), advancing watermarks, snapshots. */
function randomSteps(rnd: Random, n: number): Step[] {
  const steps: Step[] = [];
  let maxTs = 0;
  let wm = -Infinity;
  for (let i = 0; i < n; i++) {
    const ts = Math.max(0, maxTs + rnd.int(-40, 8));
    maxTs = Math.max(maxTs, ts);
    steps.push({ kind: 'element', e: { key: `k${rnd.int(0, 6)}`, v: i }, ts });
    if (rnd.chance(0.1)) { wm = Math.max(wm, maxTs - rnd.int(0, 30)); steps.push({ kind: 'watermark', ts: wm }); }
    if (rnd.chance(0.03)) steps.push({ kind: 'snapshot' });
  }
  steps.push({ kind: 'watermark', ts: Infinity });
  return steps;
}

async function run(op: Op, steps: readonly Step[]) {
  const h = await new OneInputHarness<E, unknown>(op, (e) => e.key).open();
  let checkpoint = 0;
  for (const step of steps) {
    if (step.kind === 'element') h.processElement(step.e, step.ts);
    else if (step.kind === 'watermark') h.processWatermark(step.ts);
    else snapshot(op, ++checkpoint);
  }
  return {
    records: h.output.records().map((r) => `${JSON.stringify(r.value)}@${r.timestamp}`),
    watermarks: h.output.watermarks(),
    dropped: op.numLateRecordsDropped,
    timers: h.timerServices.get('window-timers')!.numTimers(),
  };
}

const assigners: Array<[string, () => WindowAssigner<E, TimeWindow>]> = [
  ['tumbling', () => TumblingEventTimeWindows.of<E>(25)],
  ['sliding', () => SlidingEventTimeWindows.of<E>(30, 10)],
  ['sliding, slide not dividing size', () => SlidingEventTimeWindows.of<E>(25, 10)],
];

test('buffered windows fire as state and timers fire them: records, order, timestamps, watermarks, late drops', async () => {
  const seed = testSeed('window-buffer-equivalence');
  const rnd = new Random(seed);
  for (let round = 0; round < 24; round++) {
    const [name, assigner] = assigners[round % assigners.length];
    const make = round % 2 === 0 ? aggregateOperator : reduceOperator;
    const steps = randomSteps(rnd, 400);
    const unbuffered = await run(make(assigner(), 0), steps);
    const buffered = await run(make(assigner(), 1 << 20), steps);
    const tiny = await run(make(assigner(), rnd.int(1, 12)), steps);
    const context = `seed ${seed}, round ${round} (${name}, ${make.name})`;
    assert.ok(unbuffered.records.length > 0, context);
    assert.equal(buffered, unbuffered, context);
    assert.equal(tiny, unbuffered, `${context}, small buffer limit`);
    assert.equal(buffered.timers, { eventTime: 0, processingTime: 0 }, context);
  }
});

test('a snapshot copies buffered windows into keyed state and timers, and they restore', async () => {
  const assigner = TumblingEventTimeWindows.of<E>(100);
  const op = aggregateOperator(assigner, 1 << 20);
  const h = await new OneInputHarness<E, unknown>(op, (e) => e.key).open();
  h.processElement({ key: 'a', v: 1 }, 10);
  h.processElement({ key: 'b', v: 2 }, 20);
  h.processElement({ key: 'a', v: 3 }, 150);
  const timers = h.timerServices.get('window-timers')!;
  assert.equal(timers.numTimers().eventTime, 0, 'buffered windows register no timers');
  snapshot(op, 1);
  assert.equal(timers.numTimers().eventTime, 3);
  const keyed = h.backend!.snapshot();
  const timerSnapshot = timers.snapshot();
  // Elements after the snapshot join the buffered windows, which fire once from the buffer.
  h.processElement({ key: 'a', v: 4 }, 50);
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => r.value), [
    'a|0|5/2/1,4|wm Infinity|fired 1', 'b|0|2/1/2|wm Infinity|fired 1', 'a|100|3/1/3|wm Infinity|fired 1',
  ]);

  // A fresh operator restored from the snapshot fires what was buffered at snapshot time.
  // Restored windows stay in state: later elements join them there, in arrival order.
  const restored = aggregateOperator(assigner, 1 << 20);
  const h2 = new OneInputHarness<E, unknown>(restored, (e) => e.key);
  h2.backend!.restore([keyed]);
  h2.timerServices.get('window-timers')!.restore(timerSnapshot);
  await h2.open();
  h2.processElement({ key: 'b', v: 7 }, 30);
  h2.processElement({ key: 'c', v: 8 }, 40);
  h2.processWatermark(99);
  assert.equal(h2.output.records().map((r) => `${r.value}@${r.timestamp}`), [
    'a|0|1/1/1|wm 99|fired 1@99', 'b|0|9/2/2,7|wm 99|fired 1@99', 'c|0|8/1/8|wm 99|fired 1@99',
  ]);
  h2.processWatermark(Infinity);
  assert.equal(h2.output.records().length, 4);
});

test('windows are buffered only where the state path would fire them the same way', () => {
  const base = (assigner: WindowAssigner<E, TimeWindow>): Options => ({
    assigner, trigger: assigner.getDefaultTrigger(), contents: new AggregatingStateDescriptor('c', sumCount),
    windowFunction: new SingleValueWindowFunction<string, string, string, TimeWindow>(undefined),
  });
  const tumbling = TumblingEventTimeWindows.of<E>(10);
  assert.ok(canBufferWindows(base(tumbling)));
  assert.ok(canBufferWindows(base(SlidingEventTimeWindows.of<E>(10, 5))));
  assert.not.ok(canBufferWindows({ ...base(tumbling), allowedLateness: 5 }), 'late firings need the state path');
  assert.not.ok(canBufferWindows({ ...base(tumbling), trigger: CountTrigger.of(3) }), 'other triggers');
  assert.not.ok(canBufferWindows({ ...base(tumbling), contents: new ListStateDescriptor<E>('c') }), 'element lists');
  assert.not.ok(canBufferWindows(base(TumblingProcessingTimeWindows.of<E>(10))), 'processing time');
  assert.throws(() => new BufferedWindowOperator({ ...base(tumbling), allowedLateness: 5 }), /cannot be buffered/);
});

test.run();
