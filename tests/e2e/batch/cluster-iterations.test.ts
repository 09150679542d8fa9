// Iterations on a local cluster (TaskManagers in worker threads; a batch job runs inside one
// TaskManager): a shipped job with a batch memory budget of a few KiB computes shortest paths
// through a delta iteration whose solution set spills, and PageRank that stops on its aggregated
// change; both equal plain loops, PageRank at the plain loop's superstep, every subtask of every
// superstep after the first having read the previous superstep's total change; the same on a
// cluster of TaskManager processes through `actorflow run`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { startLocalCluster } from '../../../actors/cluster/local-cluster.ts';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { currentRuntime, tempDir, TestCluster } from '../cluster/support.ts';
import { testSeed } from '../../support/random.ts';
import { DAMPING, EPSILON, links, weightedEdges } from './fixtures/cluster-iterations-job.ts';

const jobFile = fileURLToPath(new URL('./fixtures/cluster-iterations-job.ts', import.meta.url));
const seed = testSeed('cluster-iterations');

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);

/** Checks the job's output in `dir` (n vertices, graphs of `seed`, run at parallelism `p`) against plain loops. */
function checkOutput(dir: string, seed: number, n: number, p: number): void {
  // Shortest paths: Dijkstra by array scan.
  const adj: Array<Array<[number, number]>> = Array.from({ length: n }, () => []);
  for (const [u, v, w] of weightedEdges(seed, n)) adj[u].push([v, w]);
  const dist = new Array<number>(n).fill(Infinity);
  const done = new Array<boolean>(n).fill(false);
  dist[0] = 0;
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) if (!done[v] && dist[v] < Infinity && (u < 0 || dist[v] < dist[u])) u = v;
    if (u < 0) break;
    done[u] = true;
    for (const [v, w] of adj[u]) if (dist[u] + w < dist[v]) dist[v] = dist[u] + w;
  }
  assert.equal(lines(join(dir, 'distances')).sort(), dist.map((d, v) => `${v} ${d}`).sort());
  // PageRank until the total change is under epsilon.
  const pages = links(seed, n);
  let rank = new Float64Array(n).fill(1 / n);
  const changes: number[] = [];
  for (let s = 1; s <= 200; s++) {
    const received = new Float64Array(n);
    pages.forEach((targets, page) => { for (const t of targets) received[t] += rank[page] / targets.length; });
    const next = received.map((r) => (1 - DAMPING) / n + DAMPING * r);
    let change = 0;
    for (let p = 0; p < n; p++) change += Math.abs(next[p] - rank[p]);
    rank = next;
    changes.push(change);
    if (change < EPSILON) break;
  }
  const ranks = lines(join(dir, 'ranks')).map((l) => l.split(' ').map(Number));
  assert.is(ranks.length, n);
  for (const [p, r] of ranks) assert.ok(Math.abs(r - rank[p]) < 1e-12, `page ${p}: ${r} vs ${rank[p]}`);
  const seen = lines(join(dir, 'supersteps')).map((l) => l.split(' '));
  const supersteps = Math.max(...seen.map(([s]) => Number(s)));
  assert.is(supersteps, changes.length, 'stops at the plain loop\'s superstep');
  assert.is(seen.length, supersteps * p, 'every subtask of every superstep opened once');
  for (const [s, previous] of seen) {
    if (s === '1') assert.is(previous, 'none');
    else assert.ok(Math.abs(Number(previous) - changes[Number(s) - 2]) <= 1e-12, `superstep ${s} read ${previous}`);
  }
}

test('a spilling delta iteration and an aggregator-converged bulk iteration on a local cluster equal plain loops', async () => {
  const out = tempDir('cluster-iterations-out'), data = tempDir('cluster-iterations-data');
  const n = 400;
  Object.assign(processEnv, { CLUSTER_ITER_OUTPUT: out.path, CLUSTER_ITER_SEED: String(seed), CLUSTER_ITER_SIZE: String(n) });
  const cluster = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 2, dataDir: data.path });
  try {
    const service = cluster.jobManager.service;
    const jobId = await service.submitJob(await bundleJob(jobFile), { name: 'cluster iterations', parallelism: 3 });
    const outcome = await service.jobResult(jobId);
    assert.is(outcome.state, 'FINISHED', outcome.error);
    checkOutput(out.path, seed, n, 3);
  } finally {
    await cluster.close();
    out.cleanup(); data.cleanup();
  }
});

test('the same job on a cluster of TaskManager processes, submitted with actorflow run', async () => {
  const out = tempDir('process-iterations-out'), data = tempDir('process-iterations-data');
  const n = 300;
  const cluster = new TestCluster({ CLUSTER_ITER_OUTPUT: out.path, CLUSTER_ITER_SEED: String(seed + 1), CLUSTER_ITER_SIZE: String(n) });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const run = await cluster.run(['run', jobFile, '--jobmanager', cluster.jobmanager, '--parallelism', '2']);
    assert.is(run.code, 0, `run failed\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    checkOutput(out.path, seed + 1, n, 2);
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test.run();
