// The subtask lifecycle machine: the happy path, cancellation and failure from every live state,
// and final states that accept nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { subtaskMachine, type SubtaskEvent } from '../../../actors/runtime/subtask.machine.ts';

const run = (...events: SubtaskEvent['type'][]) => {
  const a = createActor(subtaskMachine).start();
  for (const type of events) a.send({ type } as SubtaskEvent);
  return a.getSnapshot().value;
};

test('deploying -> initializing -> running -> finishing -> finished', () => {
  assert.is(run(), 'deploying');
  assert.is(run('subtask.initialize', 'subtask.run', 'subtask.finish', 'subtask.finished'), 'finished');
});

test('cancel from every live state ends canceled; fail ends failed', () => {
  const paths: SubtaskEvent['type'][][] = [[], ['subtask.initialize'], ['subtask.initialize', 'subtask.run'], ['subtask.initialize', 'subtask.run', 'subtask.finish']];
  for (const p of paths) {
    assert.is(run(...p, 'subtask.cancel'), 'canceling');
    assert.is(run(...p, 'subtask.cancel', 'subtask.canceled'), 'canceled');
    assert.is(run(...p, 'subtask.fail'), 'failed');
  }
});

test('final states ignore further events; skipping a phase is not allowed', () => {
  assert.is(run('subtask.fail', 'subtask.run'), 'failed');
  assert.is(run('subtask.initialize', 'subtask.run', 'subtask.finish', 'subtask.finished', 'subtask.cancel'), 'finished');
  assert.is(run('subtask.run'), 'deploying');
  assert.is(run('subtask.initialize', 'subtask.finished'), 'initializing');
});

test.run();
