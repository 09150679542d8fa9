// Batch mode on a local cluster (TaskManagers in worker threads): a batch word count and
// connected components (a delta iteration) shipped as a bundle run as one task on one
// TaskManager, their stages inside it, and write what plain loops compute; the same on a cluster
// of TaskManager processes through `actorflow run`; the wrapper leaves streaming graphs alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as processEnv } from 'node:process';
import { fileURLToPath } from 'node:url';
import {
  ProcessFunction, StreamExecutionEnvironment, type Collector, type Counter, type RuntimeContext,
} from '../../../../api/index.ts';
import { defaultEnvironmentConfig } from '../../../../api/environment/environment-config.ts';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';
import { startLocalCluster } from '../../../../actors/cluster/local-cluster.ts';
import { bundleJob } from '../../../../actors/deploy/job-bundle.ts';
import { clusterJobGraph } from '../../../../actors/runtime/batch/cluster-batch-job.ts';
import { currentRuntime, tempDir, TestCluster } from '../../../e2e/cluster/support.ts';
import { testSeed } from '../../../support/random.ts';
import { graph, lines } from './fixtures/cluster-batch-job.ts';

const jobFile = fileURLToPath(new URL('./fixtures/cluster-batch-job.ts', import.meta.url));
const seed = testSeed('cluster-batch-job');

function outputLines(directory: string, prefix: string): string[] {
  return readdirSync(directory).filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter((l) => l !== '')).sort();
}

test('batch word count and connected components run on a local cluster and equal plain loops', async () => {
  const out = tempDir('cluster-batch-out'), data = tempDir('cluster-batch-data');
  const size = 400;
  // The workers build the job's graph too: they read the same settings from the environment.
  Object.assign(processEnv, { CLUSTER_BATCH_OUTPUT: out.path, CLUSTER_BATCH_SEED: String(seed), CLUSTER_BATCH_SIZE: String(size) });
  const cluster = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 2, dataDir: data.path });
  try {
    const service = cluster.jobManager.service;
    const bundle = await bundleJob(jobFile);
    const jobId = await service.submitJob(bundle, { name: 'batch word count and components', parallelism: 4 });
    const outcome = await service.jobResult(jobId);
    assert.is(outcome.state, 'FINISHED', outcome.error);
    const counts = new Map<string, number>();
    for (const line of lines(seed, size)) for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    // One final count per word (batch semantics), not the rolling updates of streaming.
    assert.equal(outputLines(out.path, 'word-count'), [...counts].map(([w, c]) => `${w} ${c}`).sort());
    const detail = await service.jobDetail(jobId);
    assert.is(detail!.vertices.length, 1);
    assert.is(detail!.vertices[0].name, 'Batch Job "batch word count and components"');
    const parent = Array.from({ length: size }, (_, v) => v);
    const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
    for (const [u, v] of graph(seed, size)) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
    assert.equal(outputLines(out.path, 'components'), Array.from({ length: size }, (_, v) => `${v} ${find(v)}`).sort());
  } finally {
    await cluster.close();
    out.cleanup(); data.cleanup();
  }
});

test('the same batch job on a cluster of TaskManager processes, submitted with actorflow run', async () => {
  const out = tempDir('process-batch-out'), data = tempDir('process-batch-data');
  const size = 300;
  const cluster = new TestCluster({ CLUSTER_BATCH_OUTPUT: out.path, CLUSTER_BATCH_SEED: String(seed + 1), CLUSTER_BATCH_SIZE: String(size) });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    const run = await cluster.run(['run', jobFile, '--jobmanager', cluster.jobmanager, '--parallelism', '3']);
    assert.is(run.code, 0, `run failed\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    const counts = new Map<string, number>();
    for (const line of lines(seed + 1, size)) for (const w of line.split(' ')) counts.set(w, (counts.get(w) ?? 0) + 1);
    assert.equal(outputLines(out.path, 'word-count'), [...counts].map(([w, c]) => `${w} ${c}`).sort());
    const parent = Array.from({ length: size }, (_, v) => v);
    const find = (v: number): number => { while (parent[v] !== v) v = parent[v] = parent[parent[v]]; return v; };
    for (const [u, v] of graph(seed + 1, size)) { const a = find(u), b = find(v); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
    assert.equal(outputLines(out.path, 'components'), Array.from({ length: size }, (_, v) => `${v} ${find(v)}`).sort());
  } finally {
    await cluster.stop();
    out.cleanup(); data.cleanup();
  }
});

test('streaming graphs reach the cluster as they are; a batch graph becomes one bounded task', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1, 2, 3).keyBy((x) => x % 2).sum(0).print();
  const streaming = env.getJobGraph('streaming');
  assert.is(clusterJobGraph(streaming), streaming);
  const batchEnv = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4).setRuntimeMode('batch');
  batchEnv.fromElements(1, 2, 3).keyBy((x) => x % 2).sum(0).print();
  const wrapped = clusterJobGraph(batchEnv.getJobGraph('batch'));
  assert.is(wrapped.vertices.length, 1);
  assert.is(wrapped.vertices[0].parallelism, 1);
  assert.is(wrapped.config.runtimeMode, 'streaming');
  assert.is(wrapped.vertices[0].head.source?.boundedness, 'bounded');
});

test('the wrapped batch job, run as a cluster runs it, reports its accumulators and the cause of its failure', async () => {
  class Counting extends ProcessFunction<number, number> {
    private seen!: Counter;
    override open(ctx: RuntimeContext): void { this.seen = ctx.getIntCounter('seen'); }
    processElement(value: number, _ctx: unknown, out: Collector<number>): void { this.seen.add(1); out.collect(value); }
  }
  const config = { ...defaultEnvironmentConfig(), bufferTimeoutMs: 0 };
  const ok = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3).setRuntimeMode('batch');
  ok.fromSequence(1, 1000).process(new Counting()).keyBy((x) => x % 7).sum(0).addSink(() => {});
  const result = await (await embeddedExecutor.execute(clusterJobGraph(ok.getJobGraph('counting')), config)).getJobExecutionResult();
  assert.is(result.accumulators.seen, 1000);
  const failing = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2).setRuntimeMode('batch');
  failing.fromSequence(1, 100).keyBy((x) => x % 3).map((x) => { if (x === 42) throw new Error('no 42 here'); return x; }).addSink(() => {});
  const client = await embeddedExecutor.execute(clusterJobGraph(failing.getJobGraph('failing')), config);
  try {
    await client.getJobExecutionResult();
    assert.unreachable('the job failed');
  } catch (error) {
    assert.match(errorChain(error), /no 42 here/);
  }
});

/** An error's message with its causes. */
function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}

test.run();
