// The cluster core end to end in one test process: a JobManager and two TaskManagers, each its
// own actor system, over loopback TCP. Jobs are shipped as bundles through the ClusterService;
// output is compared with an independently computed expectation and with the embedded run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment } from '../../../api/index.ts';
import { ActorSystem } from '../../../actors/index.ts';
import { startJobManager, type RunningJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import type { JobDetail } from '../../../actors/rest/cluster-service.ts';
import build, { expectedLines } from './fixtures/keyed-count-job.ts';
import { committedLines, eventually } from './support.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dirs: string[] = [];
let jm: RunningJobManager;
let tms: RunningTaskManager[];

function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'af-cluster-'));
  dirs.push(dir);
  return dir;
}

const taskManagersOf = (detail: JobDetail): Set<string> => new Set(detail.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager)));

test.before(async () => {
  jm = await startJobManager({ port: 0, restPort: 0, dataDir: mkdtempSync(join(tmpdir(), 'af-jm-')) });
  tms = [
    await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2, heartbeatIntervalMs: 200 }),
    await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2, heartbeatIntervalMs: 200 }),
  ];
});

test.after(async () => {
  for (const tm of tms) await tm.close();
  await jm.close();
  for (const d of dirs) if (d) rmSync(d, { recursive: true, force: true });
});

test('two TaskManagers register with their slots', async () => {
  const registered = await jm.service.taskManagers();
  assert.equal(registered.map((t) => t.id).sort(), tms.map((t) => t.id).sort());
  assert.ok(registered.every((t) => t.slotsNumber === 2 && t.address.startsWith('actorflow://')));
  const overview = await jm.service.overview();
  assert.is(overview.taskmanagers, 2);
  assert.is(overview['slots-total'], 4);
});

