import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRestartBackoff } from '../../../actors/failover/restart-backoff.ts';

test('no restart gives up at the first failure', () => {
  const b = createRestartBackoff({ kind: 'no-restart' });
  b.notifyFailure(0);
  assert.not.ok(b.canRestart());
});

test('fixed delay allows exactly `attempts` restarts', () => {
  const b = createRestartBackoff({ kind: 'fixed-delay', attempts: 3, delayMs: 250 });
  const decisions: boolean[] = [];
  for (let i = 0; i < 5; i++) { b.notifyFailure(i * 1000); decisions.push(b.canRestart()); }
  assert.equal(decisions, [true, true, true, false, false]);
  assert.is(b.backoffMs(), 250);
  assert.match(b.describe(), /3 restart attempts/);
});

test('failure rate counts only failures inside the sliding interval', () => {
  const b = createRestartBackoff({ kind: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 });
  b.notifyFailure(0); assert.ok(b.canRestart());
  b.notifyFailure(500); assert.ok(b.canRestart());
  b.notifyFailure(900); assert.not.ok(b.canRestart(), 'three failures within 1000 ms');
  const c = createRestartBackoff({ kind: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 });
  c.notifyFailure(0); c.notifyFailure(500); c.notifyFailure(1500);
  assert.ok(c.canRestart(), 'the failure at 0 fell out of the interval');
});

test('exponential delay grows, caps, and resets after a stable period', () => {
  const b = createRestartBackoff({ kind: 'exponential-delay', initialMs: 100, maxMs: 1000, multiplier: 2, resetAfterMs: 10_000 });
  const delays: number[] = [];
  let t = 0;
  for (let i = 0; i < 6; i++) { t += 50; b.notifyFailure(t); delays.push(b.backoffMs()); }
  assert.equal(delays, [100, 200, 400, 800, 1000, 1000]);
  b.notifyFailure(t + 10_000);
  assert.is(b.backoffMs(), 100);
  assert.ok(b.canRestart());
});

test('invalid configurations are rejected clearly', () => {
  assert.throws(() => createRestartBackoff({ kind: 'fixed-delay', attempts: -1, delayMs: 0 }), /attempts >= 0/);
  assert.throws(() => createRestartBackoff({ kind: 'failure-rate', maxFailures: 0, intervalMs: 1, delayMs: 0 }), /maxFailures >= 1/);
  assert.throws(() => createRestartBackoff({ kind: 'exponential-delay', initialMs: 10, maxMs: 5, multiplier: 2, resetAfterMs: 1 }), /initialMs <= maxMs/);
});

test.run();
