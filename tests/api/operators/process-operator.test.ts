// ProcessOperator: lifecycle, timestamps, side outputs, keyed-only features.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProcessFunction, type ProcessContext } from '../../../api/functions/process-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import type { RuntimeContext } from '../../../api/functions/runtime-context.ts';
import { ProcessOperator } from '../../../api/operators/process-operator.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import { harness } from './operator-harness.ts';

const small = new OutputTag<number>('small');

class Route extends ProcessFunction<number, string> {
  opened = '';
  closed = false;
  open(ctx: RuntimeContext): void { this.opened = `${ctx.getIndexOfThisSubtask()}/${ctx.getNumberOfParallelSubtasks()}`; }
  processElement(v: number, ctx: ProcessContext, out: Collector<string>): void {
    if (v < 10) ctx.output(small, v);
    else out.collect(`${v}@${ctx.timestamp()}/${ctx.timerService().currentWatermark()}`);
  }
  close(): void { this.closed = true; }
}

test('runs open, processElement with timestamp and side outputs, close', async () => {
  const fn = new Route();
  const op = new ProcessOperator(fn);
  const h = await harness(op, { subtaskIndex: 1, parallelism: 3 });
  assert.is(fn.opened, '1/3');
  h.watermark(7);
  h.process(5, 100); h.process(50, 200); h.process(60);
  assert.equal(h.recorded.records, [['50@200/7', 200], ['60@undefined/7', -Infinity]]);
  assert.equal(h.recorded.side, [['small', 5, 100]]);
  await op.close();
  assert.ok(fn.closed);
});

test('timers and keyed state need a keyed stream', async () => {
  class Bad extends ProcessFunction<number, number> {
    processElement(_v: number, ctx: ProcessContext): void { ctx.timerService().registerEventTimeTimer(1); }
  }
  const h = await harness(new ProcessOperator(new Bad()));
  assert.throws(() => h.process(1), /only supported on a keyed stream/);
  class BadState extends ProcessFunction<number, number> {
    open(ctx: RuntimeContext): void { ctx.getState({ kind: 'value', name: 'x', options: {} } as never); }
    processElement(): void {}
  }
  try { await harness(new ProcessOperator(new BadState())); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /keyed state is only available on a keyed stream \(operator "op under test"\)/);
  }
});

test.run();
