import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimeEvictor } from '../../../api/windowing/time-evictor.ts';
import { GlobalWindow } from '../../../api/windowing/time-window.ts';

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };

test('keeps elements newer than (newest - windowSize)', () => {
  const els = [5, 40, 10, 31, 30].map((t) => ({ value: t, timestamp: t }));
  TimeEvictor.of(10).evictBefore(els, els.length, GlobalWindow.get(), ctx);
  assert.equal(els.map((e) => e.value), [40, 31]);
  const after = [1, 2, 50].map((t) => ({ value: t, timestamp: t }));
  const e = TimeEvictor.of(5, true);
  e.evictBefore(after, 3, GlobalWindow.get(), ctx);
  assert.is(after.length, 3);
  e.evictAfter(after, 3, GlobalWindow.get(), ctx);
  assert.equal(after.map((x) => x.value), [50]);
});

test('elements without timestamps are left alone', () => {
  const els = [{ value: 1, timestamp: -Infinity }, { value: 2, timestamp: -Infinity }];
  TimeEvictor.of(1).evictBefore(els, 2, GlobalWindow.get(), ctx);
  assert.is(els.length, 2);
});

test.run();
