// The TaskExecutor in a JobManager and a TaskManager of this process, over loopback TCP: what a
// subtask on a TaskManager does for the job's checkpoints over its whole life, finished included.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager, type RunningJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { expectedLines } from './fixtures/uneven-sources-job.ts';
import { committedLines, eventually, tempDirs } from './support.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dirs = tempDirs();
const tempDir = dirs.make;
let jm: RunningJobManager;
let tm: RunningTaskManager;


test.before(async () => {
  jm = await startJobManager({ port: 0, restPort: 0, dataDir: tempDir('af-jm-') });
  tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2, heartbeatIntervalMs: 200 });
});

test.after(async () => {
  await tm.close();
  await jm.close();
  dirs.removeAll();
});

test('a subtask that finished early still acknowledges the checkpoints the rest of its job takes', async () => {
  const short = 10, long = 2000, keys = 3;
  const out = tempDir('af-uneven-');
  Object.assign(processEnv, {
    UNEVEN_SOURCES_SHORT: String(short), UNEVEN_SOURCES_LONG: String(long), UNEVEN_SOURCES_KEYS: String(keys),
    UNEVEN_SOURCES_RATE: '1000', UNEVEN_SOURCES_OUTPUT: out,
  });
  const jobId = await jm.service.submitJob(await bundleJob(fixture('uneven-sources-job.ts')), { name: 'uneven sources', parallelism: 2 });
  // The short source's subtasks finish while the long one still runs. One checkpoint may have been
  // in flight then; the one after it is triggered after they finished and needs them all the same.
  const completedWhenFinished = await eventually('the short source to finish', async () => {
    const detail = await jm.service.jobDetail(jobId);
    const vertex = detail?.vertices.find((v) => v.name === 'short');
    if (!vertex?.subtasks.every((s) => s.status === 'FINISHED')) return undefined;
    return (await jm.service.checkpoints(jobId))!.counts.completed;
  });
  await eventually('a checkpoint triggered after the short source finished to complete', async () => {
    const detail = await jm.service.jobDetail(jobId);
    assert.is(detail!.vertices.find((v) => v.name === 'long')!.subtasks.some((s) => s.status === 'RUNNING'), true, 'the long source still runs');
    return (await jm.service.checkpoints(jobId))!.counts.completed >= completedWhenFinished + 2 ? true : undefined;
  });
  const result = await jm.service.jobResult(jobId);
  assert.is(result.state, 'FINISHED', result.error);
  assert.equal(committedLines(out), expectedLines(short, long, keys));
});

test.run();
