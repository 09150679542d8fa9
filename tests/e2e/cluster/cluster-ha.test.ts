// High availability: two JobManagers share an HA store; the leader runs a job on two
// TaskManagers that find it through the store. kill -9 of the leader mid-job: the standby takes
// the lease once it expires, recovers the job under its id from its latest completed checkpoint,
// the TaskManagers register with it, and the FileSink's exactly-once output is exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, tempDir, TestCluster } from './support.ts';

const RECORDS = 8_000, KEYS = 5, LEASE_MS = 2_000;

test('kill -9 of the leader JobManager: the standby takes over and the job completes exactly once', async () => {
  const out = tempDir('ha-out'), ha = tempDir('ha-store');
  const cluster = new TestCluster({
    COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '2000',
  });
  try {
    const { leader, standby } = await cluster.startHighlyAvailable(ha.path, LEASE_MS);

    const refused = await fetch(`${standby.restUrl}/jobs`, { method: 'POST', body: new Uint8Array([1]) });
    assert.is(refused.status, 503, 'a standby refuses submissions');
    await refused.body?.cancel();

    // The client finds the leader through the HA store.
    const jobId = await cluster.submitCountingJob(['--ha-storage', ha.path]);
    await cluster.untilMidJob(jobId, out.path);
    assert.not.match(standby.stdout, /is the leader/, 'the standby waits while the leader renews its lease');

    await cluster.killLeader(leader, standby);

    const result = await cluster.jobResult(jobId);
    assert.is(result.state, 'FINISHED', result.error);
    assert.equal(committedLines(out.path), expectedLines(RECORDS, KEYS));
    const list = await cluster.run(['list', '--all', '--ha-storage', ha.path]);
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${jobId} : counting-job \\(FINISHED\\)`), 'the new leader lists the recovered job');
  } finally {
    await cluster.stop();
    out.cleanup(); ha.cleanup();
  }
});

test.run();
