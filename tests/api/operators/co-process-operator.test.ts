import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import {
  CoProcessFunction, KeyedCoProcessFunction, type CoProcessContext, type KeyedCoOnTimerContext, type KeyedCoProcessContext,
} from '../../../api/functions/co-process-function.ts';
import { CoProcessOperator, KeyedCoProcessOperator } from '../../../api/operators/co-process-operator.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import { ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import { TwoInputHarness } from '../windowing/operator-harness.ts';

test('CoProcessOperator: both inputs, timestamps, side outputs; timers need keys', async () => {
  const tag = new OutputTag<number>('n');
  class Fn extends CoProcessFunction<string, number, string> {
    processElement1(v: string, ctx: CoProcessContext, out: Collector<string>): void { out.collect(`s:${v}@${ctx.timestamp()}`); }
    processElement2(v: number, ctx: CoProcessContext, out: Collector<string>): void {
      ctx.output(tag, v * 2);
      out.collect(`n:${v}@${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()}`);
      assert.throws(() => ctx.timerService().registerEventTimeTimer(1), /keyed stream/);
    }
  }
  const h = await new TwoInputHarness<string, number, string>(new CoProcessOperator(new Fn())).open();
  h.processElement1('x', 5);
  h.processWatermark(7);
  h.processElement2(3, -Infinity);
  assert.equal(h.output.records().map((r) => r.value), ['s:x@5', 'n:3@undefined wm=7']);
  assert.equal(h.output.side('n'), [6]);
  assert.equal(h.output.watermarks(), [7]);
});

test('KeyedCoProcessOperator: shared keyed state across inputs, event and processing timers per key', async () => {
  const last = new ValueStateDescriptor<string>('last');
  class Fn extends KeyedCoProcessFunction<string, { k: string; v: string }, { k: string; n: number }, string> {
    private rc!: RuntimeContext;
    override open(rc: RuntimeContext): void { this.rc = rc; }
    processElement1(e: { k: string; v: string }, ctx: KeyedCoProcessContext<string>): void {
      this.rc.getState(last).update(e.v);
      ctx.timerService().registerEventTimeTimer(100);
    }
    processElement2(e: { k: string; n: number }, ctx: KeyedCoProcessContext<string>, out: Collector<string>): void {
      out.collect(`${ctx.getCurrentKey()} last=${this.rc.getState(last).value()} n=${e.n}`);
      ctx.timerService().registerProcessingTimeTimer(50);
    }
    override onTimer(ts: number, ctx: KeyedCoOnTimerContext<string>, out: Collector<string>): void {
      out.collect(`timer ${ctx.timeDomain()} ${ctx.getCurrentKey()} ${ts} last=${this.rc.getState(last).value()} ts=${ctx.timestamp()}`);
    }
  }
  const h = await new TwoInputHarness<{ k: string; v: string }, { k: string; n: number }, string>(
    new KeyedCoProcessOperator(new Fn()), (e) => e.k, (e) => e.k).open();
  h.processElement1({ k: 'a', v: 'A1' }, 1);
  h.processElement1({ k: 'b', v: 'B1' }, 2);
  h.processElement2({ k: 'a', n: 7 }, 3);
  h.advanceProcessingTimeTo(60);
  h.processWatermark(100);
  assert.equal(h.output.records().map((r) => r.value), [
    'a last=A1 n=7', 'timer processing-time a 50 last=A1 ts=undefined',
    'timer event-time a 100 last=A1 ts=100', 'timer event-time b 100 last=B1 ts=100',
  ]);
  assert.equal(h.output.watermarks(), [100]);
});

test.run();
