// Metric routes in Flink's shapes over real jobs on an embedded MiniCluster: record counts of a job
// with a known number of records, per-subtask and aggregated metrics, back-pressure, the job's
// restarts and exception history after an injected failure, the checkpoint history of a
// checkpointed job, JobManager and TaskManager metrics, Prometheus text that parses line by line,
// and the bearer token guarding all of them when there is a cluster secret.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRestApp } from '../../../actors/rest/rest-server.ts';
import { restAuthorization } from '../../../actors/rest/rest-auth.ts';
import { CHAINED_COUNTS, eventually, FANOUT_COUNTS, KEYED_RECORDS, MiniClusterService } from './mini-cluster-service.ts';
import { parsePrometheus } from '../observability/prometheus-parse.ts';

const service = new MiniClusterService();
const { app } = createRestApp(service, { longPollMs: 5000 });

async function get(path: string): Promise<{ status: number; json: any; text: string; type: string | null }> {
  const response = await app.request(path);
  const text = await response.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, json, text, type: response.headers.get('content-type') };
}

async function run(job: string): Promise<{ jid: string; vertices: Array<{ id: string; name: string; parallelism: number }> }> {
  const jid = await service.submitJob(new TextEncoder().encode(job), { name: job });
  const detail = await service.jobDetail(jid);
  return { jid, vertices: detail!.vertices };
}

test('a job with a known record count: every record counted in and out, per subtask and summed', async () => {
  const { jid, vertices } = await run('keyed');
  assert.is((await service.jobResult(jid)).state, 'FINISHED');
  assert.is(vertices.length, 2);
  const [source, sink] = vertices;
  const names = await get(`/jobs/${jid}/vertices/${sink.id}/metrics`);
  assert.is(names.status, 200);
  assert.ok(names.json.some((m: { id: string }) => m.id === '0.numRecordsIn'), JSON.stringify(names.json));
  assert.ok(names.json.every((m: { id: string; value?: string }) => m.value === undefined));
  const values = await get(`/jobs/${jid}/vertices/${sink.id}/metrics?get=0.numRecordsIn,1.numRecordsIn,0.noSuchMetric`);
  assert.equal(values.json.map((m: { id: string }) => m.id), ['0.numRecordsIn', '1.numRecordsIn']);
  assert.ok(values.json.every((m: { value: unknown }) => typeof m.value === 'string'));
  assert.is(values.json.reduce((n: number, m: { value: string }) => n + Number(m.value), 0), KEYED_RECORDS);

  const summed = await get(`/jobs/${jid}/vertices/${source.id}/subtasks/metrics?get=numRecordsOut,numRecordsIn,currentOutputWatermark`);
  const out = summed.json.find((m: { id: string }) => m.id === 'numRecordsOut');
  assert.is(out.sum, KEYED_RECORDS);
  assert.is(out.min + out.max, KEYED_RECORDS);
  assert.is(out.avg, KEYED_RECORDS / 2);
  assert.is(summed.json.find((m: { id: string }) => m.id === 'numRecordsIn').sum, 0, 'a source reads no input records');
  // The end of input sends the final watermark: Flink's Long.MAX_VALUE.
  assert.is(summed.json.find((m: { id: string }) => m.id === 'currentOutputWatermark').max, '9223372036854775807');
  const sinkIn = await get(`/jobs/${jid}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&agg=sum&subtasks=0-1`);
  assert.equal(sinkIn.json, [{ id: 'numRecordsIn', sum: KEYED_RECORDS }]);
  const one = await get(`/jobs/${jid}/vertices/${sink.id}/subtasks/1/metrics?get=busyTimeMsPerSecond,idleTimeMsPerSecond,backPressuredTimeMsPerSecond`);
  const shares = one.json.map((m: { value: string }) => Number(m.value));
  assert.is(shares.length, 3);
  for (const v of shares) assert.ok(v >= 0 && v <= 1000, `time share ${v}`);
  assert.ok(shares.reduce((a: number, b: number) => a + b, 0) <= 1001, `shares ${shares}`);

  const bp = await get(`/jobs/${jid}/vertices/${sink.id}/backpressure`);
  assert.is(bp.json.status, 'ok');
  assert.ok(['ok', 'low', 'high'].includes(bp.json['backpressure-level']));
  assert.equal(bp.json.subtasks.map((s: { subtask: number }) => s.subtask), [0, 1]);
  for (const s of bp.json.subtasks) for (const k of ['ratio', 'idleRatio', 'busyRatio']) assert.ok(s[k] >= 0 && s[k] <= 1, `${k} ${s[k]}`);

  assert.is((await get(`/jobs/${jid}/vertices/999/metrics`)).status, 404);
  assert.is((await get(`/jobs/nosuchjob/vertices/${sink.id}/metrics`)).status, 404);
  assert.is((await get(`/jobs/${jid}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&agg=median`)).status, 400);
  assert.is((await get(`/jobs/${jid}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&subtasks=x`)).status, 400);
});

