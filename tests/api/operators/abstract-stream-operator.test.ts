// The operator base class: watermark tracking and forwarding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbstractStreamOperator } from '../../../api/operators/abstract-stream-operator.ts';
import { harness } from './operator-harness.ts';

class Echo extends AbstractStreamOperator<number> {
  processElement(v: number, t: number): void { this.output.collect(v + this.currentWatermark, t); }
}

test('tracks the current watermark and forwards watermarks and status', async () => {
  const h = await harness(new Echo());
  h.watermark(10);
  h.process(1, 0);
  new Echo().processWatermarkStatus.call({ output: { emitWatermarkStatus: (i: boolean) => h.recorded.statuses.push(i) } } as never, true);
  assert.equal(h.recorded.records, [[11, 0]]);
  assert.equal(h.recorded.watermarks, [10]);
  assert.equal(h.recorded.statuses, [true]);
});

test.run();
