import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GlobalWindow, TimeWindow } from '../../../api/windowing/time-window.ts';
import { Random, testSeed } from '../../support/random.ts';

test('end is exclusive: maxTimestamp is end - 1; intersects includes touching windows', () => {
  const w = new TimeWindow(0, 10);
  assert.is(w.maxTimestamp(), 9);
  assert.ok(w.intersects(new TimeWindow(10, 20)));
  assert.not.ok(w.intersects(new TimeWindow(11, 20)));
  assert.ok(w.cover(new TimeWindow(5, 30)).equals(new TimeWindow(0, 30)));
  assert.not.ok(w.equals(new TimeWindow(0, 11)));
  assert.is(String(w), 'TimeWindow{start=0, end=10}');
  assert.is(GlobalWindow.get(), GlobalWindow.get());
});

test('randomized: window start with offset is aligned, at most the timestamp, less than a size behind', () => {
  const seed = testSeed('window-start');
  const rnd = new Random(seed);
  for (let i = 0; i < 20_000; i++) {
    const size = rnd.int(1, 10_000);
    const offset = rnd.int(-size + 1, size - 1);
    const ts = rnd.int(-1e9, 1e9);
    const start = TimeWindow.getWindowStartWithOffset(ts, offset, size);
    assert.ok(start <= ts && ts - start < size, `seed ${seed}`);
    assert.is((((start - offset) % size) + size) % size, 0, `seed ${seed}`);
  }
});

test('namespaces round-trip, including negative bounds', () => {
  for (const w of [new TimeWindow(0, 1), new TimeWindow(-50, -10), new TimeWindow(1_700_000_000_000, 1_700_000_001_000)]) {
    assert.ok(TimeWindow.fromNamespace(TimeWindow.toNamespace(w)).equals(w));
  }
});

test.run();
