// High availability over a KV Connect URL, as machines that share no disk run it: the HA store,
// and with it the job's checkpoints, are in a KV Connect server (here in the test process); every
// process gets the URL and DENO_KV_ACCESS_TOKEN. kill -9 of the leader mid-job: the standby takes
// the lease once it expires, recovers the job from its latest checkpoint in the remote KV, and the
// FileSink's exactly-once output is exact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env } from 'node:process';
import { openHaStore } from '../../../actors/ha/ha-store.ts';
import { JobStore } from '../../../actors/ha/job-store.ts';
import { startKvConnectServer } from '../../support/kv-connect-server.ts';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, tempDir, TestCluster, waitUntil } from './support.ts';

const RECORDS = 6_000, KEYS = 5, LEASE_MS = 2_000;

test('kill -9 of the leader JobManager with a KV Connect HA store: the standby takes over and the job completes exactly once', async () => {
  const out = tempDir('ha-kv-connect-out');
  const server = await startKvConnectServer();
  env.DENO_KV_ACCESS_TOKEN = server.accessToken;
  const cluster = new TestCluster({
    DENO_KV_ACCESS_TOKEN: server.accessToken,
    COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '2000',
  });
  try {
    const { leader, standby } = await cluster.startHighlyAvailable(server.url, LEASE_MS);

    const jobId = await cluster.submitCountingJob(['--ha-storage', server.url]);
    await cluster.untilMidJob(jobId, out.path);

    await cluster.killLeader(leader, standby);

    const result = await cluster.jobResult(jobId);
    assert.is(result.state, 'FINISHED', result.error);
    assert.equal(committedLines(out.path), expectedLines(RECORDS, KEYS));
    const kv = await openHaStore(server.url);
    try {
      // The leader records the end after it reports it.
      const jobs = new JobStore(kv);
      await waitUntil(async () => (await jobs.get(jobId))?.status === 'FINISHED', 'the job store in the KV Connect server records the end', 10_000);
      assert.is((await jobs.get(jobId))?.epoch, 2, 'claimed by the second leader');
    } finally { kv.close(); }
    const list = await cluster.run(['list', '--all', '--ha-storage', server.url]);
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${jobId} : counting-job \\(FINISHED\\)`), 'the new leader lists the recovered job');
  } finally {
    await cluster.stop();
    await server.close();
    out.cleanup();
  }
});

test.run();
