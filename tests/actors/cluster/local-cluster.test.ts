// LocalCluster: a JobManager here and TaskManagers in worker threads; a shipped job at
// parallelism 2 runs on both workers (its keyBy exchange crosses threads) and writes exactly the
// expected output; closing the cluster ends the workers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from '../../../actors/cluster/local-cluster.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { expectedLines } from '../../e2e/cluster/fixtures/counting-job.ts';
import { committedLines, tempDir } from '../../e2e/cluster/support.ts';

const jobFile = fileURLToPath(new URL('../../e2e/cluster/fixtures/counting-job.ts', import.meta.url));

test('a job at parallelism 2 on two worker-thread TaskManagers writes the expected output', async () => {
  const out = tempDir('local-cluster-out'), data = tempDir('local-cluster-data');
  // The workers build the job's graph too: they read the same settings from the environment.
  Object.assign(processEnv, { COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: '4000', COUNTING_JOB_KEYS: '9', COUNTING_JOB_RATE: '1000000' });
  const cluster = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 1, dataDir: data.path });
  try {
    const service = cluster.jobManager.service;
    assert.is((await service.taskManagers()).length, 2);
    const jobId = await service.submitJob(await bundleJob(jobFile), { name: 'counting', parallelism: 2 });
    const outcome = await service.jobResult(jobId);
    assert.is(outcome.state, 'FINISHED', outcome.error);
    assert.equal(committedLines(out.path), expectedLines(4000, 9));
    const detail = await service.jobDetail(jobId);
    const taskManagers = new Set(detail!.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager)));
    assert.is(taskManagers.size, 2, `subtasks ran on ${[...taskManagers].join(', ')}`);
  } finally {
    await cluster.close();
    out.cleanup(); data.cleanup();
  }
});

test('a local cluster needs at least one TaskManager', async () => {
  try {
    await startLocalCluster({ taskManagers: 0 });
    assert.unreachable('started without TaskManagers');
  } catch (error) {
    assert.match((error as Error).message, /at least one TaskManager/);
  }
});

test.run();
