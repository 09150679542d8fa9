// Batch stages on a cluster when a TaskManager goes away, and partitions that spill: a JobManager
// and two TaskManagers (each its own actor system, over TCP) run a keyed batch job at parallelism
// 4 in two slots. A TaskManager killed right after the first stage finished (by an observer of
// that stage, before the second is scheduled) makes the JobManager recompute exactly the
// partitions it held (counted in producer runs) on the other TaskManager, and the job still
// writes what a plain loop computes. A consumer slice that fails runs again from the partitions
// that are kept, without its producers. With a batch memory of a few kilobytes every full chunk of
// a partition spills to its producer's disk, and the consumers fetch spilled chunks from the other
// TaskManager; the spill files are removed when the job ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startJobManager } from '../../../actors/cluster/job-manager-process.ts';
import { startTaskManager, type RunningTaskManager } from '../../../actors/cluster/task-manager-process.ts';
import { observeClusterBatchJobs, type ClusterBatchRun } from '../../../actors/cluster/cluster-batch-run.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { tempDir, waitUntil } from '../cluster/support.ts';
import { testSeed } from '../../support/random.ts';
import { records } from '../../actors/runtime/batch/fixtures/cluster-stages-job.ts';

const jobFile = fileURLToPath(new URL('../../actors/runtime/batch/fixtures/cluster-stages-job.ts', import.meta.url));
const seed = testSeed('cluster-batch-failover');

function expectedSums(s: number, count: number, keys: number): string[] {
  const sums = new Map<number, number>();
  for (const [k, v] of records(s, count, keys)) sums.set(k, (sums.get(k) ?? 0) + v);
  return [...sums].map(([k, v]) => `${k} ${v}`).sort();
}

function sums(directory: string): string[] {
  return readdirSync(directory).filter((f) => f.startsWith('sums-'))
    .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
}

/** Runs the fixture job on a JobManager and two one-slot TaskManagers of this process. */
async function runJob(
  settings: Record<string, string>,
  observer: (tms: RunningTaskManager[]) => Parameters<typeof observeClusterBatchJobs>[0],
  /** Runs once the job ended, before the cluster stops. */
  afterResult: () => Promise<void> = async () => {},
): Promise<{ state: string; error?: string; run: ClusterBatchRun }> {
  const data = tempDir('cluster-failover-data');
  Object.assign(processEnv, settings);
  const jm = await startJobManager({ port: 0, restPort: 0, dataDir: data.path });
  const tms: RunningTaskManager[] = [];
  let run: ClusterBatchRun | undefined;
  let stop = (): void => {};
  try {
    tms.push(await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1 }), await startTaskManager({ jobmanager: jm.rpcAddress, slots: 1 }));
    const watch = observer(tms);
    const remove = observeClusterBatchJobs({ ...watch, started: (r) => { run = r; watch.started?.(r); } });
    stop = () => { remove(); };
    const jobId = await jm.service.submitJob(await bundleJob(jobFile), { name: 'cluster batch failover', parallelism: 4 });
    const outcome = await jm.service.jobResult(jobId);
    assert.ok(run?.jobId === jobId, 'the job ran as cluster batch stages');
    await afterResult();
    return { state: outcome.state, ...(outcome.error !== undefined ? { error: outcome.error } : {}), run: run! };
  } finally {
    stop();
    jm.beginShutdown();
    await Promise.all(tms.map((tm) => tm.close()));
    await jm.close();
    data.cleanup();
  }
}

test('a TaskManager killed after the first stage finished: exactly its partitions are recomputed, and the result equals a plain loop', async () => {
  const out = tempDir('cluster-failover-out');
  const count = 4000, keys = 60;
  let lost: Array<{ slice: number; taskManagerId: string }> = [];
  let victim = '';
  try {
    const { state, error, run } = await runJob(
      { CLUSTER_STAGES_OUTPUT: out.path, CLUSTER_STAGES_SEED: String(seed), CLUSTER_STAGES_COUNT: String(count), CLUSTER_STAGES_KEYS: String(keys), CLUSTER_STAGES_MEMORY: '' },
      (tms) => {
        let handled: (() => void) | undefined;
        return {
          stageCompleted: (r, stage) => {
            if (stage !== 0 || victim !== '') return;
            victim = tms[1].id;
            lost = r.stats.runs.filter((x) => x.stage === 0 && x.outcome === 'finished' && x.taskManagerId === victim).map((x) => ({ slice: x.slice, taskManagerId: x.taskManagerId }));
            // Scheduling waits until the JobManager has handled the loss.
            const handledLoss = new Promise<void>((resolve) => { handled = resolve; });
            return tms[1].kill().then(() => handledLoss);
          },
          taskManagerLost: (_r, id) => { if (id === victim) handled?.(); },
        };
      },
    );
    assert.is(state, 'FINISHED', error);
    assert.equal(sums(out.path), expectedSums(seed, count, keys));
    assert.ok(lost.length > 0, 'the killed TaskManager held partitions of the first stage');
    assert.is(run.stats.partitionsLost, lost.length);
    const producerRuns = run.stats.runs.filter((r) => r.stage === 0);
    assert.is(producerRuns.length, 4 + lost.length, 'each slice of the first stage ran once, and those whose partitions were lost once more');
    const again = producerRuns.slice(4);
    assert.equal(again.map((r) => r.slice).sort(), lost.map((l) => l.slice).sort(), 'exactly the lost partitions were recomputed');
    assert.ok(again.every((r) => r.taskManagerId !== victim && r.outcome === 'finished'), 'on the TaskManager that is left');
    const consumerRuns = run.stats.runs.filter((r) => r.stage === 1);
    assert.equal(consumerRuns.map((r) => r.slice).sort(), [0, 1, 2, 3], 'the consumers ran once, after the recompute');
    assert.ok(consumerRuns.every((r) => r.taskManagerId !== victim));
  } finally {
    out.cleanup();
  }
});

