// Metrics of a cluster of processes: a JobManager and two TaskManagers started through the CLI, a
// job with a known record count at parallelism 2 whose keyBy exchange crosses the processes. The
// subtask metrics reach the JobManager with the TaskManagers' heartbeats while the job runs and,
// final, with each finished subtask's report: every record is counted once out of the sources and
// once into the counting subtasks, and once in and out of each chained operator. Checkpoint
// history, TaskManager metrics, Prometheus text and the processes' log lines (JSON on stderr, with
// their role) are checked too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COUNTING_JOB, currentRuntime, tempDir, TestCluster, waitUntil } from '../../e2e/cluster/support.ts';
import { parsePrometheus } from '../observability/prometheus-parse.ts';

const RECORDS = 6_000, KEYS = 7;

type Metric = { id: string; value?: string; sum?: number };

test(`a ${currentRuntime} cluster of processes reports its subtasks' metrics, checkpoints and logs`, async () => {
  const out = tempDir('metrics-out'), data = tempDir('metrics-jm');
  const cluster = new TestCluster({ COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '3000' });
  try {
    const jm = await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const tm1 = await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const jobId = await cluster.submitCountingJob(['--jobmanager', cluster.jobmanager]);
    const detail = await cluster.rest<{ vertices: Array<{ id: string; name: string; parallelism: number }> }>(`/jobs/${jobId}`);
    const [sources, counts] = detail.vertices;
    assert.match(sources.name, /numbers/);
    assert.match(counts.name, /count/);

    // While it runs: counts arrive with the heartbeats.
    await waitUntil(async () => {
      const live = await cluster.rest<Metric[]>(`/jobs/${jobId}/vertices/${counts.id}/subtasks/metrics?get=numRecordsIn&agg=sum`);
      return (live[0]?.sum ?? 0) > 0;
    }, 'running subtasks report records in');

    assert.is((await cluster.jobResult(jobId)).state, 'FINISHED');
    const out1 = await cluster.rest<Metric[]>(`/jobs/${jobId}/vertices/${sources.id}/subtasks/metrics?get=numRecordsOut&agg=sum`);
    assert.equal(out1, [{ id: 'numRecordsOut', sum: RECORDS }]);
    const in2 = await cluster.rest<Metric[]>(`/jobs/${jobId}/vertices/${counts.id}/metrics?get=0.numRecordsIn,1.numRecordsIn`);
    assert.is(in2.length, 2);
    assert.is(in2.reduce((n, m) => n + Number(m.value), 0), RECORDS);
    assert.is((await cluster.rest<Metric[]>(`/jobs/${jobId}/metrics?get=numRestarts`))[0].value, '0');
    // Each chained operator's counts crossed the processes with the subtask's: the source chain's
    // map hands every record to the exchange, the counting chain's sum and file sink see each once.
    const pairOps = await cluster.rest<Metric[]>(`/jobs/${jobId}/vertices/${sources.id}/subtasks/metrics?get=pair.numRecordsIn,pair.numRecordsOut&agg=sum`);
    assert.equal(pairOps.map((m) => m.sum), [RECORDS, RECORDS]);
    const countOps = await cluster.rest<Metric[]>(`/jobs/${jobId}/vertices/${counts.id}/subtasks/metrics?get=count.numRecordsIn,count.numRecordsOut,file.numRecordsIn&agg=sum`);
    assert.equal(countOps.map((m) => m.sum), [RECORDS, RECORDS, RECORDS]);

    // Checkpoints taken across the processes, each subtask's acknowledgement with its time.
    const ck = await cluster.rest<{ counts: { completed: number }; history: Array<{ status: string; num_acknowledged_subtasks: number; num_subtasks: number; tasks: Record<string, { subtasks: Array<{ ack_timestamp?: number; alignment?: { duration: number } }> }> }> }>(`/jobs/${jobId}/checkpoints`);
    assert.ok(ck.counts.completed >= 1, `completed ${ck.counts.completed}`);
    const done = ck.history.find((e) => e.status === 'COMPLETED')!;
    assert.is(done.num_acknowledged_subtasks, done.num_subtasks);
    assert.ok(done.tasks[counts.id].subtasks.every((s) => typeof s.ack_timestamp === 'number'));
    // A checkpoint taken while the input ran carries the alignment of the subtasks behind the exchange
    // (the last one, after the end of input, may have none: its barriers never crossed the input).
    assert.ok(ck.history.some((e) => e.status === 'COMPLETED' && e.tasks[counts.id].subtasks.every((s) => typeof s.alignment?.duration === 'number')), JSON.stringify(ck.history));

    // TaskManager process metrics come with its heartbeats.
    const tms = await cluster.rest<{ taskmanagers: Array<{ id: string }> }>('/taskmanagers');
    const tmMetrics = await cluster.rest<Metric[]>(`/taskmanagers/${tms.taskmanagers[0].id}/metrics?get=Status.Memory.Heap.Used,actorSystem.actors,Status.Slots.Total`);
    assert.equal(tmMetrics.map((m) => m.id), ['Status.Memory.Heap.Used', 'actorSystem.actors', 'Status.Slots.Total']);
    assert.ok(Number(tmMetrics[0].value) > 0);
    assert.is(tmMetrics[2].value, '2');

    const prom = await fetch(`${cluster.restUrl}/metrics`);
    const samples = parsePrometheus(await prom.text());
    const promOut = samples.filter((s) => s.name === 'actorflow_taskmanager_job_task_numRecordsOut' && s.labels.job_id === jobId && s.labels.task_id === sources.id);
    assert.is(promOut.reduce((n, s) => n + s.value, 0), RECORDS);
    assert.ok(samples.some((s) => s.name === 'actorflow_taskmanager_actorSystem_actors' && s.labels.tm_id === tms.taskmanagers[0].id));

    // The processes log JSON lines with their role: the submission, checkpoints, registrations.
    const logged = (p: { stderr: string }): Array<Record<string, unknown>> => p.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const jmLines = logged(jm);
    assert.ok(jmLines.some((l) => l.role === 'jobmanager' && l.jobId === jobId && /submitted/.test(String(l.msg))), jm.stderr);
    assert.ok(jmLines.some((l) => l.role === 'jobmanager' && /^checkpoint \d+ completed/.test(String(l.msg))));
    assert.ok(jmLines.some((l) => /^TaskManager \S+ registered/.test(String(l.msg))));
    assert.ok(logged(tm1).some((l) => l.role === 'taskmanager' && /registered with the JobManager/.test(String(l.msg))), tm1.stderr);
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
