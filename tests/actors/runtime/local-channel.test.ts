// LocalChannel: credits bound the queue, order is kept, the listeners fire on the edges.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalChannel } from '../../../actors/runtime/local-channel.ts';
import { createRecordBatch } from '../../../api/stream-elements.ts';
import type { ChannelElement } from '../../../api/stream-elements.ts';

const wm = (t: number): ChannelElement => ({ kind: 'watermark', timestamp: t });

test('holds at most `credits` elements, in order, and refuses more', () => {
  const ch = new LocalChannel(3, 'a->b');
  assert.ok(ch.hasCredit());
  ch.push(wm(1)); ch.push(wm(2)); ch.push(wm(3));
  assert.is(ch.size, 3);
  assert.not.ok(ch.hasCredit());
  assert.throws(() => ch.push(wm(4)), /a->b overflow/);
  assert.equal(ch.poll(), wm(1));
  ch.push(wm(4));
  assert.equal([ch.poll(), ch.poll(), ch.poll(), ch.poll()], [wm(2), wm(3), wm(4), undefined]);
  assert.is(ch.highWaterMark, 3);
});

test('onData fires when the queue becomes non-empty; onCredit on every poll', () => {
  const ch = new LocalChannel(2);
  let data = 0, credit = 0;
  ch.onData = () => { data++; };
  ch.onCredit = () => { credit++; };
  ch.push(wm(1)); ch.push(wm(2));
  assert.is(data, 1);
  ch.poll(); ch.poll(); ch.poll();
  assert.is(credit, 2);
  ch.push(wm(3));
  assert.is(data, 2);
});

test('wraps around its ring many times without losing order', () => {
  const ch = new LocalChannel(4);
  let next = 0, expect = 0;
  for (let round = 0; round < 1000; round++) {
    while (ch.hasCredit() && next < 5000) ch.push(wm(next++));
    const k = round % 3 + 1;
    for (let i = 0; i < k; i++) { const e = ch.poll(); if (e) assert.is((e as { timestamp: number }).timestamp, expect++); }
  }
  assert.ok(expect > 1000);
  assert.throws(() => new LocalChannel(0), /at least one credit/);
});

test('keeps batches given back, emptied, for the sender to fill again (at most its credits)', () => {
  const ch = new LocalChannel(2);
  assert.is(ch.reuse(), undefined);
  const batches = [1, 2, 3].map((v) => { const b = createRecordBatch(4); b.values[0] = v; b.length = 1; return b; });
  for (const b of batches) ch.recycle(b);
  const reused = [ch.reuse(), ch.reuse(), ch.reuse()];
  assert.equal(reused.map((b) => b?.length), [0, 0, undefined]);
  assert.ok(reused.slice(0, 2).every((b) => batches.includes(b!)));
});

test.run();
