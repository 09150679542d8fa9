// The window buffer: windows drain by firing time, and each window's keys in the order of their
// first element (the order the window operator's timers would fire them in).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WindowBuffer } from '../../../api/windowing/window-buffer.ts';

test('the buffer drains windows by firing time, and each window\'s keys in the order of their first element', () => {
  const buffer = new WindowBuffer<number, string>({ first: (v) => [v], add: (v, p) => [...(p as number[]), v] });
  const wLate = buffer.window('late', 20, 29);
  const wEarly = buffer.window('early', 10, 19);
  buffer.add(buffer.keyWindows('x'), wLate, 1, -1);
  buffer.add(buffer.keyWindows('y'), wEarly, 2, -1);
  buffer.add(buffer.keyWindows('x'), wEarly, 3, -1);
  buffer.add(buffer.keyWindows('y'), wEarly, 4, -1);
  assert.is(buffer.window('early', 10, 19), wEarly, 'a window is opened once');
  assert.is(buffer.size, 3);
  assert.is(buffer.takeDue(18), undefined, 'nothing fires before its time');
  const first = buffer.takeDue(29)!;
  assert.is(first.window, 'early');
  assert.equal(first.keys.map((k, i) => [k.key, first.partials[i]]), [['y', [2, 4]], ['x', [3]]]);
  assert.is(first.live, false);
  assert.is(buffer.takeDue(29)!.window, 'late');
  assert.is(buffer.takeDue(Infinity), undefined);
  assert.is(buffer.size, 0);
});

test('a key\'s windows are found among several, and a drained key is forgotten', () => {
  const buffer = new WindowBuffer<number, string>({ first: (v) => v, add: (v, p) => (p as number) + v });
  const windows = ['w0', 'w1', 'w2'].map((name, i) => buffer.window(name, i * 10, i * 10 + 9));
  const key = buffer.keyWindows(['composite', 1]);
  // As the operator adds an element: newest window first, each next to the previous one.
  const addElement = (v: number): number[] => {
    const at: number[] = [];
    for (let i = windows.length - 1, prev = -1; i >= 0; i--) at.push(prev = buffer.add(key, windows[i], v, prev));
    return at;
  };
  assert.equal(addElement(1), [0, 0, 0], 'new windows go before the newer ones');
  assert.equal(key.windows, windows, 'a key\'s windows are in firing order');
  assert.equal(addElement(2), [2, 1, 0]);
  // Misleading or out-of-range positions: the value still lands in its window.
  assert.is(buffer.add(key, windows[1], 3, 0), 1);
  assert.is(buffer.add(key, windows[0], 3, 7), 0);
  assert.is(buffer.add(key, windows[2], 0, 1), 2);
  assert.is(buffer.keyWindows(['composite', 1]), key, 'composite keys compare by value');
  // Out of order: an older window opened later still takes its place in firing order.
  const other = buffer.keyWindows('other');
  for (const i of [2, 0, 1]) buffer.add(other, windows[i], 1, -1);
  assert.equal(other.windows, windows);
  assert.equal(key.partials, [6, 6, 3]);
  assert.equal(other.partials, [1, 1, 1]);
  for (const w of windows) {
    assert.is(buffer.takeDue(Infinity), w, 'windows drain in firing order');
    assert.equal(w.keys.map((k) => k.key), [['composite', 1], 'other']);
    assert.equal(w.partials, [w === windows[2] ? 3 : 6, 1]);
  }
  assert.is.not(buffer.keyWindows(['composite', 1]), key, 'a key without buffered windows is dropped');
});

test('a key that keeps windows open while older ones drain: positions stay right across compaction', () => {
  const buffer = new WindowBuffer<number, number>({ first: (v) => v, add: (v, p) => (p as number) + v });
  const windows = Array.from({ length: 300 }, (_, i) => buffer.window(i, i, i));
  const key = buffer.keyWindows('k');
  for (let i = 0; i < 200; i++) buffer.add(key, windows[i], i, -1);
  for (let i = 0; i < 150; i++) {
    const w = buffer.takeDue(i)!;
    assert.equal([w.window, w.partials], [i, [i]]);
    // The key keeps receiving elements in its open windows and in new ones meanwhile.
    buffer.add(key, windows[150 + (i % 50)], 1000, -1);
    buffer.add(key, windows[200 + i % 100], 1, -1);
  }
  assert.is(buffer.keyWindows('k'), key, 'the key still has windows');
  for (let i = 150; i < 300; i++) {
    const w = buffer.takeDue(Infinity)!;
    const expected = i < 200 ? i + 3000 : (i - 200 < 50 ? 2 : 1);
    assert.equal([w.window, w.partials], [i, [expected]], `window ${i}`);
  }
  assert.is(buffer.size, 0);
  assert.is.not(buffer.keyWindows('k'), key);
});

test.run();
