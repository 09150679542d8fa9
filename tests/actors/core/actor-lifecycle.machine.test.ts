import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActorLifecycle, lifecycleState } from '../../../actors/core/actor-lifecycle.machine.ts';

test('start, restart, run again, stop', () => {
  const lifecycle = createActorLifecycle();
  const seen = [lifecycleState(lifecycle)];
  for (const type of ['started', 'restart', 'restart', 'started', 'stop', 'terminated'] as const) {
    lifecycle.send({ type });
    seen.push(lifecycleState(lifecycle));
  }
  assert.equal(seen, ['starting', 'running', 'restarting', 'restarting', 'running', 'stopping', 'stopped']);
});

test('a failure while stopping ends in failed, and final states ignore later events', () => {
  const lifecycle = createActorLifecycle();
  lifecycle.send({ type: 'started' });
  lifecycle.send({ type: 'stop' });
  lifecycle.send({ type: 'fail' });
  assert.is(lifecycleState(lifecycle), 'failed');
  lifecycle.send({ type: 'started' });
  assert.is(lifecycleState(lifecycle), 'failed');
});

test('events that do not apply leave the state unchanged', () => {
  const lifecycle = createActorLifecycle();
  lifecycle.send({ type: 'terminated' });
  assert.is(lifecycleState(lifecycle), 'starting');
  lifecycle.send({ type: 'started' });
  lifecycle.send({ type: 'started' });
  assert.is(lifecycleState(lifecycle), 'running');
});

test.run();
