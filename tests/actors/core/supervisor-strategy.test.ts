import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backoffDelayMs, RestartIntensity, restartTargets } from '../../../actors/core/supervisor-strategy.ts';

const children = ['a', 'b', 'c', 'd'];

test('one-for-one restarts only the failed child', () => {
  assert.equal(restartTargets('one-for-one', children, 'c'), ['c']);
});

test('one-for-all restarts every child in start order', () => {
  assert.equal(restartTargets('one-for-all', children, 'c'), ['a', 'b', 'c', 'd']);
});

test('rest-for-one restarts the failed child and those started after it', () => {
  assert.equal(restartTargets('rest-for-one', children, 'b'), ['b', 'c', 'd']);
  assert.equal(restartTargets('rest-for-one', children, 'd'), ['d']);
  assert.equal(restartTargets('rest-for-one', children, 'a'), children);
});

test('an unknown child restarts nothing', () => {
  assert.equal(restartTargets('one-for-all', children, 'x'), []);
});

test('intensity: maxRestarts within the window are allowed, one more is not', () => {
  const intensity = new RestartIntensity(3, 1000);
  assert.ok(intensity.tryRestart(0));
  assert.ok(intensity.tryRestart(10));
  assert.ok(intensity.tryRestart(20));
  assert.not.ok(intensity.tryRestart(30));
});

test('intensity: restarts older than the window no longer count', () => {
  const intensity = new RestartIntensity(2, 1000);
  assert.ok(intensity.tryRestart(0));
  assert.ok(intensity.tryRestart(500));
  assert.ok(intensity.tryRestart(1000)); // the restart at 0 left the window (0 <= 1000 - 1000)
  assert.is(intensity.restartsWithin(1000), 2);
  assert.not.ok(intensity.tryRestart(1400));
  assert.is(intensity.restartsWithin(5000), 0);
});

test('intensity 0 never allows a restart', () => {
  assert.not.ok(new RestartIntensity(0, 1000).tryRestart(0));
});

test('backoff grows by factor from minMs and is capped at maxMs', () => {
  const backoff = { minMs: 100, maxMs: 1000, factor: 3 };
  assert.equal([1, 2, 3, 4].map((n) => backoffDelayMs(backoff, n)), [100, 300, 900, 1000]);
  assert.is(backoffDelayMs({ minMs: 50, maxMs: 500 }, 3), 200); // factor defaults to 2
  assert.is(backoffDelayMs(undefined, 7), 0);
});

test.run();
