// Region failover of a job on TaskManager processes: a JobManager and two TaskManagers of one slot
// each in this process, over loopback TCP, so that every channel of the job crosses the data plane.
// A job of two independent pipelines (two pipelined regions) with checkpoints and exactly-once
// FileSinks; one subtask throws once. Only its region is cancelled and redeployed as attempt 1 from
// the latest completed checkpoint, while the other region keeps its attempt 0 and its channels;
// each sink's output equals the plain-loop expectation. Joined by a keyBy (one region) the same
// failure restarts every subtask.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager, type RunningJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import type { JobDetail } from '../../../actors/rest/cluster-service.ts';
import { expectedLines } from './fixtures/region-failover-job.ts';
import { committedLines, eventually, tempDirs } from './support.ts';

const jobFile = fileURLToPath(new URL('./fixtures/region-failover-job.ts', import.meta.url));
const records = 1500;
const dirs = tempDirs();
const tempDir = dirs.make;
let jm: RunningJobManager;
const tms: RunningTaskManager[] = [];


test.before(async () => {
  jm = await startJobManager({ port: 0, restPort: 0, dataDir: tempDir('af-jm-') });
  for (let i = 0; i < 2; i++) tms.push(await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1, heartbeatIntervalMs: 200 }));
});

test.after(async () => {
  for (const tm of tms) await tm.close();
  await jm.close();
  dirs.removeAll();
});

/** Runs the fixture (keyed or not) to its end; its output directory and the job's final detail. */
async function run(keyed: boolean): Promise<{ out: string; detail: JobDetail; during: JobDetail }> {
  const out = tempDir('af-region-');
  // 500 records/s: the map throws only once a checkpoint's output is committed, so the sources must
  // still be running then; at full speed a loaded machine could end them before the first commit.
  Object.assign(processEnv, {
    REGION_FAILOVER_OUTPUT: out, REGION_FAILOVER_RECORDS: String(records), REGION_FAILOVER_RATE: '500',
    REGION_FAILOVER_THROW_AT: '300', REGION_FAILOVER_KEYED: keyed ? '1' : '0',
  });
  const jobId = await jm.service.submitJob(await bundleJob(jobFile), { name: keyed ? 'keyed failover' : 'region failover' });
  // The first moment the failed subtask runs its next attempt (the job's view then).
  const during = await eventually('the failed subtask to run its next attempt', async () => {
    const detail = await jm.service.jobDetail(jobId);
    const label = detail?.vertices.find((v) => v.name.startsWith(keyed ? 'label-keyed' : 'label-a'));
    return label?.subtasks[0].attempt === 1 ? detail : undefined;
  });
  // A region whose channels went away would never end: wait for the end as long as for the restart.
  await eventually('the job to end', async () => {
    const state = (await jm.service.jobDetail(jobId))?.state;
    return state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED' ? state : undefined;
  });
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  return { out, detail: (await jm.service.jobDetail(jobId))!, during };
}

/** `pipeline,subtask,attempt` of every opening of a map, sorted. */
function opens(out: string): string[] {
  return readFileSync(join(out, 'opens'), 'utf8').split('\n').filter(Boolean).sort();
}

/** The vertex whose name starts with `name`. */
function vertex(detail: JobDetail, name: string): JobDetail['vertices'][number] {
  const found = detail.vertices.find((v) => v.name.startsWith(name));
  if (!found) throw new Error(`no vertex ${name} in ${detail.vertices.map((v) => v.name).join(', ')}`);
  return found;
}

test('only the failed subtask\'s region restarts; the other keeps its attempt 0; both outputs are exactly once', async () => {
  const { out, detail, during } = await run(false);
  for (const name of ['source-a', 'label-a']) assert.is(vertex(detail, name).subtasks[0].attempt, 1, `${name} restarted`);
  for (const name of ['source-b', 'label-b']) {
    const [subtask] = vertex(during, name).subtasks;
    assert.is(subtask.attempt, 0, `${name} kept its attempt while the other region restarted`);
    assert.ok(['RUNNING', 'FINISHED'].includes(subtask.status), `${name} was ${subtask.status} while the other region restarted`);
    assert.equal(vertex(detail, name).subtasks[0], { ...subtask, status: 'FINISHED' }, `${name} finished as attempt 0`);
  }
  assert.is.not(vertex(detail, 'source-b').subtasks[0].taskmanager, vertex(detail, 'label-b').subtasks[0].taskmanager,
    'the source and the map of a pipeline run on different TaskManagers (their channel crosses the data plane)');
  // Pipeline b's map opened once: it was never cancelled and redeployed.
  assert.equal(opens(out), ['a,0,0', 'a,0,1', 'b,0,0']);
  assert.equal(committedLines(join(out, 'a')), expectedLines(records, ['a']));
  assert.equal(committedLines(join(out, 'b')), expectedLines(records, ['b']));
});

test('a failure in a job joined by keyBy (one region) restarts every subtask', async () => {
  const { out, detail } = await run(true);
  for (const v of detail.vertices) assert.equal(v.subtasks.map((s) => [s.attempt, s.status]), [[1, 'FINISHED']], `${v.name} restarted`);
  assert.equal(opens(out), ['keyed,0,0', 'keyed,0,1']);
  assert.equal(committedLines(join(out, 'keyed')), expectedLines(records, ['a', 'b']));
});

test.run();
