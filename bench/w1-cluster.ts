// W1 on a local cluster (BENCH.md W1, issue 6's scaling figure): the windowed keyed count at
// parallelism 2 on two worker-thread TaskManagers against parallelism 1 on one, both shipped as
// the same bundle through the JobManager, in the same run (target: >= 1.6x on 2 cores). Output
// checked through the job's counters (100,000 rows, total 1,000,000). The cluster start-up is
// outside the measured time; job submission, deployment and the run are inside. A job that has
// not ended after RUN_TIMEOUT_MS is cancelled and the benchmark fails, naming the subtasks still
// running (a stuck exchange must not hang `npm run bench`).
//
// Two figures: `w1-cluster-p2-vs-p1` with contiguous source splits (at p2 the second split's
// records are all later in event time than the first's, so the windows of the later half stay
// open until the first split ends), and `w1-cluster-interleaved-p2-vs-p1` with interleaved
// splits (each covers the whole event-time range, as parallel readers of one ordered stream do).
import { fileURLToPath } from 'node:url';
import { startLocalCluster, type LocalCluster } from '../actors/cluster/local-cluster.ts';
import { bundleJob } from '../actors/deploy/job-bundle.ts';
import { benchmark } from './harness.ts';
import { KEYS, RECORDS } from './jobs/windowed-count.ts';

/** A run of 1M records takes seconds; one still running after this long is stuck. */
const RUN_TIMEOUT_MS = 60_000;

async function run(cluster: LocalCluster, bundle: Uint8Array, parallelism: number): Promise<number> {
  const service = cluster.jobManager.service;
  const jobId = await service.submitJob(bundle, { name: `w1-p${parallelism}`, parallelism });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS); });
  const outcome = await Promise.race([service.jobResult(jobId), timedOut]).finally(() => clearTimeout(timer));
  if (outcome === 'timeout') {
    const detail = await service.jobDetail(jobId).catch(() => undefined);
    const running = (detail?.vertices ?? []).flatMap((v) => v.subtasks.filter((s) => s.status !== 'FINISHED')
      .map((s) => `${v.name}[${s.subtask}] ${s.status} on ${s.taskmanager}`));
    await service.cancelJob(jobId).catch(() => {});
    throw new Error(`w1 at parallelism ${parallelism}: not finished after ${RUN_TIMEOUT_MS / 1000} s; still running: ${running.join('; ') || 'none'}`);
  }
  if (outcome.state !== 'FINISHED') throw new Error(`w1 at parallelism ${parallelism}: ${outcome.state} ${outcome.error ?? ''}`);
  const { rows, total } = (outcome.result?.accumulators ?? {}) as { rows?: number; total?: number };
  if (rows !== KEYS * 100 || total !== RECORDS) throw new Error(`wrong output at parallelism ${parallelism}: ${rows} rows, total ${total}`);
  return total;
}

/** Registers the p2-vs-p1 figure `name` for the job in bench/jobs/`job`. */
function clusterBenchmark(name: string, job: string): void {
  const jobFile = fileURLToPath(new URL(`./jobs/${job}`, import.meta.url));
  let bundle: Uint8Array;
  let one: LocalCluster | undefined;
  let two: LocalCluster | undefined;
  benchmark(name, {
    records: RECORDS,
    runs: 5,
    async setup() {
      bundle = await bundleJob(jobFile);
      one = await startLocalCluster({ taskManagers: 1, slotsPerTaskManager: 1 });
      two = await startLocalCluster({ taskManagers: 2, slotsPerTaskManager: 1 });
    },
    baseline: () => run(one!, bundle, 1),
    subject: () => run(two!, bundle, 2),
    async teardown() {
      await one?.close();
      await two?.close();
      one = two = undefined;
    },
  });
}

clusterBenchmark('w1-cluster-p2-vs-p1', 'windowed-count-job.ts');
clusterBenchmark('w1-cluster-interleaved-p2-vs-p1', 'windowed-count-interleaved-job.ts');
