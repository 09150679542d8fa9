// A cluster mixing Node and Deno processes: the JobManager on this test's runtime, one
// TaskManager on each runtime; the job's keyBy exchange crosses between them and the output is
// exactly the expectation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, COUNTING_JOB, currentRuntime, otherRuntime, tempDir, TestCluster } from './support.ts';

const RECORDS = 5_000, KEYS = 6;

test(`a ${currentRuntime} JobManager with a ${currentRuntime} and a ${otherRuntime} TaskManager runs a job across both`, async () => {
  const out = tempDir('mixed-out'), data = tempDir('jm-data');
  const cluster = new TestCluster({ COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '1000000' });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    await cluster.startTaskManager(currentRuntime, 1);
    await cluster.startTaskManager(otherRuntime, 1);
    const run = await cluster.run(['run', COUNTING_JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2'], otherRuntime);
    assert.is(run.code, 0, `run failed\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.equal(committedLines(out.path), expectedLines(RECORDS, KEYS));
    const tms = await cluster.rest<{ taskmanagers: Array<{ id: string }> } | Array<{ id: string }>>('/taskmanagers');
    const list = Array.isArray(tms) ? tms : tms.taskmanagers;
    assert.is(list.length, 2);
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
