// A bounded job with checkpointing on a JobManager + TaskManager cluster ends with its final
// checkpoint as soon as its input ends, as an embedded job does, not at the next periodic
// checkpoint: the JobManager must hear the remote subtask ask for it before any checkpoint ran.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';

const fixture = fileURLToPath(new URL('./fixtures/checkpointed-bounded-job.ts', import.meta.url));

test('a bounded checkpointed job finishes with its final checkpoint, not at the next period', async () => {
  // The period is far longer than the wait: only the final checkpoint on request can end the job in time.
  processEnv.CHECKPOINT_INTERVAL_MS = '60000';
  const dataDir = mkdtempSync(join(tmpdir(), 'af-final-jm-'));
  const jm = await startJobManager({ port: 0, restPort: 0, dataDir });
  const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1, heartbeatIntervalMs: 200 });
  try {
    const started = Date.now();
    const jobId = await jm.service.submitJob(await bundleJob(fixture), { name: 'checkpointed bounded', parallelism: 1 });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the job was still RUNNING 10 s after submission (waiting for a periodic checkpoint)')), 10_000);
    });
    try {
      const result = await Promise.race([jm.service.jobResult(jobId), timeout]);
      assert.is(result.state, 'FINISHED', result.error);
    } finally {
      clearTimeout(timer);
    }
    console.log(`checkpointed bounded job finished in ${Date.now() - started} ms`);
  } finally {
    delete processEnv.CHECKPOINT_INTERVAL_MS;
    await tm.close();
    await jm.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
