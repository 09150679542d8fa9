// TaskIOMetrics: busy, back-pressured and idle time add up to the time since the subtask started,
// back-pressure counts from the first blocked output to the moment every output is writable again,
// and times stop at the end. Times are passed in (no clock is read).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TaskIOMetrics } from '../../../api/metrics/task-io-metrics.ts';

test('busy + back-pressured + idle = elapsed; records and watermarks are what was set', () => {
  const m = new TaskIOMetrics();
  m.start(1000);
  m.busyTimeMs += 300;
  m.markBlocked(1400);
  m.markBlocked(1450); // a second output blocking changes nothing
  m.markWritable(1600);
  m.numRecordsIn += 2048;
  m.currentInputWatermark = 77;
  const s = m.sample(2000, 512, 70);
  assert.equal(s, {
    numRecordsIn: 2048, numRecordsOut: 512, busyTimeMs: 300, backPressuredTimeMs: 200, idleTimeMs: 500,
    currentInputWatermark: 77, currentOutputWatermark: 70,
  });
});

test('an ongoing back-pressure counts up to now; the end stops every time', () => {
  const m = new TaskIOMetrics();
  m.start(0);
  m.markBlocked(100);
  assert.is(m.sample(400, 0, -Infinity).backPressuredTimeMs, 300);
  m.end(500);
  const s = m.sample(10_000, 0, -Infinity);
  assert.is(s.backPressuredTimeMs, 400);
  assert.is(s.idleTimeMs, 100);
  assert.is(s.busyTimeMs + s.backPressuredTimeMs + s.idleTimeMs, 500);
});

test('before it starts a subtask has no time at all', () => {
  const m = new TaskIOMetrics();
  m.busyTimeMs = 5;
  const s = m.sample(1000, 0, -Infinity);
  assert.equal([s.busyTimeMs, s.backPressuredTimeMs, s.idleTimeMs], [0, 0, 0]);
  assert.is(s.currentInputWatermark, -Infinity);
});

test.run();
