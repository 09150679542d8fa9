// A cluster job that needs more slots than the cluster has: it waits (logging at once what it
// needs and what the cluster has), then fails after the slot request timeout with a message naming
// both, on a cluster of TaskManager processes (here: JobManager and TaskManager each with its own
// actor system over loopback TCP) and on a local cluster of TaskManager worker threads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startLocalCluster } from '../../../actors/cluster/local-cluster.ts';
import { startTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { tempDirs } from './support.ts';

const jobFile = fileURLToPath(new URL('./fixtures/keyed-count-job.ts', import.meta.url));
const dirs = tempDirs();
const TIMEOUT_MS = 400;

/** Captures this thread's log lines (the JobManager runs here). */
function captureLogs(): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  configureLogging({ level: 'info', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  return lines;
}

test.before(() => {
  // Every thread that builds the job's graph reads its output directory from the environment.
  processEnv.KEYED_COUNT_OUTPUT = dirs.make('af-slots-out-');
});

test.after(() => {
  configureLogging({});
  dirs.removeAll();
});

test('a JobManager with too few TaskManager slots fails the job after the slot request timeout, logging the wait', async () => {
  const logs = captureLogs();
  const jm = await startJobManager({ port: 0, restPort: 0, dataDir: dirs.make('af-slots-jm-'), slotRequestTimeoutMs: TIMEOUT_MS });
  const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1 });
  try {
    const submitted = Date.now();
    const jobId = await jm.service.submitJob(await bundleJob(jobFile), { name: 'too-wide', parallelism: 3 });
    const outcome = await jm.service.jobResult(jobId);
    assert.ok(Date.now() - submitted >= TIMEOUT_MS - 20, 'it waited for the timeout');
    assert.is(outcome.state, 'FAILED');
    assert.match(outcome.error ?? '', /needs 3 slots, the cluster has 1 free of 1 \(1 TaskManagers\)/);
    assert.match(outcome.error ?? '', new RegExp(`within ${TIMEOUT_MS} ms`));
    const waiting = logs.find((l) => l.component === 'resource-manager' && l.jobId === jobId);
    assert.ok(waiting, `the wait is logged: ${JSON.stringify(logs.map((l) => l.msg))}`);
    assert.is(waiting!.level, 30);
    assert.equal([waiting!.slotsNeeded, waiting!.slotsFree, waiting!.slotsTotal, waiting!.slotRequestTimeoutMs], [3, 1, 1, TIMEOUT_MS]);
    assert.ok(logs.some((l) => l.component === 'job-master' && l.jobId === jobId && l.level === 50 && /needs 3 slots/.test(JSON.stringify(l.err))), 'the failure is logged');
    // The slots are free again: a job that fits runs.
    processEnv.KEYED_COUNT_RECORDS = '200';
    const fits = await jm.service.submitJob(await bundleJob(jobFile), { name: 'fits', parallelism: 1 });
    assert.is((await jm.service.jobResult(fits)).state, 'FINISHED');
  } finally {
    await tm.close();
    await jm.close();
  }
});

test('a local cluster of worker threads with too few slots fails the job after its slot request timeout', async () => {
  const cluster = await startLocalCluster({ taskManagers: 1, slotsPerTaskManager: 1, dataDir: dirs.make('af-slots-local-'), slotRequestTimeoutMs: TIMEOUT_MS });
  try {
    const jobId = await cluster.jobManager.service.submitJob(await bundleJob(jobFile), { name: 'too-wide', parallelism: 2 });
    const outcome = await cluster.jobManager.service.jobResult(jobId);
    assert.is(outcome.state, 'FAILED');
    assert.match(outcome.error ?? '', /needs 2 slots, the cluster has 1 free of 1 \(1 TaskManagers\)/);
  } finally {
    await cluster.close();
  }
});

test('the slot request timeout must be a positive number of milliseconds', async () => {
  for (const bad of [0, -1, Number.NaN, Infinity]) {
    try {
      await startJobManager({ port: 0, restPort: 0, dataDir: dirs.make('af-slots-bad-'), slotRequestTimeoutMs: bad });
      assert.unreachable(`accepted ${bad}`);
    } catch (error) {
      assert.match((error as Error).message, /slot request timeout must be a positive number/);
    }
  }
});

test.run();
