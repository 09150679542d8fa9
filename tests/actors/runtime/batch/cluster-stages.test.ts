// Batch stages spread over a cluster: a keyed batch job at parallelism 4 on a local cluster of two
// worker-thread TaskManagers with one slot each runs both its stages on both TaskManagers (the
// JobManager's record of its slice runs and the subtasks' own notes of their thread agree), and
// writes the sums a plain loop computes; the same on a cluster of TaskManager processes, submitted
// with `actorflow run`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from '../../../../actors/cluster/local-cluster.ts';
import { observeClusterBatchJobs, type ClusterBatchRun } from '../../../../actors/cluster/cluster-batch-run.ts';
import { bundleJob } from '../../../../actors/deploy/job-bundle.ts';
import { currentRuntime, tempDir, TestCluster } from '../../../e2e/cluster/support.ts';
import { testSeed } from '../../../support/random.ts';
import { records } from './fixtures/cluster-stages-job.ts';

const jobFile = fileURLToPath(new URL('./fixtures/cluster-stages-job.ts', import.meta.url));
const seed = testSeed('cluster-stages');

/** `key sum` lines of a plain loop over the job's input. */
function expectedSums(count: number, keys: number, s = seed): string[] {
  const sums = new Map<number, number>();
  for (const [k, v] of records(s, count, keys)) sums.set(k, (sums.get(k) ?? 0) + v);
  return [...sums].map(([k, v]) => `${k} ${v}`).sort();
}

/** The sink files' lines, and per stage the places its subtasks ran. */
function readOutput(directory: string): { sums: string[]; placements: Map<string, Array<{ where: string; subtask: number }>> } {
  const sums = readdirSync(directory).filter((f) => f.startsWith('sums-'))
    .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
  const placements = new Map<string, Array<{ where: string; subtask: number }>>();
  for (const line of readFileSync(join(directory, 'placements'), 'utf8').split('\n').filter((l) => l !== '')) {
    const [stage, where, subtask] = line.split(' ');
    placements.set(stage, [...(placements.get(stage) ?? []), { where, subtask: Number(subtask) }]);
  }
  return { sums, placements };
}

test('a keyed batch job at parallelism 4 runs its stages on both worker-thread TaskManagers of 1 slot and equals a plain loop', async () => {
  const out = tempDir('cluster-stages-out'), data = tempDir('cluster-stages-data');
  const count = 3000, keys = 40;
  Object.assign(processEnv, { CLUSTER_STAGES_OUTPUT: out.path, CLUSTER_STAGES_SEED: String(seed), CLUSTER_STAGES_COUNT: String(count), CLUSTER_STAGES_KEYS: String(keys) });
  let run: ClusterBatchRun | undefined;
  const stop = observeClusterBatchJobs({ started: (r) => { run = r; } });
  const cluster = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 1, dataDir: data.path });
  try {
    const service = cluster.jobManager.service;
    const jobId = await service.submitJob(await bundleJob(jobFile), { name: 'cluster stages', parallelism: 4 });
    const outcome = await service.jobResult(jobId);
    assert.is(outcome.state, 'FINISHED', outcome.error);
    const { sums, placements } = readOutput(out.path);
    assert.equal(sums, expectedSums(count, keys));
    assert.ok(run !== undefined && run.jobId === jobId, 'the job ran as cluster batch stages');
    assert.is(run!.plan.stages.length, 2);
    const taskManagers = (await service.taskManagers()).map((tm) => tm.id).sort();
    for (const stage of [0, 1]) {
      const runs = run!.stats.runs.filter((r) => r.stage === stage);
      assert.equal(runs.map((r) => r.slice).sort(), [0, 1, 2, 3], `stage ${stage} ran each slice once`);
      assert.equal([...new Set(runs.map((r) => r.taskManagerId))].sort(), taskManagers, `stage ${stage} ran on both TaskManagers`);
      const noted = placements.get(`stage${stage}`)!;
      assert.equal(noted.map((p) => p.subtask).sort(), [0, 1, 2, 3]);
      assert.is(new Set(noted.map((p) => p.where)).size, 2, `the subtasks of stage ${stage} ran in two threads`);
    }
    // Stage 1 read partitions from the other TaskManager too.
    assert.ok(run!.stats.remoteRecords > 0, 'records were fetched across TaskManagers');
  } finally {
    stop();
    await cluster.close();
    out.cleanup(); data.cleanup();
  }
});

test('the same job on a cluster of TaskManager processes, submitted with actorflow run', async () => {
  const out = tempDir('process-stages-out'), data = tempDir('process-stages-data');
  const count = 2000, keys = 30;
  const cluster = new TestCluster({
    CLUSTER_STAGES_OUTPUT: out.path, CLUSTER_STAGES_SEED: String(seed + 1), CLUSTER_STAGES_COUNT: String(count), CLUSTER_STAGES_KEYS: String(keys),
  });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const tms = [await cluster.startTaskManager(currentRuntime, 1), await cluster.startTaskManager(currentRuntime, 1)];
    const run = await cluster.run(['run', jobFile, '--jobmanager', cluster.jobmanager, '--parallelism', '4']);
    assert.is(run.code, 0, `run failed\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const { sums, placements } = readOutput(out.path);
    assert.equal(sums, expectedSums(count, keys, seed + 1));
    const pids = tms.map((p) => String(p.child.pid)).sort();
    for (const stage of ['stage0', 'stage1']) {
      const noted = placements.get(stage)!;
      assert.equal(noted.map((p) => p.subtask).sort(), [0, 1, 2, 3]);
      assert.equal([...new Set(noted.map((p) => p.where.split('.')[0]))].sort(), pids, `${stage} ran in both TaskManager processes`);
    }
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
