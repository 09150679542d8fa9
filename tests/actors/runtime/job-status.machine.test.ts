// The JobStatus machine: Flink's transitions, and only those.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { isGloballyTerminal, jobStatusMachine, type JobStatusEvent } from '../../../actors/runtime/job-status.machine.ts';

const run = (...events: JobStatusEvent['type'][]) => {
  const a = createActor(jobStatusMachine).start();
  for (const type of events) a.send({ type } as JobStatusEvent);
  return a.getSnapshot().value;
};

test('CREATED -> RUNNING -> FINISHED', () => {
  assert.is(run(), 'CREATED');
  assert.is(run('job.start'), 'RUNNING');
  assert.is(run('job.start', 'job.finish'), 'FINISHED');
});

test('failure: FAILING then FAILED, or RESTARTING back to RUNNING', () => {
  assert.is(run('job.start', 'job.fail'), 'FAILING');
  assert.is(run('job.start', 'job.fail', 'job.failed'), 'FAILED');
  assert.is(run('job.start', 'job.fail', 'job.restart'), 'RESTARTING');
  assert.is(run('job.start', 'job.fail', 'job.restart', 'job.start'), 'RUNNING');
});

test('cancellation, suspension, reconciliation', () => {
  assert.is(run('job.start', 'job.cancel'), 'CANCELLING');
  assert.is(run('job.start', 'job.cancel', 'job.canceled'), 'CANCELED');
  assert.is(run('job.cancel', 'job.canceled'), 'CANCELED');
  assert.is(run('job.start', 'job.suspend'), 'SUSPENDED');
  assert.is(run('job.reconcile', 'job.start'), 'RUNNING');
});

test('terminal states stay; illegal events are ignored', () => {
  assert.is(run('job.start', 'job.finish', 'job.fail'), 'FINISHED');
  assert.is(run('job.finish'), 'CREATED');
  assert.is(run('job.start', 'job.canceled'), 'RUNNING');
  assert.ok(isGloballyTerminal('FAILED') && isGloballyTerminal('CANCELED') && isGloballyTerminal('FINISHED'));
  assert.not.ok(isGloballyTerminal('SUSPENDED') || isGloballyTerminal('RUNNING'));
});

test.run();
