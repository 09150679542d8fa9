// FeedbackChannel and FeedbackLoop: records queue in order, the head may end only once its input
// ended and the loop stayed idle for maxWaitTimeMs, a checkpoint holds what was queued at the
// head's snapshot plus what came back before the tail's, and a newer attempt replaces a channel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FeedbackLoop } from '../../../api/graph/feedback-loop.ts';

function drain(channel: { take(emit: (v: unknown, t: number) => void): boolean }): unknown[] {
  const out: unknown[] = [];
  while (channel.take((v) => out.push(v)));
  return out;
}

test('records come out in order, in chunks, and the head may end only after input end plus maxWaitTimeMs of quiet', () => {
  const loop = new FeedbackLoop(100);
  const channel = loop.channel(0, 0, 0)!;
  for (let i = 0; i < 3000; i++) channel.push(i, i, 0);
  const first: unknown[] = [];
  assert.ok(channel.take((v) => first.push(v)), 'more than one chunk');
  assert.equal([...first, ...drain(channel)], Array.from({ length: 3000 }, (_, i) => i));
  assert.is(channel.idleRemaining(100, 500), Infinity, 'the input has not ended');
  channel.endInput(10);
  assert.is(channel.idleRemaining(100, 50), 60);
  channel.push('late', 0, 80);
  assert.is(channel.idleRemaining(100, 90), Infinity, 'something is queued');
  drain(channel);
  assert.is(channel.idleRemaining(100, 150), 30);
  assert.is(channel.idleRemaining(100, 180), 0);
  assert.is(channel.idleRemaining(0, 1e9), Infinity, 'with maxWaitTimeMs 0 the loop never ends');
  channel.finishHead();
  assert.not.ok(channel.push('after', 0, 200), 'nothing is accepted once the head ended');
});

test('a checkpoint holds what was queued at the head snapshot and what came back until the tail snapshot', () => {
  const channel = new FeedbackLoop(10).channel(1, 0, 0)!;
  channel.push('a', 1, 0);
  channel.push('b', 2, 0);
  channel.take(() => {});
  channel.push('c', 3, 0);
  channel.beginCheckpoint(7);
  channel.push('d', 4, 0);
  channel.take(() => {});
  channel.push('e', 5, 0);
  assert.equal(channel.endCheckpoint(7), [['c', 3], ['d', 4], ['e', 5]]);
  channel.push('f', 6, 0);
  assert.equal(channel.endCheckpoint(8), [['e', 5], ['f', 6]], 'no head snapshot: what is queued');
});

test('a wake-up fires once on the next push or end of input', () => {
  const channel = new FeedbackLoop(10).channel(0, 0, 0)!;
  let woken = 0;
  channel.onActivity(() => woken++);
  channel.push(1, 0, 0);
  channel.push(2, 0, 0);
  assert.is(woken, 1);
  channel.onActivity(() => woken++);
  channel.endInput(0);
  assert.is(woken, 2);
});

test('a newer attempt replaces the channel; an older one gets none', () => {
  const loop = new FeedbackLoop(10);
  const first = loop.channel(0, 0, 0)!;
  first.push('stale', 0, 0);
  assert.is(loop.channel(0, 0, 0), first);
  const second = loop.channel(0, 1, 0)!;
  assert.is.not(second, first);
  assert.is(second.size, 0);
  assert.is(loop.channel(0, 0, 0), undefined);
  assert.is.not(loop.channel(1, 0, 0), second, 'subtasks have channels of their own');
});

test.run();