test('a client holding only the RPC address asks /user/jobmanager for the REST URL', async () => {
  const client = ActorSystem.create('client');
  try {
    const [host, port] = jm.rpcAddress.split(':');
    const address = await client.connect(host, Number(port));
    assert.match(address, /^actorflow:\/\/jobmanager@/);
    const info = await client.resolve(`${address}/user/jobmanager`).ask<{ restUrl: string }>({ type: 'jobmanager.info' }, 5000);
    assert.is(info.restUrl, jm.restUrl);
    assert.match(info.restUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await client.terminate();
  }
});

test('counters of subtasks on both TaskManagers are summed in the job result', async () => {
  const jobId = await jm.service.submitJob(await bundleJob(fixture('counter-job.ts')), { name: 'counters', parallelism: 2 });
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  assert.is(result.result?.accumulators.seen, 1000);
});

test('a keyed job at parallelism 2 across both TaskManagers writes the expected output, as the embedded run does', async () => {
  const records = 4000, keys = 7;
  const clusterOut = outputDir(), embeddedOut = outputDir();
  Object.assign(processEnv, { KEYED_COUNT_RECORDS: String(records), KEYED_COUNT_KEYS: String(keys), KEYED_COUNT_RATE: '0', KEYED_COUNT_CHECKPOINTING: '0' });
  processEnv.KEYED_COUNT_OUTPUT = embeddedOut;
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  build(env);
  await env.execute('embedded keyed count');
  processEnv.KEYED_COUNT_OUTPUT = clusterOut;
  const jobId = await jm.service.submitJob(await bundleJob(fixture('keyed-count-job.ts')), { name: 'keyed count', parallelism: 2 });
  // Deployed once every subtask names its TaskManager (the job opens its checkpoint storage first).
  const detail = await eventually('the deployed job detail', async () => {
    const d = await jm.service.jobDetail(jobId);
    return d && d.vertices.every((v) => v.subtasks.every((s) => s.taskmanager !== '')) ? d : undefined;
  });
  assert.is(taskManagersOf(detail).size, 2, 'subtasks run on both TaskManagers (keyBy crosses processes)');
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  assert.equal(committedLines(clusterOut), expectedLines(records, keys));
  assert.equal(committedLines(clusterOut), committedLines(embeddedOut));
  const finished = (await jm.service.jobDetail(jobId))!;
  assert.ok(finished.vertices.every((v) => v.subtasks.every((s) => s.status === 'FINISHED')));
  assert.is((await jm.service.overview())['slots-available'], 4, 'the slots are free again');
});

test('an invalid job is refused at submission with a message naming the operator', async () => {
  try {
    await jm.service.submitJob(await bundleJob(fixture('invalid-job.ts')), { name: 'invalid' });
    assert.unreachable('the submission was accepted');
  } catch (error) {
    assert.instance(error, Error);
    assert.match((error as Error).message, /operator "too wide"/);
    assert.is((error as Error).name, 'BadRequestError');
  }
  assert.is((await jm.service.listJobs()).filter((j) => j.name === 'invalid').length, 0);
});

test('a job failing in user code reports the root cause through jobResult', async () => {
  const jobId = await jm.service.submitJob(await bundleJob(fixture('failing-job.ts')), { name: 'failing' });
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FAILED');
  assert.match(result.error ?? '', /poisoned map/);
  assert.match(result.error ?? '', /record 50 is poisoned/);
  assert.match(result.error ?? '', /the poison check rejected 50/);
});

test('stop with a savepoint, then a job restored from it on the TaskManagers completes the exact output', async () => {
  const records = 5000, keys = 3;
  const out = outputDir(), savepoints = outputDir();
  Object.assign(processEnv, {
    KEYED_COUNT_RECORDS: String(records), KEYED_COUNT_KEYS: String(keys), KEYED_COUNT_RATE: '2500',
    KEYED_COUNT_CHECKPOINTING: '1', KEYED_COUNT_OUTPUT: out,
  });
  const bundle = await bundleJob(fixture('keyed-count-job.ts'));
  const first = await jm.service.submitJob(bundle, { name: 'before savepoint', parallelism: 2 });
  await eventually('a completed checkpoint', async () => ((await jm.service.checkpoints(first))?.counts.completed ?? 0) >= 1 ? true : undefined);
  const path = await jm.service.stopJob(first, { savepointDirectory: savepoints });
  assert.ok(path !== undefined && path.startsWith(savepoints), `the savepoint is in ${savepoints}: ${path}`);
  assert.is((await jm.service.jobResult(first)).state, 'FINISHED');
  const partial = committedLines(out).length;
  assert.ok(partial > 0 && partial < records, `the first run stopped part way (${partial} of ${records} lines)`);
  const second = await jm.service.submitJob(bundle, { name: 'from savepoint', parallelism: 2, fromSavepoint: path });
  const result = await jm.service.jobResult(second);
  assert.is(result.state, 'FINISHED', result.error);
  assert.equal(committedLines(out), expectedLines(records, keys));
});

test('losing a TaskManager mid-job fails over onto the other one; the exactly-once output stays exact', async () => {
  const records = 6000, keys = 5;
  const out = outputDir();
  Object.assign(processEnv, {
    KEYED_COUNT_RECORDS: String(records), KEYED_COUNT_KEYS: String(keys), KEYED_COUNT_RATE: '2000',
    KEYED_COUNT_CHECKPOINTING: '1', KEYED_COUNT_OUTPUT: out,
  });
  const jobId = await jm.service.submitJob(await bundleJob(fixture('keyed-count-job.ts')), { name: 'failover', parallelism: 2 });
  await eventually('a completed checkpoint', async () => ((await jm.service.checkpoints(jobId))?.counts.completed ?? 0) >= 1 ? true : undefined);
  const before = (await jm.service.jobDetail(jobId))!;
  assert.is(taskManagersOf(before).size, 2);
  const [survivor, victim] = tms;
  await victim.kill();
  tms = [survivor];
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  const after = (await jm.service.jobDetail(jobId))!;
  assert.ok(after.vertices.every((v) => v.subtasks.every((s) => s.attempt >= 1)), 'the job restarted');
  assert.equal([...taskManagersOf(after)], [survivor.id], 'every subtask moved to the surviving TaskManager');
  assert.equal((await jm.service.taskManagers()).map((t) => t.id), [survivor.id]);
  assert.equal(committedLines(out), expectedLines(records, keys));
  assert.ok(readdirSync(out).every((f) => !f.endsWith('.pending')), 'no pending file is left behind');
});

test('after losing a TaskManager a job waits for slots until a new TaskManager registers, then completes exactly', async () => {
  const records = 5000, keys = 4;
  const out = outputDir();
  Object.assign(processEnv, {
    KEYED_COUNT_RECORDS: String(records), KEYED_COUNT_KEYS: String(keys), KEYED_COUNT_RATE: '2000',
    KEYED_COUNT_CHECKPOINTING: '1', KEYED_COUNT_OUTPUT: out,
  });
  const extra = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1, heartbeatIntervalMs: 200 });
  tms.push(extra);
  const jobId = await jm.service.submitJob(await bundleJob(fixture('keyed-count-job.ts')), { name: 'waits for slots', parallelism: 3 });
  await eventually('a completed checkpoint', async () => ((await jm.service.checkpoints(jobId))?.counts.completed ?? 0) >= 1 ? true : undefined);
  assert.ok(taskManagersOf((await jm.service.jobDetail(jobId))!).has(extra.id));
  await extra.kill();
  tms = tms.filter((t) => t !== extra);
  await eventually('the job to wait for slots', async () => ((await jm.service.jobDetail(jobId))?.state === 'RUNNING' && (await jm.service.overview())['slots-total'] === 2 ? true : undefined));
  const late = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1, heartbeatIntervalMs: 200 });
  tms.push(late);
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  assert.ok(taskManagersOf((await jm.service.jobDetail(jobId))!).has(late.id), 'the new TaskManager took the lost one\'s place');
  assert.equal(committedLines(out), expectedLines(records, keys));
});

test.run();
