import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimestampsAndWatermarksOperator } from '../../../api/time/timestamps-and-watermarks-operator.ts';
import { WatermarkStrategy } from '../../../api/time/watermark-strategy.ts';
import { OneInputHarness } from '../windowing/operator-harness.ts';

type E = { ts: number };

async function harness(strategy: WatermarkStrategy<E>, interval = 200) {
  return new OneInputHarness<E, E>(new TimestampsAndWatermarksOperator(strategy, interval)).open();
}

test('assigns timestamps and emits periodic watermarks through processing timers', async () => {
  const h = await harness(WatermarkStrategy.forBoundedOutOfOrderness<E>(100).withTimestampAssigner((e) => e.ts));
  h.processElement({ ts: 1000 }, -Infinity);
  h.processElement({ ts: 950 }, -Infinity);
  assert.equal(h.output.records().map((r) => r.timestamp), [1000, 950]);
  assert.equal(h.output.watermarks(), []);
  h.advanceProcessingTimeTo(200);
  assert.equal(h.output.watermarks(), [899]);
  h.processElement({ ts: 1500 }, -Infinity);
  h.advanceProcessingTimeTo(399);
  assert.equal(h.output.watermarks(), [899]);
  h.advanceProcessingTimeTo(400);
  h.advanceProcessingTimeTo(600);
  // Re-registers every interval; a watermark that does not advance is not emitted again.
  assert.equal(h.output.watermarks(), [899, 1399]);
  assert.is(h.clock.pending(), 1);
});

test('upstream watermarks are swallowed except end of input; end of input emits +Infinity', async () => {
  const h = await harness(WatermarkStrategy.forMonotonousTimestamps<E>().withTimestampAssigner((e) => e.ts));
  h.processWatermark(5000);
  assert.equal(h.output.watermarks(), []);
  h.processElement({ ts: 10 }, -Infinity);
  h.processWatermark(Infinity);
  h.endInput();
  assert.equal(h.output.watermarks(), [Infinity]);
  h.advanceProcessingTimeTo(1000);
  assert.equal(h.output.watermarks(), [Infinity]);
  await h.close();
});

test('idleness: marks idle after the timeout, active again with the next record', async () => {
  const h = await harness(WatermarkStrategy.forMonotonousTimestamps<E>().withTimestampAssigner((e) => e.ts).withIdleness(500), 100);
  h.processElement({ ts: 10 }, -Infinity);
  h.advanceProcessingTimeTo(100);
  h.advanceProcessingTimeTo(700);
  for (let t = 200; t <= 700; t += 100) h.advanceProcessingTimeTo(t);
  const statuses = () => h.output.emitted.flatMap((e) => (e.kind === 'status' ? [e.idle] : []));
  assert.equal(statuses(), [true]);
  h.processElement({ ts: 20 }, -Infinity);
  assert.equal(statuses(), [true, false]);
  const order = h.output.emitted.map((e) => e.kind);
  assert.equal(order.slice(-2), ['status', 'record']);
});

test('without an assigner the record timestamp is kept; interval 0 disables periodic emission', async () => {
  const h = await harness(WatermarkStrategy.forMonotonousTimestamps<E>(), 0);
  h.processElement({ ts: 1 }, 77);
  h.advanceProcessingTimeTo(10_000);
  assert.equal(h.output.records(), [{ value: { ts: 1 }, timestamp: 77 }]);
  assert.equal(h.output.watermarks(), []);
  h.endInput();
  assert.equal(h.output.watermarks(), [76, Infinity]);
});

test.run();
