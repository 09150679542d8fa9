import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { Random, testSeed } from '../../support/random.ts';

const noCtx = { getCurrentProcessingTime: () => 0 };

/** Brute force: every aligned start within (ts - size, ts], as sorted "start:end" strings. */
function windowsByBruteForce(ts: number, size: number, slide: number, offset: number): string[] {
  const expected: string[] = [];
  for (let s = ts - size + 1; s <= ts; s++) {
    if ((((s - offset) % slide) + slide) % slide === 0) expected.push(`${s}:${s + size}`);
  }
  return expected.sort();
}

test('randomized: exactly the windows [s, s + size) with s ≡ offset mod slide that contain the timestamp', () => {
  const seed = testSeed('sliding');
  const rnd = new Random(seed);
  for (let i = 0; i < 5000; i++) {
    const slide = rnd.int(1, 300);
    const size = rnd.int(1, 1200);
    const offset = rnd.int(-(slide - 1), slide - 1);
    const ts = rnd.int(-1e6, 1e6);
    const got = SlidingEventTimeWindows.of(size, slide, offset).assignWindows(null, ts, noCtx).map((w) => `${w.start}:${w.end}`).sort();
    assert.equal(got, windowsByBruteForce(ts, size, slide, offset), `seed ${seed}: size ${size} slide ${slide} offset ${offset} ts ${ts}`);
  }
});

test('randomized: one assigner over nearby timestamps (its cache) gives exactly the brute-force windows', () => {
  const seed = testSeed('sliding-cache');
  const rnd = new Random(seed);
  for (let round = 0; round < 200; round++) {
    const slide = rnd.int(1, 40);
    const size = rnd.int(1, 150);
    const offset = rnd.int(-(slide - 1), slide - 1);
    const assigner = SlidingEventTimeWindows.of(size, slide, offset);
    let ts = rnd.int(-500, 500);
    for (let i = 0; i < 200; i++) {
      ts += rnd.int(-3, 6);
      const got = assigner.assignWindows(null, ts, noCtx).map((w) => `${w.start}:${w.end}`).sort();
      assert.equal(got, windowsByBruteForce(ts, size, slide, offset), `seed ${seed}: size ${size} slide ${slide} offset ${offset} ts ${ts} (step ${i})`);
    }
  }
});

test('an element belongs to size / slide windows; the last pane is cached', () => {
  const a = SlidingEventTimeWindows.of(10_000, 1000);
  const w = a.assignWindows(null, 12_500, noCtx);
  assert.is(w.length, 10);
  assert.is(a.assignWindows(null, 12_999, noCtx), w);
  assert.equal([w[0].start, w[9].start], [12_000, 3000]);
  assert.is(a.windowOf(a.namespaceOf(w[3])).start, w[3].start);
  assert.is(a.windowOf(a.namespaceOf(w[3])).end, w[3].end);
});

test('processing time and validation', () => {
  const p = SlidingProcessingTimeWindows.of(100, 50);
  assert.equal(p.assignWindows(null, 0, { getCurrentProcessingTime: () => 120 }).map((w) => w.start), [100, 50]);
  assert.throws(() => SlidingEventTimeWindows.of(100, 0), /slide > 0/);
  assert.throws(() => SlidingEventTimeWindows.of(100, 50, 50), /offset/);
  assert.throws(() => SlidingEventTimeWindows.of(100, 50).assignWindows(null, -Infinity, noCtx), /timestamp/);
});

test.run();
