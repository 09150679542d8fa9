// SubtaskMetricsMeter: rates per second over a sliding window of samples, on a hand-driven clock:
// the first snapshot averages over the subtask's whole run, later ones over the last seconds, and
// time shares stay within 0..1000 ms per second.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TaskIOSample } from '../../../api/metrics/task-io-metrics.ts';
import { SUBTASK_METRIC_NAMES, SubtaskMetricsMeter, subtaskMetricsOf } from '../../../actors/observability/subtask-metrics.ts';

function source(): { sample: TaskIOSample; ioSample(): TaskIOSample } {
  const s = {
    sample: { numRecordsIn: 0, numRecordsOut: 0, busyTimeMs: 0, backPressuredTimeMs: 0, idleTimeMs: 0, currentInputWatermark: -Infinity, currentOutputWatermark: -Infinity } as TaskIOSample,
    ioSample: () => s.sample,
  };
  return s;
}

test('the first snapshot averages over the run so far; later ones over the window', () => {
  let now = 10_000;
  const src = source();
  const meter = new SubtaskMetricsMeter(src, () => now, 5000);
  // 2 s of running: 4000 records in, 1000 out, busy 500 ms, back-pressured 1000 ms, idle 500 ms.
  src.sample = { ...src.sample, numRecordsIn: 4000, numRecordsOut: 1000, busyTimeMs: 500, backPressuredTimeMs: 1000, idleTimeMs: 500, currentInputWatermark: 5, currentOutputWatermark: 4 };
  const first = meter.snapshot();
  assert.is(first.numRecordsInPerSecond, 2000);
  assert.is(first.numRecordsOutPerSecond, 500);
  assert.is(first.busyTimeMsPerSecond, 250);
  assert.is(first.backPressuredTimeMsPerSecond, 500);
  assert.is(first.idleTimeMsPerSecond, 250);
  assert.is(first.currentInputWatermark, 5);
  assert.is(first.currentOutputWatermark, 4);
  // Each following second: 100 records in, fully busy.
  for (let i = 1; i <= 10; i++) {
    now += 1000;
    src.sample = { ...src.sample, numRecordsIn: 4000 + 100 * i, busyTimeMs: 500 + 1000 * i };
    meter.snapshot();
  }
  const later = meter.snapshot();
  assert.is(later.numRecordsIn, 5000);
  assert.is(Math.round(later.numRecordsInPerSecond), 100, 'the window no longer holds the first 2 s');
  assert.is(Math.round(later.busyTimeMsPerSecond), 1000);
  assert.is(later.idleTimeMsPerSecond, 0);
});

test('a subtask\'s metrics are timed by its own clock when it has one (a simulation\'s virtual time)', () => {
  let now = 50_000;
  const src = Object.assign(source(), { monotonicNow: () => now });
  src.sample = { ...src.sample, busyTimeMs: 1000, idleTimeMs: 1000 };
  subtaskMetricsOf(src);
  now += 2000;
  src.sample = { ...src.sample, numRecordsIn: 300, busyTimeMs: 2000, idleTimeMs: 2000 };
  const snapshot = subtaskMetricsOf(src);
  assert.is(snapshot.numRecordsInPerSecond, 75, '300 records over the 4 s of its clock');
  assert.is(snapshot.busyTimeMsPerSecond, 500);
});

test('time shares are clamped to 0..1000; a snapshot has every metric name', () => {
  let now = 0;
  const src = source();
  const meter = new SubtaskMetricsMeter(src, () => now, 1000);
  meter.snapshot();
  now = 100;
  src.sample = { ...src.sample, busyTimeMs: 500 }; // more than the elapsed time (clocks differ slightly)
  const s = meter.snapshot();
  assert.is(s.busyTimeMsPerSecond, 1000);
  assert.equal(Object.keys(s).sort(), [...SUBTASK_METRIC_NAMES].sort());
  assert.throws(() => new SubtaskMetricsMeter(src, () => 0, 0), /rate window must be a positive number/);
});

test.run();
