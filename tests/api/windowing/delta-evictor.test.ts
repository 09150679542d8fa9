import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeltaEvictor as Exported } from '../../../api/index.ts';
import { DeltaEvictor } from '../../../api/windowing/delta-evictor.ts';
import { GlobalWindow } from '../../../api/windowing/time-window.ts';

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };
const items = (...values: number[]) => values.map((value, i) => ({ value, timestamp: i }));
const distance = (a: number, b: number) => Math.abs(b - a);

test('evicts the elements whose delta to the last element is >= threshold, keeping order', () => {
  const elements = items(1, 9, 2, 7, 8, 10);
  DeltaEvictor.of(3, distance).evictBefore(elements, elements.length, GlobalWindow.get(), ctx);
  // Deltas to 10: 9, 1, 8, 3, 2, 0: the ones at 3 or more go (3 is the threshold itself).
  assert.equal(elements, [{ value: 9, timestamp: 1 }, { value: 8, timestamp: 4 }, { value: 10, timestamp: 5 }]);
});

test('before or after the window function, as chosen', () => {
  const before = DeltaEvictor.of(1, distance);
  const after = DeltaEvictor.of(1, distance, true);
  const a = items(0, 5);
  after.evictBefore(a, 2, GlobalWindow.get(), ctx);
  assert.is(a.length, 2, 'an evict-after evictor leaves the elements alone before');
  after.evictAfter(a, 2, GlobalWindow.get(), ctx);
  assert.equal(a.map((e) => e.value), [5]);
  const b = items(0, 5);
  before.evictAfter(b, 2, GlobalWindow.get(), ctx);
  assert.is(b.length, 2, 'an evict-before evictor leaves the elements alone after');
  before.evictBefore(b, 2, GlobalWindow.get(), ctx);
  assert.equal(b.map((e) => e.value), [5]);
  assert.is(after.doEvictAfter, true);
  assert.is(before.threshold, 1);
});

test('the delta function gets (older, last) and may be signed, or an object with getDelta', () => {
  const calls: Array<[number, number]> = [];
  const elements = items(5, 1, 3);
  DeltaEvictor.of(1, { getDelta: (older: number, last: number) => { calls.push([older, last]); return last - older; } })
    .evictBefore(elements, 3, GlobalWindow.get(), ctx);
  assert.equal(calls, [[5, 3], [1, 3], [3, 3]]);
  // 3 - 5 = -2 stays, 3 - 1 = 2 goes, 3 - 3 = 0 stays.
  assert.equal(elements.map((e) => e.value), [5, 3]);
});

test('a threshold at or below the last element\'s delta to itself evicts it too; empty windows are left alone', () => {
  const all = items(1, 2, 3);
  DeltaEvictor.of(0, distance).evictBefore(all, 3, GlobalWindow.get(), ctx);
  assert.equal(all, []);
  const none: Array<{ value: number; timestamp: number }> = [];
  DeltaEvictor.of(0, distance).evictBefore(none, 0, GlobalWindow.get(), ctx);
  assert.equal(none, []);
});

test('bad arguments are refused with a clear error; the class is exported from the package entry', () => {
  assert.throws(() => DeltaEvictor.of(Number.NaN, distance), /numeric threshold/);
  assert.throws(() => DeltaEvictor.of('2' as never, distance), /numeric threshold/);
  assert.throws(() => DeltaEvictor.of(1, undefined as never), /delta function/);
  assert.throws(() => DeltaEvictor.of(1, { delta: distance } as never), /delta function/);
  assert.is(Exported, DeltaEvictor);
});

test.run();