test('an injected failure: the exception history names it and the task, numRestarts counts the restart', async () => {
  const { jid } = await run('flaky');
  assert.is((await service.jobResult(jid)).state, 'FINISHED');
  const ex = await get(`/jobs/${jid}/exceptions`);
  assert.is(ex.status, 200);
  const entries = ex.json.exceptionHistory.entries;
  assert.is(entries.length, 1);
  assert.match(entries[0].stacktrace, /injected failure at 50/);
  assert.match(entries[0].taskName, /flaky/);
  assert.match(entries[0].taskManagerId, /^taskmanager-\d$/);
  assert.type(entries[0].timestamp, 'number');
  assert.match(ex.json['root-exception'], /injected failure at 50/);
  const metrics = await get(`/jobs/${jid}/metrics?get=numRestarts,numberOfCompletedCheckpoints,lastCheckpointDuration`);
  assert.equal(metrics.json, [
    { id: 'numRestarts', value: '1' }, { id: 'numberOfCompletedCheckpoints', value: '0' }, { id: 'lastCheckpointDuration', value: '-1' },
  ]);
  assert.is((await get('/jobs/nosuchjob/exceptions')).status, 404);
});

test('a checkpointed job: history entries with duration, size, alignment and every subtask acknowledgement', async () => {
  const { jid, vertices } = await run('checkpointed');
  await eventually(async () => ((await service.checkpoints(jid))?.counts.completed ?? 0) >= 2, 'two completed checkpoints');
  const ck = await get(`/jobs/${jid}/checkpoints`);
  assert.is(ck.status, 200);
  assert.ok(ck.json.counts.completed >= 2);
  const completed = ck.json.history.filter((e: { status: string }) => e.status === 'COMPLETED');
  assert.ok(completed.length >= 2);
  const entry = completed[0];
  assert.is(entry.num_subtasks, 3);
  assert.is(entry.num_acknowledged_subtasks, 3);
  assert.ok(entry.end_to_end_duration >= 0);
  assert.ok(entry.state_size >= 0);
  assert.ok(entry.trigger_timestamp <= entry.latest_ack_timestamp);
  assert.equal(Object.keys(entry.tasks).sort(), vertices.map((v) => v.id).sort());
  for (const v of vertices) {
    const task = entry.tasks[v.id];
    assert.is(task.num_acknowledged_subtasks, v.parallelism);
    for (const s of task.subtasks) {
      assert.is(s.status, 'completed');
      assert.ok(s.ack_timestamp >= entry.trigger_timestamp);
    }
  }
  // Subtasks behind an input align; the source has none.
  const [source, ...rest] = vertices;
  assert.is(entry.tasks[source.id].subtasks[0].alignment, undefined);
  for (const v of rest) assert.type(entry.tasks[v.id].subtasks[0].alignment.duration, 'number');
  assert.is(ck.json.latest.completed.status, 'COMPLETED');
  assert.ok(ck.json.summary.end_to_end_duration.max >= ck.json.summary.end_to_end_duration.min);
  const detail = await get(`/jobs/${jid}/checkpoints/details/${entry.id}`);
  assert.is(detail.json.id, entry.id);
  const acks = await get(`/jobs/${jid}/checkpoints/details/${entry.id}/subtasks/${rest[0].id}`);
  assert.is(acks.json.subtasks.length, rest[0].parallelism);
  assert.is((await get(`/jobs/${jid}/checkpoints/details/99999`)).status, 404);
  const job = await get(`/jobs/${jid}/metrics?get=numberOfCompletedCheckpoints,lastCheckpointSize,lastCheckpointDuration`);
  assert.ok(Number(job.json[0].value) >= 2);
  assert.ok(Number(job.json[1].value) >= 0);
  assert.ok(Number(job.json[2].value) >= 0);
  // A running subtask's watermark and counts are live.
  await eventually(async () => {
    const r = await get(`/jobs/${jid}/vertices/${rest[0].id}/subtasks/metrics?get=numRecordsIn&agg=sum`);
    return r.json[0]?.sum > 0;
  }, 'records counted while running');
  await service.cancelJob(jid);
});

