// High availability with a deposed leader that stays alive: once the job has checkpointed, the
// first JobManager's lease clock stands still (as in a paused process), so it never renews again
// and never notices that its lease expired. (Until then it runs with the wall clock: frozen from
// the start, its lease would lapse whenever starting the TaskManagers takes longer than a lease.) A second JobManager takes the lease (epoch 2) and recovers the job; the TaskManagers
// see the newer epoch in the HA store, release the first leader's subtasks and register with the
// second. From then on every command of the first leader is refused, its attempt to record the
// job's end is refused, and the job completes exactly once under the second leader.
// JobManagers and TaskManagers run in this process (their own actor systems, loopback TCP).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { systemClock, type Cancel, type Clock } from '../../../api/time/clock.ts';
import { startJobManager, type RunningJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { CheckpointFence } from '../../../actors/ha/checkpoint-fence.ts';
import { openHaStore } from '../../../actors/ha/ha-store.ts';
import { JobStore } from '../../../actors/ha/job-store.ts';
import { expectedLines } from './fixtures/counting-job.ts';
import { committedLines, tempDir, waitUntil } from './support.ts';

const RECORDS = 6_000, KEYS = 4, LEASE_MS = 1_000;

/** The wall clock until `pause()`: then time stands still and nothing scheduled on it runs any more. */
class PausableClock implements Clock {
  private pausedAt: number | undefined;
  now(): number { return this.pausedAt ?? systemClock.now(); }
  schedule(delayMs: number, callback: () => void): Cancel {
    return systemClock.schedule(delayMs, () => { if (this.pausedAt === undefined) callback(); });
  }
  pause(): void { this.pausedAt ??= systemClock.now(); }
}

test('a deposed leader that is still alive: its commands and HA writes are refused, the new leader finishes the job exactly once', async () => {
  const out = tempDir('fence-out'), ha = tempDir('fence-ha');
  Object.assign(processEnv, { COUNTING_JOB_OUTPUT: out.path, COUNTING_JOB_RECORDS: String(RECORDS), COUNTING_JOB_KEYS: String(KEYS), COUNTING_JOB_RATE: '1500' });
  const refusals: string[] = [];
  const started: Array<RunningJobManager | RunningTaskManager> = [];
  const kv = await openHaStore(ha.path);
  try {
    // Its lease clock stops once the job has checkpointed: no renewal, no expiry of its own (a paused leader).
    const frozen = new PausableClock();
    const first = await startJobManager({ port: 0, restPort: 0, ha: { storage: ha.path, leaseMs: LEASE_MS, leaseClock: frozen } });
    started.push(first);
    await first.leading;
    for (let i = 0; i < 2; i++) {
      started.push(await startTaskManager({ haStorage: ha.path, slots: 2, heartbeatIntervalMs: 100, log: (m) => refusals.push(m) }));
    }
    const bundle = await bundleJob(fileURLToPath(new URL('./fixtures/counting-job.ts', import.meta.url)));
    const jobId = await first.service.submitJob(bundle, { name: 'counting-job', parallelism: 2 });
    await waitUntil(async () => (await first.service.checkpoints(jobId))!.counts.completed >= 1, 'a checkpoint under the first leader');
    frozen.pause();

    const second = await startJobManager({ port: 0, restPort: 0, ha: { storage: ha.path, leaseMs: LEASE_MS } });
    started.push(second);
    await second.leading;
    assert.equal(await new CheckpointFence(kv).read(jobId).then((r) => r.epoch), 2, 'the new leader claimed the job\'s checkpoints');

    // The first leader's job lost its subtasks and restarts: its deployments (epoch 1) are refused.
    await waitUntil(() => refusals.some((m) => /from a deposed JobManager \(epoch 1\): the JobManager of epoch 2 leads now/.test(m)), 'a refused command of the first leader');
    assert.ok(refusals.every((m) => /epoch 1\)/.test(m)), refusals.join('\n'));

    const result = await second.service.jobResult(jobId);
    assert.is(result.state, 'FINISHED', result.error);
    assert.equal(committedLines(out.path), expectedLines(RECORDS, KEYS));
    // Whatever the first leader concluded about the job, the store keeps the new leader's word.
    // The result is answered only once the end is in the HA store.
    assert.is((await new JobStore(kv).get(jobId))?.status, 'FINISHED', 'the job\'s end recorded before its result');
    const firstView = await first.service.jobDetail(jobId);
    assert.ok(firstView !== undefined, 'the first leader is still alive and still has the job');
    assert.is((await new JobStore(kv).get(jobId))?.epoch, 2);
  } finally {
    for (const p of started.reverse()) await p.close().catch(() => {});
    kv.close();
    out.cleanup(); ha.cleanup();
  }
});

test.run();
