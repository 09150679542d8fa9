import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { EventTimeTrigger } from '../../../api/windowing/event-time-trigger.ts';
import { ProcessingTimeTrigger } from '../../../api/windowing/processing-time-trigger.ts';
import { Random, testSeed } from '../../support/random.ts';

const noCtx = { getCurrentProcessingTime: () => 0 };

test('randomized: every timestamp in exactly the window [start, start + size) with start ≡ offset mod size', () => {
  const seed = testSeed('tumbling');
  const rnd = new Random(seed);
  for (let i = 0; i < 20_000; i++) {
    const size = rnd.int(1, 5000);
    const offset = rnd.int(-(size - 1), size - 1);
    const ts = rnd.int(-1e9, 1e9);
    const windows = TumblingEventTimeWindows.of(size, offset).assignWindows(null, ts, noCtx);
    assert.is(windows.length, 1);
    const w = windows[0];
    assert.ok(w.start <= ts && ts < w.end, `seed ${seed}: ${ts} not in ${w}`);
    assert.is(w.end - w.start, size);
    assert.is((((w.start - offset) % size) + size) % size, 0, `seed ${seed}: misaligned ${w}`);
  }
});

test('randomized: one assigner over nearby timestamps (its cache) gives exactly the window holding each', () => {
  const seed = testSeed('tumbling-cache');
  const rnd = new Random(seed);
  for (let round = 0; round < 200; round++) {
    const size = rnd.int(1, 60);
    const offset = rnd.int(-(size - 1), size - 1);
    const assigner = TumblingEventTimeWindows.of(size, offset);
    let ts = rnd.int(-500, 500);
    for (let i = 0; i < 200; i++) {
      ts += rnd.int(-3, 6);
      const [w, ...rest] = assigner.assignWindows(null, ts, noCtx);
      assert.equal(rest, []);
      assert.ok(w.start <= ts && ts < w.end && w.end - w.start === size && (((w.start - offset) % size) + size) % size === 0,
        `seed ${seed}: size ${size} offset ${offset} ts ${ts} got ${w.start}:${w.end}`);
    }
  }
});

test('consecutive timestamps of one window reuse the same array; namespaces round-trip', () => {
  const a = TumblingEventTimeWindows.of(1000);
  const w1 = a.assignWindows(null, 1500, noCtx);
  assert.is(a.assignWindows(null, 1999, noCtx), w1);
  const w2 = a.assignWindows(null, 2000, noCtx);
  assert.is.not(w2, w1);
  assert.equal([w2[0].start, w2[0].end, w2[0].maxTimestamp()], [2000, 3000, 2999]);
  assert.is(a.namespaceOf(w2[0]), 2000);
  assert.ok(a.windowOf(1000).equals(new TimeWindow(1000, 2000)));
});

test('negative timestamps and the epoch boundary', () => {
  const a = TumblingEventTimeWindows.of(1000);
  assert.equal([a.assignWindows(null, -1, noCtx)[0].start, a.assignWindows(null, 0, noCtx)[0].start, a.assignWindows(null, -1000, noCtx)[0].start], [-1000, 0, -1000]);
});

test('event time needs a timestamp; bad sizes and offsets are rejected', () => {
  assert.throws(() => TumblingEventTimeWindows.of(1000).assignWindows(null, -Infinity, noCtx), /assignTimestampsAndWatermarks/);
  assert.throws(() => TumblingEventTimeWindows.of(0), /size must be > 0/);
  assert.throws(() => TumblingEventTimeWindows.of(10, 10), /offset/);
});

test('processing time uses the clock, default triggers and time domains', () => {
  let now = 12_345;
  const ctx = { getCurrentProcessingTime: () => now };
  const p = TumblingProcessingTimeWindows.of(1000);
  assert.is(p.assignWindows(null, 1, ctx)[0].start, 12_000);
  now = 13_000;
  assert.is(p.assignWindows(null, 1, ctx)[0].start, 13_000);
  assert.ok(p.getDefaultTrigger() instanceof ProcessingTimeTrigger);
  assert.not.ok(p.isEventTime());
  const e = TumblingEventTimeWindows.of(1000);
  assert.ok(e.getDefaultTrigger() instanceof EventTimeTrigger);
  assert.ok(e.isEventTime());
  assert.is(e.assignWindows(null, 5, noCtx)[0].start, 0);
});

test.run();
