// Restart strategy factories.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';

test('factories build the plain configurations the failover logic reads', () => {
  assert.equal(RestartStrategies.noRestart(), { kind: 'no-restart' });
  assert.equal(RestartStrategies.fixedDelay(3, 100), { kind: 'fixed-delay', attempts: 3, delayMs: 100 });
  assert.equal(RestartStrategies.failureRate(2, 1000, 10), { kind: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 });
  assert.equal(RestartStrategies.exponentialDelay({ initialMs: 1, maxMs: 8, multiplier: 2, resetAfterMs: 100 }),
    { kind: 'exponential-delay', initialMs: 1, maxMs: 8, multiplier: 2, resetAfterMs: 100 });
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setRestartStrategy(RestartStrategies.fixedDelay(1, 0));
  assert.equal(env.getRestartStrategy(), { kind: 'fixed-delay', attempts: 1, delayMs: 0 });
});

test.run();
