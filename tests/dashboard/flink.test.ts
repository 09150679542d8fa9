// The dashboard's readers of Flink's REST shapes: vertex figures from the aggregated subtask
// metrics and from per-subtask vertex metrics (string values, `<i>.<name>` ids), back pressure,
// checkpoint history (Flink's `history`, and this project's short `latest`), exception history
// (`exceptionHistory`, `all-exceptions`, `root-exception`), plan edges; unknown shapes give
// "no data" rather than an error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  backPressureRatio, checkpointRows, exceptionRows, metricValues, planEdges, subtaskValues, vertexFigures, type JobDetail,
} from '../../dashboard/src/flink.ts';

test('vertex figures from the aggregated subtask metrics: sums of rates, the busiest subtask, the lowest watermark', () => {
  const f = vertexFigures([
    { id: 'numRecordsInPerSecond', min: 10, max: 30, avg: 20, sum: 40 },
    { id: 'numRecordsOutPerSecond', min: 5, max: 5, avg: 5, sum: 10 },
    { id: 'busyTimeMsPerSecond', min: 100, max: 750, avg: 425, sum: 850 },
    { id: 'backPressuredTimeMsPerSecond', min: 0, max: 1200, avg: 600, sum: 1200 },
    { id: 'currentInputWatermark', min: 1_700_000_000_000, max: 1_700_000_005_000, avg: 0, sum: 0 },
  ]);
  assert.equal(f, { recordsInPerSecond: 40, recordsOutPerSecond: 10, busy: 0.75, backPressured: 1, watermark: 1_700_000_000_000 });
});

test('vertex figures from per-subtask vertex metrics with string values; no watermark yet is none', () => {
  const f = vertexFigures([
    { id: '0.numRecordsInPerSecond', value: '12.5' }, { id: '1.numRecordsInPerSecond', value: '7.5' },
    { id: '0.busyTimeMsPerSecond', value: '200' }, { id: '1.busyTimeMsPerSecond', value: '600' },
    { id: '0.currentInputWatermark', value: '-9223372036854775808' }, { id: '1.currentInputWatermark', value: '-9223372036854775808' },
    { id: '0.numRecordsOutPerSecond', value: 'NaN' },
  ]);
  assert.equal(f, { recordsInPerSecond: 20, recordsOutPerSecond: undefined, busy: 0.6, backPressured: undefined, watermark: undefined });
  assert.equal(vertexFigures([{ id: 'currentInputWatermark', min: '-9223372036854775808', max: '-9223372036854775808' }]).watermark, undefined);
  assert.equal(vertexFigures([{ id: 'currentInputWatermark', min: 5, max: '9223372036854775807' }]).watermark, 5);
  assert.equal(vertexFigures({ errors: ['not found'] }), {});
  assert.equal(vertexFigures([]), { recordsInPerSecond: undefined, recordsOutPerSecond: undefined, busy: undefined, backPressured: undefined, watermark: undefined });
});

test('per-subtask values and plain metric values', () => {
  const list = [{ id: '0.numRecordsIn', value: '3' }, { id: '1.numRecordsIn', value: '4' }, { id: '10.numRecordsIn', value: '9' }, { id: 'x', value: 'abc' }];
  const per = subtaskValues(list, 2);
  assert.equal(per.map((m) => Object.fromEntries(m)), [{ numRecordsIn: 3 }, { numRecordsIn: 4 }]);
  assert.equal(Object.fromEntries(metricValues(list)), { '0.numRecordsIn': 3, '1.numRecordsIn': 4, '10.numRecordsIn': 9 });
  assert.equal(metricValues(undefined).size, 0);
});

test('back pressure: the worst subtask ratio, none without subtasks', () => {
  assert.is(backPressureRatio({ status: 'ok', 'backpressure-level': 'high', subtasks: [{ subtask: 0, ratio: 0.2 }, { subtask: 1, ratio: 0.9 }] }), 0.9);
  assert.is(backPressureRatio({ status: 'ok', subtasks: [] }), undefined);
  assert.is(backPressureRatio(undefined), undefined);
});