test('a failed consumer slice runs again from the persisted partitions, as the restart strategy allows', async () => {
  const out = tempDir('cluster-retry-out');
  const count = 3000, keys = 50;
  try {
    const { state, error, run } = await runJob(
      {
        CLUSTER_STAGES_OUTPUT: out.path, CLUSTER_STAGES_SEED: String(seed + 2), CLUSTER_STAGES_COUNT: String(count), CLUSTER_STAGES_KEYS: String(keys),
        CLUSTER_STAGES_MEMORY: '', CLUSTER_STAGES_FAIL_SUBTASK: '1',
      },
      () => ({}),
    );
    assert.is(state, 'FINISHED', error);
    assert.equal(sums(out.path), expectedSums(seed + 2, count, keys));
    assert.is(run.stats.runs.filter((r) => r.stage === 0).length, 4, 'no producer ran again');
    const consumers = run.stats.runs.filter((r) => r.stage === 1);
    assert.equal(consumers.map((r) => `${r.slice}:${r.outcome}`).sort(), ['0:finished', '1:failed', '1:finished', '2:finished', '3:finished']);
    assert.is(run.stats.sliceRestarts, 1);
  } finally {
    out.cleanup();
    delete processEnv.CLUSTER_STAGES_FAIL_SUBTASK;
  }
});

test('spilled partitions are fetched across TaskManagers, and their files go when the job ends', async () => {
  const out = tempDir('cluster-spill-out');
  // The TaskManagers' spill directories are made under TMPDIR (os.tmpdir()): a directory of this test.
  const temp = tempDir('cluster-spill-tmp');
  const previousTmp = processEnv.TMPDIR;
  processEnv.TMPDIR = temp.path;
  const spillDirectories = (): string[] => readdirSync(temp.path).filter((f) => f.startsWith('actorflow-batch-'));
  // Keys barely repeat: the partial sums do not shrink the partitions much.
  const count = 60_000, keys = 1_000_000;
  try {
    let seenDuringJob = 0;
    const { state, error, run } = await runJob(
      { CLUSTER_STAGES_OUTPUT: out.path, CLUSTER_STAGES_SEED: String(seed + 1), CLUSTER_STAGES_COUNT: String(count), CLUSTER_STAGES_KEYS: String(keys), CLUSTER_STAGES_MEMORY: '4096' },
      () => ({ stageCompleted: (_r, stage) => { if (stage === 0) seenDuringJob = spillDirectories().length; } }),
      // The JobManager releases the job's slots, and the TaskManagers its partitions, as it ends.
      () => waitUntil(() => spillDirectories().length === 0, 'the spill directories are removed', 20_000),
    );
    assert.is(seenDuringJob, 2, 'each TaskManager spilled into a directory of its own');
    assert.is(state, 'FINISHED', error);
    assert.equal(sums(out.path), expectedSums(seed + 1, count, keys));
    assert.ok(run.stats.chunksSpilled > 0, 'partitions spilled');
    // Over the budget every full chunk (1024 records) spills, so each of the 16 subpartitions keeps
    // less than one chunk in memory: records fetched beyond that came from spill files.
    assert.ok(run.stats.remoteRecords > 16 * 1023, `spilled chunks were fetched from the other TaskManager (${run.stats.remoteRecords} records fetched)`);
    const taskManagers = new Set(run.stats.runs.map((r) => r.taskManagerId));
    assert.is(taskManagers.size, 2);
  } finally {
    if (previousTmp === undefined) delete processEnv.TMPDIR; else processEnv.TMPDIR = previousTmp;
    out.cleanup(); temp.cleanup();
  }
});

test.run();
