// CheckpointHistory: the shape of Flink's checkpoint statistics from a sequence of checkpoint
// events — per-subtask acknowledgements with sizes and alignment, completion, failure with its
// reason, savepoints with their path, the restored checkpoint, counts, summary and history bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckpointHistory } from '../../../actors/observability/checkpoint-history.ts';

const vertices = [{ id: '1', parallelism: 2 }, { id: '3', parallelism: 1 }];

test('a completed checkpoint keeps every subtask acknowledgement, its duration, size and alignment', () => {
  const h = new CheckpointHistory(vertices);
  h.triggered(1, 1000, false);
  assert.is(h.snapshot().counts.in_progress, 1);
  h.acknowledged(1, { vertexId: '1', index: 0 }, 1010, 100);
  h.acknowledged(1, { vertexId: '1', index: 1 }, 1020, 150);
  h.acknowledged(1, { vertexId: '1', index: 1 }, 1030, 999); // a duplicate counts once
  h.acknowledged(1, { vertexId: '3', index: 0 }, 1040, 50, 7);
  h.completedAt(1, 45, 300);
  const s = h.snapshot();
  assert.equal(s.counts, { restored: 0, total: 1, in_progress: 0, completed: 1, failed: 0 });
  const e = s.history[0];
  assert.is(e.status, 'COMPLETED');
  assert.is(e['@class'], 'completed');
  assert.is(e.end_to_end_duration, 45);
  assert.is(e.state_size, 300);
  assert.is(e.num_subtasks, 3);
  assert.is(e.num_acknowledged_subtasks, 3);
  assert.is(e.latest_ack_timestamp, 1040);
  assert.is(e.alignment_duration, 7);
  assert.equal(e.tasks['1'].subtasks.map((t) => [t.index, t.status, t.ack_timestamp, t.end_to_end_duration, t.state_size]),
    [[0, 'completed', 1010, 10, 100], [1, 'completed', 1020, 20, 150]]);
  assert.equal(e.tasks['3'].subtasks[0].alignment, { duration: 7 });
  assert.equal(s.summary.end_to_end_duration, { min: 45, max: 45, avg: 45 });
  assert.is(s.latest.completed?.id, 1);
  // Nothing is buffered while aligning (blocked channels hold their data under credit-based flow
  // control), so there is no alignment_buffered to report: no constant 0 posing as a measurement.
  assert.not.ok('alignment_buffered' in e, 'no alignment_buffered in a history entry');
  assert.not.ok('alignment_buffered' in s.summary, 'no alignment_buffered in the summary');
  assert.not.ok(Object.values(e.tasks).some((t) => 'alignment_buffered' in t), 'no alignment_buffered per vertex');
});

test('failures keep their reason; savepoints their path; a restore is noted; the history is bounded', () => {
  const h = new CheckpointHistory(vertices, 3);
  h.restoredFrom(4, 500, true, '/sp/savepoint-4');
  for (let id = 5; id <= 9; id++) h.triggered(id, id * 100, id === 8);
  h.failedAt(5, 600, 'checkpoint 5 declined by 1#0: disk full');
  h.completedAt(6, 10, 20);
  h.completedAt(8, 30, 40, '/sp/savepoint-8');
  const s = h.snapshot();
  assert.equal(s.history.map((e) => [e.id, e.status]), [[9, 'IN_PROGRESS'], [8, 'COMPLETED'], [7, 'IN_PROGRESS']]);
  assert.equal(s.counts, { restored: 1, total: 5, in_progress: 2, completed: 2, failed: 1 });
  assert.is(s.latest.failed?.failure_message, 'checkpoint 5 declined by 1#0: disk full');
  assert.is(s.latest.failed?.failure_timestamp, 600);
  assert.is(s.latest.savepoint?.external_path, '/sp/savepoint-8');
  assert.is(s.latest.savepoint?.checkpoint_type, 'SAVEPOINT');
  assert.is(s.latest.completed?.id, 6);
  assert.equal(s.latest.restored, { id: 4, restore_timestamp: 500, is_savepoint: true, external_path: '/sp/savepoint-4' });
  assert.equal(s.summary.state_size, { min: 20, max: 40, avg: 30 });
  // An old checkpoint still in flight stays reachable until it ends, then leaves.
  h.triggered(10, 1000, false);
  assert.ok(h.entry(7), 'checkpoint 7 pushed out of the history while in flight');
  h.failedAt(7, 1100, 'expired');
  assert.is(h.entry(7), undefined);
  // The snapshot is a copy.
  s.history[0].id = -1;
  assert.is(h.snapshot().history[1].id, 9);
});

test.run();