test('checkpoint rows from Flink history, newest first; from the short latest shape; none from nothing', () => {
  const flink = checkpointRows({
    counts: { restored: 0, total: 3, in_progress: 1, completed: 1, failed: 1 },
    history: [
      { '@class': 'completed', id: 1, status: 'COMPLETED', is_savepoint: false, trigger_timestamp: 1000, latest_ack_timestamp: 1150, state_size: 2048, end_to_end_duration: 150, alignment_buffered: 0, num_subtasks: 4, num_acknowledged_subtasks: 4,
        tasks: { 7: { id: '7', num_subtasks: 4, num_acknowledged_subtasks: 4, latest_ack_timestamp: 1150, state_size: 2048, end_to_end_duration: 150, alignment_duration: 3, subtasks: [] } } },
      { '@class': 'failed', id: 3, status: 'FAILED', is_savepoint: true, trigger_timestamp: 3000, num_subtasks: 4, num_acknowledged_subtasks: 2, failure_message: 'declined by subtask 1', alignment_duration: 12 },
      { '@class': 'in_progress', id: 2, status: 'IN_PROGRESS', trigger_timestamp: 2000, checkpointed_size: 10, num_subtasks: 4, num_acknowledged_subtasks: 1 },
    ],
  });
  assert.is(flink.counts!.completed, 1);
  assert.equal(flink.rows.map((r) => [r.id, r.status, r.savepoint, r.acknowledged]), [[3, 'FAILED', true, 2], [2, 'IN_PROGRESS', false, 1], [1, 'COMPLETED', false, 4]]);
  assert.equal([flink.rows[2].durationMs, flink.rows[2].sizeBytes, flink.rows[1].sizeBytes], [150, 2048, 10]);
  assert.equal([flink.rows[0].failure, flink.rows[0].alignmentMs, flink.rows[1].failure], ['declined by subtask 1', 12, undefined]);
  assert.equal(flink.rows[2].vertices, [{ vertexId: '7', acknowledged: 4, subtasks: 4, sizeBytes: 2048, durationMs: 150, alignmentMs: 3 }]);
  assert.equal(flink.rows[0].vertices, []);
  const short = checkpointRows({ counts: { completed: 5, failed: 0, in_progress: 0 }, latest: { id: 5, 'end-to-end-duration': 40, 'state-size': 99 } });
  assert.equal(short.rows.map((r) => [r.id, r.status, r.durationMs, r.sizeBytes]), [[5, 'COMPLETED', 40, 99]]);
  assert.equal(checkpointRows(undefined), { counts: undefined, rows: [] });
});

test('exception rows from the exception history, all-exceptions or the root exception', () => {
  const history = exceptionRows({
    'root-exception': 'java.lang.Exception: x', exceptionHistory: { truncated: false, entries: [
      { exceptionName: 'Error', stacktrace: 'Error: boom at 50\n    at map', timestamp: 5, taskName: 'explode (1/2)', location: 'tm-1', concurrentExceptions: [] },
      { exceptionName: 'TaskManagerLost', stacktrace: '', timestamp: 4, taskName: null, location: null, taskManagerId: 'tm-2', concurrentExceptions: [] },
    ] },
  });
  assert.equal(history, [
    { time: 5, name: 'Error: boom at 50', task: 'explode (1/2)', location: 'tm-1', stacktrace: 'Error: boom at 50\n    at map' },
    { time: 4, name: 'TaskManagerLost', task: undefined, location: 'tm-2', stacktrace: '' },
  ]);
  assert.equal(exceptionRows({ 'all-exceptions': [{ exception: 'E: a\n at b', task: 't', location: 'l', timestamp: 7 }] }).map((r) => [r.name, r.time]), [['E: a', 7]]);
  assert.equal(exceptionRows({ 'root-exception': 'E: root\n at x', timestamp: 9 }).map((r) => r.name), ['E: root']);
  assert.equal(exceptionRows({ 'root-exception': null, 'all-exceptions': [] }), []);
});

test('plan edges: one per input, labelled with the ship strategy; none without a plan', () => {
  const detail = {
    jid: 'j', name: 'n', state: 'RUNNING', 'start-time': 0, duration: 0, vertices: [],
    plan: { nodes: [{ id: '1' }, { id: '2', inputs: [{ num: 0, id: '1', ship_strategy: 'HASH' }] }, { id: '3', inputs: [{ num: 0, id: '2', ship_strategy: 'FORWARD' }, { num: 1, id: '1', ship_strategy: 'BROADCAST' }] }] },
  } satisfies JobDetail;
  assert.equal(planEdges(detail), [{ source: '1', target: '2', label: 'HASH' }, { source: '2', target: '3', label: 'FORWARD' }, { source: '1', target: '3', label: 'BROADCAST' }]);
  assert.equal(planEdges({ ...detail, plan: undefined }), []);
});

test.run();
