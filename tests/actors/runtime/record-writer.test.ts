// RecordWriter: batching by size, partitioning, events flush open batches first, backlog in
// order when credit runs out, and the blocked / writable notifications.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalChannel } from '../../../actors/runtime/local-channel.ts';
import { RecordWriter } from '../../../actors/runtime/record-writer.ts';
import { createChannelSelector } from '../../../api/graph/partitioner.ts';
import type { ChannelElement, RecordBatch } from '../../../api/stream-elements.ts';

const ctx = (n: number) => ({ numChannels: n, senderIndex: 0, senderParallelism: 1, maxParallelism: 128, targetName: 't' });
const drain = (ch: LocalChannel) => { const out: ChannelElement[] = []; for (let e = ch.poll(); e; e = ch.poll()) out.push(e); return out; };
const values = (b: ChannelElement) => (b as RecordBatch).values.slice(0, (b as RecordBatch).length) as any[];

test('hands over a batch when full, and open batches on flush', () => {
  const ch = new LocalChannel(8);
  const w = new RecordWriter([ch], createChannelSelector({ kind: 'forward' }, ctx(1)), 3, { onBlocked() {}, onWritable() {} });
  for (let i = 0; i < 7; i++) w.emit(i, i * 10);
  assert.is(ch.size, 2);
  assert.ok(w.hasPartialBatches());
  w.flush();
  const got = drain(ch);
  assert.equal(got.map(values), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.equal((got[0] as RecordBatch).timestamps.slice(0, 3), [0, 10, 20]);
  assert.not.ok(w.hasPartialBatches());
});

test('a batch the receiver gave back is filled again, not allocated anew', () => {
  const ch = new LocalChannel(8);
  const w = new RecordWriter([ch], createChannelSelector({ kind: 'forward' }, ctx(1)), 2, { onBlocked() {}, onWritable() {} });
  w.emit('a', 1); w.emit('b', 2); // full: handed over
  const first = ch.poll() as RecordBatch;
  ch.recycle(first);
  w.emit('c', 3); w.emit('d', 4); // handed over; the open batch is now the recycled one
  w.emit('e', 5); w.emit('f', 6);
  const [second, third] = drain(ch) as RecordBatch[];
  assert.is.not(second, first);
  assert.is(third, first, 'the recycled batch came back filled');
  assert.equal(values(second), ['c', 'd']);
  assert.equal(values(third), ['e', 'f']);
  assert.equal(third.timestamps.slice(0, 2), [5, 6]);
});

test('events flush open batches first and reach every channel; broadcast copies records', () => {
  const chs = [new LocalChannel(8), new LocalChannel(8)];
  const w = new RecordWriter(chs, createChannelSelector({ kind: 'broadcast' }, ctx(2)), 10, { onBlocked() {}, onWritable() {} });
  w.emit('a', 1); w.emit('b', 2);
  w.broadcastEvent({ kind: 'watermark', timestamp: 5 });
  for (const ch of chs) {
    const got = drain(ch);
    assert.equal(values(got[0]), ['a', 'b']);
    assert.equal(got[1], { kind: 'watermark', timestamp: 5 });
  }
});

test('without credit, batches wait in a backlog in order; the writer reports blocked and writable', () => {
  const ch = new LocalChannel(1);
  let blocked = 0, writable = 0;
  const w = new RecordWriter([ch], createChannelSelector({ kind: 'forward' }, ctx(1)), 2, { onBlocked: () => { blocked++; }, onWritable: () => { writable++; } });
  for (let i = 0; i < 6; i++) w.emit(i, 0);
  w.broadcastEvent({ kind: 'end-of-input' });
  assert.is(ch.size, 1);
  assert.ok(w.isBackpressured());
  assert.is(blocked, 1);
  const got: ChannelElement[] = [];
  for (let e = ch.poll(); e; e = ch.poll()) got.push(e);
  assert.equal(got.slice(0, 3).map(values), [[0, 1], [2, 3], [4, 5]]);
  assert.equal(got[3], { kind: 'end-of-input' });
  assert.not.ok(w.isBackpressured());
  assert.is(writable, 1);
  assert.ok(ch.highWaterMark <= 1);
});

test('hash partitioning routes each key to one channel', () => {
  const chs = [new LocalChannel(100), new LocalChannel(100), new LocalChannel(100)];
  const w = new RecordWriter(chs, createChannelSelector({ kind: 'hash', keySelector: (v: string) => v }, ctx(3)), 1000, { onBlocked() {}, onWritable() {} });
  for (let i = 0; i < 300; i++) w.emit(`k${i % 10}`, 0);
  w.flush();
  const seen = new Map<string, number>();
  chs.forEach((ch, c) => { for (const b of drain(ch)) for (const v of values(b)) { assert.ok(!seen.has(v) || seen.get(v) === c); seen.set(v, c); } });
  assert.is(seen.size, 10);
});

test.run();