test('JobManager and TaskManager metrics; Prometheus text parses line by line and carries the jobs', async () => {
  const jm = await get('/jobmanager/metrics?get=numRegisteredTaskManagers,taskSlotsTotal,actorSystem.actors,actorSystem.deadLetters');
  assert.equal(jm.json.slice(0, 2), [{ id: 'numRegisteredTaskManagers', value: '2' }, { id: 'taskSlotsTotal', value: '8' }]);
  assert.ok(Number(jm.json[2].value) > 0, 'the mini cluster has actors');
  const tm = await get('/taskmanagers/taskmanager-0/metrics?get=Status.Slots.Total,Status.Memory.Heap.Used');
  assert.is(tm.json[0].value, '4');
  assert.ok(Number(tm.json[1].value) > 0);
  assert.is((await get('/taskmanagers/nosuch/metrics')).status, 404);

  const prom = await get('/metrics');
  assert.is(prom.status, 200);
  assert.match(prom.type ?? '', /^text\/plain; version=0\.0\.4/);
  const samples = parsePrometheus(prom.text);
  assert.ok(samples.some((s) => s.name === 'actorflow_jobmanager_numRegisteredTaskManagers' && s.value === 2));
  const keyedJob = (await service.listJobs()).find((j) => j.name === 'keyed')!;
  const recordsIn = samples.filter((s) => s.name === 'actorflow_taskmanager_job_task_numRecordsIn' && s.labels.job_id === keyedJob.jid);
  assert.is(recordsIn.reduce((n, s) => n + s.value, 0), KEYED_RECORDS);
  assert.ok(samples.some((s) => s.name === 'actorflow_jobmanager_job_numRestarts' && s.labels.job_name === 'flaky' && s.value === 1));
});

test('each chained operator counts its records in and out: REST in Flink\'s operator ids, Prometheus in the operator scope', async () => {
  const { jid, vertices } = await run('chained');
  assert.is((await service.jobResult(jid)).state, 'FINISHED');
  assert.is(vertices.length, 1, 'the whole job is one chain');
  const [chain] = vertices;
  const ids = CHAINED_COUNTS.flatMap(([name]) => [`${name}.numRecordsIn`, `${name}.numRecordsOut`]);
  const summed = await get(`/jobs/${jid}/vertices/${chain.id}/subtasks/metrics?get=${ids.join(',')}&agg=sum`);
  const sums = new Map(summed.json.map((m: { id: string; sum: number }) => [m.id, m.sum]));
  assert.equal(CHAINED_COUNTS.map(([name]) => [name, sums.get(`${name}.numRecordsIn`), sums.get(`${name}.numRecordsOut`)]), CHAINED_COUNTS);
  // The task's own counts stay those of the whole chain: no network input, nothing written to one.
  const task = await get(`/jobs/${jid}/vertices/${chain.id}/subtasks/metrics?get=numRecordsIn,numRecordsOut&agg=sum`);
  assert.equal(task.json.map((m: { sum: number }) => m.sum), [0, 0]);
  const perSubtask = await get(`/jobs/${jid}/vertices/${chain.id}/metrics?get=0.thirds.numRecordsOut`);
  assert.equal(perSubtask.json.map((m: { id: string }) => m.id), ['0.thirds.numRecordsOut']);

  const samples = parsePrometheus((await get('/metrics')).text).filter((s) => s.labels.job_id === jid);
  for (const [name, recordsIn, recordsOut] of CHAINED_COUNTS) {
    const of = (metric: string): number => samples.filter((s) => s.name === `actorflow_taskmanager_job_task_operator_${metric}` && s.labels.operator_name === name)
      .reduce((n, s) => n + s.value, 0);
    assert.equal([name, of('numRecordsIn'), of('numRecordsOut')], [name, recordsIn, recordsOut]);
  }
  const op = samples.find((s) => s.name === 'actorflow_taskmanager_job_task_operator_numRecordsIn')!;
  assert.equal(Object.keys(op.labels).sort(), ['job_id', 'job_name', 'operator_id', 'operator_name', 'subtask_index', 'task_attempt_num', 'task_id', 'task_name', 'tm_id']);
});

