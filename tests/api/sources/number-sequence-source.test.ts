// Sequence splits and the range reader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NumberSequenceSource, RangeReader, splitRange } from '../../../api/sources/number-sequence-source.ts';
import type { ReaderOutput } from '../../../api/sources/source.ts';

const collector = (into: number[]): ReaderOutput<number> => ({
  collect: (v) => { into.push(v); }, createOutputForSplit() { return this; }, releaseOutputForSplit() {}, markIdle() {},
});

test('splitRange covers [from, to] exactly with near-equal contiguous ranges', () => {
  for (const [from, to, n] of [[1, 10, 3], [0, 0, 4], [5, 4, 2], [-7, 100, 8]] as const) {
    const splits = splitRange(from, to, n);
    const covered: number[] = [];
    for (const s of splits) for (let i = s.next; i <= s.end; i++) covered.push(i);
    assert.equal(covered, Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i));
    const sizes = splits.map((s) => s.end - s.next + 1);
    if (sizes.length) assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
});

test('the reader emits its splits in batches, ends after no-more-splits, and snapshots its position', () => {
  const reader = new RangeReader<number>((n) => n, 4);
  const got: number[] = [];
  assert.is(reader.pollNext(collector(got)), 'nothing-available');
  reader.addSplits([{ splitId: 's', next: 1, end: 10 }]);
  reader.pollNext(collector(got));
  assert.equal(got, [1, 2, 3, 4]);
  assert.equal(reader.snapshotState(), [{ splitId: 's', next: 5, end: 10 }]);
  reader.notifyNoMoreSplits();
  while (reader.pollNext(collector(got)) === 'more-available');
  assert.equal(got, Array.from({ length: 10 }, (_, i) => i + 1));
  assert.is(reader.pollNext(collector(got)), 'end-of-input');
});

test('rejects unsafe bounds', () => {
  assert.throws(() => new NumberSequenceSource(0, 2 ** 60), /safe integers/);
});

test.run();
