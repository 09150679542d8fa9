import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountEvictor } from '../../../api/windowing/count-evictor.ts';
import { GlobalWindow } from '../../../api/windowing/time-window.ts';

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };
const items = (n: number) => Array.from({ length: n }, (_, i) => ({ value: i, timestamp: i }));

test('keeps the last maxCount elements, before or after the window function', () => {
  const before = items(5);
  const e = CountEvictor.of(3);
  e.evictBefore(before, 5, GlobalWindow.get(), ctx);
  assert.equal(before.map((x) => x.value), [2, 3, 4]);
  e.evictAfter(before, 3, GlobalWindow.get(), ctx);
  assert.is(before.length, 3);
  const after = items(5);
  const a = CountEvictor.of(2, true);
  a.evictBefore(after, 5, GlobalWindow.get(), ctx);
  assert.is(after.length, 5);
  a.evictAfter(after, 5, GlobalWindow.get(), ctx);
  assert.equal(after.map((x) => x.value), [3, 4]);
  const few = items(2);
  e.evictBefore(few, 2, GlobalWindow.get(), ctx);
  assert.is(few.length, 2);
});

test.run();