test('an operator feeding two chained consumers and a side output counts each record it emitted once', async () => {
  const { jid, vertices } = await run('fanout');
  assert.is((await service.jobResult(jid)).state, 'FINISHED');
  assert.is(vertices.length, 1, 'the whole job is one chain');
  const ids = FANOUT_COUNTS.flatMap(([name]) => [`${name}.numRecordsIn`, `${name}.numRecordsOut`]);
  const summed = await get(`/jobs/${jid}/vertices/${vertices[0].id}/subtasks/metrics?get=${ids.join(',')}&agg=sum`);
  const sums = new Map(summed.json.map((m: { id: string; sum: number }) => [m.id, m.sum]));
  assert.equal(FANOUT_COUNTS.map(([name]) => [name, sums.get(`${name}.numRecordsIn`), sums.get(`${name}.numRecordsOut`)]), FANOUT_COUNTS);
});

test('every Prometheus series is named actorflow_<Flink scope>_<metric> and carries its scope\'s labels', async () => {
  const samples = parsePrometheus((await get('/metrics')).text);
  const labelsOf: Record<string, string[]> = {
    jobmanager: [], jobmanager_job: ['job_id', 'job_name'], taskmanager: ['tm_id'],
    taskmanager_job_task: ['job_id', 'job_name', 'subtask_index', 'task_attempt_num', 'task_id', 'task_name', 'tm_id'],
    taskmanager_job_task_operator: ['job_id', 'job_name', 'operator_id', 'operator_name', 'subtask_index', 'task_attempt_num', 'task_id', 'task_name', 'tm_id'],
  };
  const scopes = new Set<string>();
  for (const sample of samples) {
    const m = /^actorflow_(jobmanager_job|jobmanager|taskmanager_job_task_operator|taskmanager_job_task|taskmanager)_([A-Za-z][A-Za-z0-9_]*)$/.exec(sample.name);
    assert.ok(m, `series ${sample.name} is not actorflow_<scope>_<metric>`);
    // The longest scope wins: `taskmanager_job_task_operator_numRecordsIn` is the operator scope's numRecordsIn.
    const scope = m![1];
    scopes.add(scope);
    assert.equal(Object.keys(sample.labels).sort(), labelsOf[scope], sample.name);
  }
  assert.equal([...scopes].sort(), Object.keys(labelsOf).sort());
  for (const name of ['actors', 'mailboxSize', 'maxMailboxSize', 'restarts', 'deadLetters']) {
    // TaskManagers in the JobManager's process share its actor system: its gauges are the JobManager's.
    assert.ok(samples.some((s) => s.name === `actorflow_jobmanager_actorSystem_${name}`), `jobmanager actorSystem ${name}`);
  }
});

test('with a cluster secret every metrics route needs the bearer token', async () => {
  const secret = 'metrics-test-secret-0123456789';
  const guarded = createRestApp(service, { secret }).app;
  const jid = (await service.listJobs())[0].jid;
  for (const path of ['/metrics', '/jobmanager/metrics', `/jobs/${jid}/exceptions`, `/jobs/${jid}/metrics`, `/jobs/${jid}/vertices/1/backpressure`, '/taskmanagers/taskmanager-0/metrics']) {
    const refused = await guarded.request(path);
    assert.is(refused.status, 401, path);
    await refused.body?.cancel();
    const allowed = await guarded.request(path, { headers: { authorization: restAuthorization(secret) } });
    assert.ok(allowed.status === 200 || allowed.status === 404, `${path}: ${allowed.status}`);
    await allowed.body?.cancel();
  }
  const allowed = await guarded.request('/metrics', { headers: { authorization: restAuthorization(secret) } });
  assert.is(allowed.status, 200);
  await allowed.body?.cancel();
});

test.after(() => service.close());

test.run();
