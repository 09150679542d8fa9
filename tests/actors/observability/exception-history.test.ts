// ExceptionHistory: Flink's exceptions shape with the root cause chain, newest first, bounded, and
// `has` recognising an error recorded before, also through an error caused by it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeError, ExceptionHistory } from '../../../actors/observability/exception-history.ts';

test('entries carry name, stack with causes, time, task and TaskManager; newest first', () => {
  const h = new ExceptionHistory();
  const root = new TypeError('bad record 7');
  h.record(new Error('subtask map (1/2) failed', { cause: root }), 100, { taskName: 'map (1/2)', taskManagerId: 'tm-1' });
  h.record('a plain string', 200, { where: 'checkpointing' });
  const s = h.snapshot();
  assert.is(s.timestamp, 200);
  const [latest, first] = s.exceptionHistory.entries;
  assert.is(latest.taskName, 'checkpointing');
  assert.is(latest.stacktrace, 'a plain string');
  assert.is(first.exceptionName, 'Error');
  assert.match(first.stacktrace, /subtask map \(1\/2\) failed[\s\S]*Caused by: TypeError: bad record 7/);
  assert.is(first.message, 'subtask map (1/2) failed: caused by: bad record 7');
  assert.is(first.taskName, 'map (1/2)');
  assert.is(first.taskManagerId, 'tm-1');
  assert.is(first.location, 'tm-1');
  assert.is(s['root-exception'], 'a plain string');
  assert.is(s['all-exceptions'].length, 2);
});

test('bounded, with truncated set; has() follows causes', () => {
  const h = new ExceptionHistory(2);
  const errors = [new Error('a'), new Error('b'), new Error('c')];
  errors.forEach((e, i) => h.record(e, i));
  assert.is(h.length, 2);
  assert.ok(h.snapshot().truncated);
  assert.ok(h.has(new Error('wrapper', { cause: errors[2] })));
  assert.not.ok(h.has(errors[0]), 'dropped from the history');
  assert.equal(describeError(undefined).message, '');
});

test.run();
