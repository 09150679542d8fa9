// kill -9 of a TaskManager process mid-job: the JobManager notices the lost connection, releases
// its slots, and fails the job over onto the remaining TaskManager from the latest completed
// checkpoint; the FileSink's exactly-once output is still exact (no line lost, none twice).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, currentRuntime, tempDir, TestCluster } from './support.ts';

const RECORDS = 8_000, KEYS = 5;

test('kill -9 of a TaskManager mid-job: the job recovers on the other one, output exactly once', async () => {
  const out = tempDir('failover-out'), data = tempDir('jm-data');
  const cluster = new TestCluster({
    COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS),
    COUNTING_JOB_RATE: '2000', COUNTING_JOB_CHECKPOINTS: join(data.path, 'checkpoints.kv'),
  });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const victim = await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const jobId = await cluster.submitCountingJob(['--jobmanager', cluster.jobmanager]);

    // Kill once a checkpoint completed and some output is committed (the job is mid-way).
    await cluster.untilMidJob(jobId, out.path);
    victim.kill('SIGKILL');
    await victim.exited;

    const result = await cluster.jobResult(jobId);
    assert.is(result.state, 'FINISHED', result.error);
    assert.equal(committedLines(out.path), expectedLines(RECORDS, KEYS));
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
