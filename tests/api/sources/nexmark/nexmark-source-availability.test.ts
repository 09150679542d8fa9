// NexmarkSource's paced reader: availability it promised before its splits arrived resolves when
// they come (or when no more will), so a runtime that first polled an empty reader (as on a
// cluster TaskManager, where splits come over the network) is woken again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, NexmarkSource, nexmarkSplits, type NexmarkEvent, type ReaderOutput } from '../../../../api/index.ts';

const output: ReaderOutput<NexmarkEvent> = {
  collect() {}, createOutputForSplit() { return output; }, releaseOutputForSplit() {}, markIdle() {},
};

test('a paced reader that polled before its splits becomes available when they come', async () => {
  const clock = new ManualClock(1_000);
  const source = new NexmarkSource({ numEvents: 100, firstEventRate: 10, maxEmitSpeed: false });
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, clock, sendSplitRequest() {} });
  assert.is(reader.pollNext(output), 'nothing-available');
  let available = false;
  void reader.isAvailable().then(() => { available = true; });
  reader.addSplits(nexmarkSplits(100, 1));
  await Promise.resolve();
  assert.ok(available, 'the splits made the reader available');
  // Paced again: after the first event, the next is due 100 ms later on the clock.
  reader.pollNext(output);
  assert.is(reader.pollNext(output), 'nothing-available');
  let due = false;
  void reader.isAvailable().then(() => { due = true; });
  clock.advance(99);
  await Promise.resolve();
  assert.not.ok(due);
  clock.advance(1);
  await Promise.resolve();
  assert.ok(due, 'the next event is due');
});

test('an empty paced reader becomes available when no more splits will come, and ends', async () => {
  const source = new NexmarkSource({ numEvents: 100, firstEventRate: 10, maxEmitSpeed: false });
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, clock: new ManualClock(0), sendSplitRequest() {} });
  assert.is(reader.pollNext(output), 'nothing-available');
  let available = false;
  void reader.isAvailable().then(() => { available = true; });
  reader.notifyNoMoreSplits();
  await Promise.resolve();
  assert.ok(available);
  assert.is(reader.pollNext(output), 'end-of-input');
});

test.run();
