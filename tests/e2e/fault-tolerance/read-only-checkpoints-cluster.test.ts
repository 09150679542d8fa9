// A checkpoint directory that cannot be written, on a cluster of JobManager and TaskManager
// processes: every checkpoint fails naming the directory, the restart strategy ends the job, and
// every process stays up (the TaskManagers never hand the native KV library a write it cannot make).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { makeReadOnly } from '../../support/read-only-dir.ts';
import { currentRuntime, tempDir, TestCluster } from '../cluster/support.ts';

test('a read-only checkpoint directory: checkpoints fail naming it, the job fails, no process dies', async () => {
  const out = tempDir('ro-out'), data = tempDir('ro-jm-data'), checkpoints = tempDir('ro-checkpoints');
  const undo = makeReadOnly(checkpoints.path);
  if (typeof undo === 'string') { console.log(`skipped: ${undo}`); out.cleanup(); data.cleanup(); checkpoints.cleanup(); return; }
  const file = join(checkpoints.path, 'checkpoints.kv');
  const cluster = new TestCluster({
    COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: '200000', COUNTING_JOB_KEYS: '5',
    COUNTING_JOB_RATE: '2000', COUNTING_JOB_CHECKPOINTS: file,
  });
  try {
    const jobManager = await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const taskManagers = [await cluster.startTaskManager(currentRuntime, 2), await cluster.startTaskManager(currentRuntime, 2)];
    const jobId = await cluster.submitCountingJob(['--jobmanager', cluster.jobmanager]);
    const result = await cluster.jobResult(jobId);
    assert.is(result.state, 'FAILED');
    assert.match(result.error ?? '', `checkpoint storage ${file} cannot be written`);
    for (const p of [jobManager, ...taskManagers]) {
      assert.ok(p.child.exitCode === null && p.child.signalCode === null, `a ${p.runtime} process ended (${p.child.exitCode ?? p.child.signalCode}): ${p.stderr.slice(-2000)}`);
    }
  } finally {
    await cluster.stop();
    undo();
    out.cleanup(); data.cleanup(); checkpoints.cleanup();
  }
});

test.run();
