// A real cluster on loopback: a JobManager and two TaskManagers started as separate processes
// through the CLI, a job submitted through the CLI at parallelism 2 (so its keyBy exchange
// crosses processes); its exactly-once output equals the expectation computed without the
// engine, which is also what the embedded run of the same job file writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, COUNTING_JOB, currentRuntime, tempDir, TestCluster } from './support.ts';

const RECORDS = 6_000, KEYS = 7;

test(`a job submitted through the CLI to a ${currentRuntime} cluster writes what the embedded run writes`, async () => {
  const clusterOut = tempDir('cluster-out'), embeddedOut = tempDir('embedded-out'), data = tempDir('jm-data');
  const env = { COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '1000000' };
  const cluster = new TestCluster({ ...env, COUNTING_JOB_OUTPUT: clusterOut.path });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const run = await cluster.run(['run', COUNTING_JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2']);
    assert.is(run.code, 0, `run failed\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const expected = expectedLines(RECORDS, KEYS);
    assert.equal(committedLines(clusterOut.path), expected);

    // Both TaskManagers ran subtasks of the job: the exchange crossed processes.
    const jobs = await cluster.rest<{ jobs: Array<{ jid: string; state: string }> }>('/jobs/overview');
    assert.is(jobs.jobs.length, 1);
    assert.is(jobs.jobs[0].state, 'FINISHED');
    const detail = await cluster.rest<{ vertices: Array<{ subtasks: Array<{ taskmanager: string }> }> }>(`/jobs/${jobs.jobs[0].jid}`);
    const taskManagers = new Set(detail.vertices.flatMap((v) => v.subtasks.map((s) => s.taskmanager)));
    assert.is(taskManagers.size, 2, `subtasks ran on ${[...taskManagers].join(', ')}`);

    const list = await cluster.run(['list', '--all', '--jobmanager', cluster.jobmanager]);
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stdout, jobs.jobs[0].jid);

    const embedded = new TestCluster({ ...env, COUNTING_JOB_OUTPUT: embeddedOut.path });
    const local = await embedded.run(['run', COUNTING_JOB, '--parallelism', '2']);
    assert.is(local.code, 0, local.stderr);
    assert.equal(committedLines(embeddedOut.path), committedLines(clusterOut.path));
  } finally {
    await cluster.stop();
    clusterOut.cleanup(); embeddedOut.cleanup(); data.cleanup();
  }
});

test('a job submitted to a JobManager without TaskManagers fails with the slot shortage, and an invalid job file is refused', async () => {
  const out = tempDir('cluster-out'), data = tempDir('jm-data');
  const cluster = new TestCluster({ COUNTING_JOB_OUTPUT: out.path });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const missing = await cluster.run(['run', 'tests/e2e/cluster/fixtures/no-such-job.ts', '--jobmanager', cluster.jobmanager]);
    assert.is(missing.code, 2);
    assert.match(missing.stderr, /no such job file/);
    const unreachable = await cluster.run(['list', '--jobmanager', '127.0.0.1:1']);
    assert.is.not(unreachable.code, 0);
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
