// Prometheus text: every line parses as a comment (HELP/TYPE) or a sample `name{labels} value`,
// names are sanitized, label values escaped, infinite watermarks rendered as ±Inf.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prometheusName, renderPrometheus } from '../../../actors/observability/prometheus-text.ts';
import { parsePrometheus } from './prometheus-parse.ts';

test('every line parses; values, labels and infinities survive', async () => {
  const text = await renderPrometheus([
    { scope: 'jobmanager', name: 'numRunningJobs', value: 2, labels: {} },
    { scope: 'taskmanager_job_task', name: 'numRecordsIn', value: 1000, labels: { job_id: 'j1', task_name: 'map "a" -> b\\c\nd', subtask_index: '0' } },
    { scope: 'taskmanager_job_task', name: 'numRecordsIn', value: 5, labels: { job_id: 'j1', task_name: 'x', subtask_index: '1' } },
    { scope: 'taskmanager_job_task', name: 'currentInputWatermark', value: -Infinity, labels: { job_id: 'j1', task_name: 'x', subtask_index: '1' } },
    { scope: 'taskmanager', name: 'Status.Memory.Heap.Used', value: 123.5, labels: { tm_id: 'tm-1' } },
  ]);
  const samples = parsePrometheus(text);
  assert.is(samples.length, 5);
  assert.equal(samples.find((s) => s.name === 'actorflow_jobmanager_numRunningJobs')?.value, 2);
  const records = samples.filter((s) => s.name === 'actorflow_taskmanager_job_task_numRecordsIn');
  assert.equal(records.map((s) => s.value).sort((a, b) => a - b), [5, 1000]);
  assert.is(records.find((s) => s.value === 1000)?.labels.task_name, 'map "a" -> b\\c\nd');
  assert.is(samples.find((s) => s.name.endsWith('currentInputWatermark'))?.value, -Infinity);
  assert.is(samples.find((s) => s.name === 'actorflow_taskmanager_Status_Memory_Heap_Used')?.value, 123.5);
});

test('names are sanitized to Prometheus characters; a line that does not parse is caught', () => {
  assert.is(prometheusName('taskmanager', 'Status.Memory.Heap-Used'), 'actorflow_taskmanager_Status_Memory_Heap_Used');
  assert.throws(() => parsePrometheus('# TYPE a gauge\na{b="c} 1'), /not a Prometheus text line/);
  assert.throws(() => parsePrometheus('b 1'), /before its TYPE/);
});

test.run();
