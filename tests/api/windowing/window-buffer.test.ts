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
  assert.equal(first.entries.map((c) => [c.keyWindows.key, c.partial]), [['y', [2, 4]], ['x', [3]]]);
  assert.is(first.live, false);
  assert.is(buffer.takeDue(29)!.window, 'late');
  assert.is(buffer.takeDue(Infinity), undefined);
  assert.is(buffer.size, 0);
});

test('a key\'s windows are found among several, and a drained key is forgotten', () => {
  const buffer = new WindowBuffer<number, string>({ first: (v) => v, add: (v, p) => (p as number) + v });
  const windows = ['w0', 'w1', 'w2'].map((name, i) => buffer.window(name, i * 10, i * 10 + 9));
  const key = buffer.keyWindows(['composite', 1]);
  // Hints right, wrong, out of range or absent: the value lands in its window either way.
  const hints = [-1, 0, 7, 1, 2, 0, 5, -1, 1];
  const positions: number[] = [];
  for (let round = 0; round < 3; round++) {
    windows.forEach((w, i) => positions.push(buffer.add(key, w, round + 1, hints[round * 3 + i])));
  }
  assert.equal(positions, [0, 1, 2, 0, 1, 2, 0, 1, 2]);
  assert.is(buffer.keyWindows(['composite', 1]), key, 'composite keys compare by value');
  assert.equal(windows.map((w) => w.entries.map((c) => c.partial)), [[6], [6], [6]]);
  buffer.takeDue(Infinity);
  buffer.takeDue(Infinity);
  buffer.takeDue(Infinity);
  assert.is.not(buffer.keyWindows(['composite', 1]), key, 'a key without buffered windows is dropped');
});

test.run();
