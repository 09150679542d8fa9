// KeyedProcessOperator: keyed state and event/processing-time timers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../api/functions/keyed-process-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import { KeyedProcessOperator } from '../../../api/operators/keyed-process-operator.ts';
import { ValueStateDescriptor, type ValueState } from '../../../state/state-descriptors.ts';
import { harness } from './operator-harness.ts';

class SumThenReport extends KeyedProcessFunction<string, [string, number], string> {
  private sum!: ValueState<number>;
  open(ctx: RuntimeContext): void { this.sum = ctx.getState(new ValueStateDescriptor<number>('sum', { defaultValue: 0 })); }
  processElement(v: [string, number], ctx: KeyedContext<string>, _out: Collector<string>): void {
    this.sum.update(this.sum.value()! + v[1]);
    ctx.timerService().registerEventTimeTimer(100);
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 50);
  }
  onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}=${this.sum.value()} ${ctx.timeDomain()}@${ts}`);
  }
}

test('keyed state per key; event-time timers fire on the watermark, once per key and timestamp', async () => {
  const h = await harness(new KeyedProcessOperator(new SumThenReport()), { keyBy: (v: [string, number]) => v[0] });
  h.process(['a', 1], 1); h.process(['b', 10], 2); h.process(['a', 2], 3);
  h.watermark(99);
  assert.equal(h.values(), []);
  h.watermark(100);
  assert.equal(h.values().sort(), ['a=3 event-time@100', 'b=10 event-time@100']);
  assert.equal(h.recorded.watermarks, [99, 100]);
  assert.ok(h.recorded.records.every(([, t]) => t === 100));
});

test('processing-time timers fire when processing time advances, without a timestamp', async () => {
  const h = await harness(new KeyedProcessOperator(new SumThenReport()), { keyBy: (v: [string, number]) => v[0] });
  h.process(['a', 5], 1);
  h.advanceProcessingTime(49);
  assert.equal(h.values(), []);
  h.advanceProcessingTime(1);
  assert.equal(h.recorded.records, [['a=5 processing-time@50', -Infinity]]);
});

test('without keyed state the operator refuses to start', async () => {
  try { await harness(new KeyedProcessOperator(new SumThenReport())); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /needs keyed state/);
  }
});

test.run();
