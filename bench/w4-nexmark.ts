// W4 of BENCH.md, Nexmark: every query q0-q22 over NEXMARK_EVENTS generated events (default
// 1,000,000; the generator runs in the job), exactly-once checkpoints every 10 s on the kv
// backend, on a local cluster of worker-thread TaskManagers: parallelism 1 on one TaskManager and
// parallelism 2 on two (NEXMARK_PARALLELISM), measured in the same run, alternately per query. Prints per query
//   nexmark qN p1: <events/s> ev/s (flink per core <K>, ratio <x>)
//   nexmark qN p2/p1 <x> (cpu p2/p1 <y>)
// where K is Flink 1.13's published throughput per core (NEXMARK.md; q6 has none) and p1 runs on
// one core, and y is the CPU time of the p2 run over that of the p1 run (every thread of the
// process). Each query job is bundled from a small generated entry that names the query. Time is
// from submission (deployment included) to the end of input at the last sink subtask; the job is
// then cancelled instead of waiting for its final checkpoint, so runs shorter than 10 s take no
// checkpoint. Checks: no job fails; append-only queries with deterministic results give the same row count at p1 and p2; every query but q12
// (processing time) produces rows. NEXMARK_RUNS (default 1) runs each pair more often (medians).
// NEXMARK_PARALLELISM (default 2) sets the higher parallelism, on as many TaskManager threads: on
// a larger machine `NEXMARK_PARALLELISM=8 npm run bench -- nexmark` prints `p8/p1` lines, and the
// `pN per core` line divides the higher parallelism's throughput by N.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalCluster, type LocalCluster } from '../actors/cluster/local-cluster.ts';
import { bundleJob } from '../actors/deploy/job-bundle.ts';
import { QUERIES, UPDATING_QUERIES } from '../examples/nexmark/queries.ts';
import { median, reportingBenchmark } from './harness.ts';

/** Flink 1.13's published throughput, thousands of events per second per core (NEXMARK.md §4). */
export const FLINK_PER_CORE_K: Readonly<Record<string, number>> = {
  q0: 155.02, q1: 157.94, q2: 175.21, q3: 152.12, q4: 34.33, q5: 22.14, q7: 12.33, q8: 146.14, q9: 14.24, q10: 57.81,
  q11: 39.7, q12: 75.67, q13: 130.73, q14: 161.23, q15: 72.42, q16: 18.65, q17: 116.8, q18: 53.7, q19: 44.04, q20: 18.98,
  q21: 98.49, q22: 129.96,
};

const EVENTS = Number(process.env.NEXMARK_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.NEXMARK_RUNS ?? 1);
/** The parallelism compared with 1, on as many TaskManager threads. */
const PARALLELISM = Number(process.env.NEXMARK_PARALLELISM ?? 2);
/** A run slower than this is stuck (the slowest query takes seconds). */
const RUN_TIMEOUT_MS = 300_000;
/** Results that differ between runs: processing time (q12) and the changelogs of updating queries. */
const NONDETERMINISTIC_ROWS = new Set(['q12', ...UPDATING_QUERIES]);

const jobModule = fileURLToPath(new URL('./jobs/nexmark-job.ts', import.meta.url));

/**
 * Runs one bundled query job until every sink subtask has reached its end of input (its marker
 * file), then cancels it rather than wait for the final checkpoint; returns the wall time from
 * submission to the last marker and the result rows.
 */
async function run(cluster: LocalCluster, job: QueryJob, parallelism: number): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const service = cluster.jobManager.service;
  rmSync(job.dir, { recursive: true, force: true });
  mkdirSync(job.dir, { recursive: true });
  const cpu = process.cpuUsage();
  const submitted = Date.now();
  const jobId = await service.submitJob(job.bundle, { name: `nexmark-${job.name}-p${parallelism}`, parallelism });
  const markers = Array.from({ length: parallelism }, (_, i) => join(job.dir, `done-${i}`));
  let outcome: { state: string; error?: string } | undefined;
  void service.jobResult(jobId).then((r) => { outcome = r; }, (e) => { outcome = { state: 'FAILED', error: String(e) }; });
  while (!markers.every((m) => existsSync(m))) {
    if (outcome !== undefined && outcome.state !== 'FINISHED') throw new Error(`nexmark ${job.name} at parallelism ${parallelism}: ${outcome.state} ${outcome.error ?? ''}`);
    if (Date.now() - submitted > RUN_TIMEOUT_MS) {
      await service.cancelJob(jobId).catch(() => {});
      throw new Error(`nexmark ${job.name} at parallelism ${parallelism}: not done after ${RUN_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const used = process.cpuUsage(cpu);
  let end = 0;
  let rows = 0;
  for (const m of markers) {
    const [at, n] = readFileSync(m, 'utf8').split(' ').map(Number);
    end = Math.max(end, at);
    rows += n;
  }
  if (outcome === undefined) await service.cancelJob(jobId).catch(() => {});
  await service.jobResult(jobId).catch(() => {});
  return { ms: end - submitted, cpuMs: (used.user + used.system) / 1000, rows };
}

/** One query's job: its bundle and the directory its markers, checkpoints and files go to. */
interface QueryJob { name: string; bundle: Uint8Array; dir: string }

/** Writes the job entry of query `name` into `root` and bundles it. */
async function bundleQuery(root: string, name: string): Promise<QueryJob> {
  const entry = join(root, `nexmark-${name}.mts`);
  const dir = join(root, name);
  writeFileSync(entry, [
    `// Generated: the Nexmark benchmark job for ${name}.`,
    `import { buildNexmarkJob } from ${JSON.stringify(jobModule)};`,
    `export default (env: Parameters<typeof buildNexmarkJob>[0]) => buildNexmarkJob(env, ${JSON.stringify(name)}, ${EVENTS}, ${JSON.stringify(dir)});`,
    '',
  ].join('\n'));
  return { name, bundle: await bundleJob(entry), dir };
}

reportingBenchmark('nexmark', async () => {
  if (!(Number.isSafeInteger(EVENTS) && EVENTS > 0)) throw new Error(`NEXMARK_EVENTS must be a positive integer, got ${process.env.NEXMARK_EVENTS}`);
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-bench-nexmark-'));
  const one = await startLocalCluster({ taskManagers: 1, slotsPerTaskManager: 1 });
  if (!(Number.isSafeInteger(PARALLELISM) && PARALLELISM >= 2)) throw new Error(`NEXMARK_PARALLELISM must be an integer >= 2, got ${process.env.NEXMARK_PARALLELISM}`);
  const many = await startLocalCluster({ taskManagers: PARALLELISM, slotsPerTaskManager: 1 });
  const pN = `p${PARALLELISM}`;
  let failed = 0;
  try {
    console.log(`nexmark: ${EVENTS} events per query, rate 10^7/s of event time, checkpoints every 10 s (kv), ${RUNS} run(s) per parallelism`);
    // Warm-up: the clusters, the bundle loader and the JIT on the source and a keyed query.
    for (const name of ['q0', 'q4']) {
      const job = await bundleQuery(dir, name);
      await run(one, job, 1);
      await run(many, job, PARALLELISM);
    }
    for (const name of Object.keys(QUERIES)) {
      try {
        const job = await bundleQuery(dir, name);
        const p1: number[] = [];
        const p2: number[] = [];
        const cpu1: number[] = [];
        const cpu2: number[] = [];
        let rows1 = 0;
        let rows2 = 0;
        for (let i = 0; i < RUNS; i++) {
          (globalThis as { gc?: () => void }).gc?.();
          const a = await run(one, job, 1);
          (globalThis as { gc?: () => void }).gc?.();
          const b = await run(many, job, PARALLELISM);
          p1.push(a.ms);
          p2.push(b.ms);
          cpu1.push(a.cpuMs);
          cpu2.push(b.cpuMs);
          rows1 = a.rows;
          rows2 = b.rows;
        }
        if (name !== 'q12' && (rows1 === 0 || rows2 === 0)) throw new Error(`no result rows (p1 ${rows1}, ${pN} ${rows2})`);
        if (!NONDETERMINISTIC_ROWS.has(name) && rows1 !== rows2) throw new Error(`p1 gave ${rows1} rows, ${pN} ${rows2}`);
        const perSecond = EVENTS / (median(p1) / 1000);
        const k = FLINK_PER_CORE_K[name];
        const flink = k === undefined ? '' : ` (flink per core ${k}K, ratio ${(perSecond / (k * 1000)).toFixed(2)})`;
        console.log(`nexmark ${name} p1: ${Math.round(perSecond)} ev/s${flink}`);
        // CPU of the whole process (JobManager and both TaskManager threads) per run: how much more
        // work p2 does than p1. Unlike the wall-time ratio it hardly depends on what else the machine runs.
        console.log(`nexmark ${name} ${pN}/p1 ${(median(p1) / median(p2)).toFixed(2)} (cpu ${pN}/p1 ${(median(cpu2) / median(cpu1)).toFixed(2)})`);
        console.log(`nexmark ${name} ${pN} per core: ${Math.round(EVENTS / (median(p2) / 1000) / PARALLELISM)} ev/s`);
      } catch (error) {
        failed++;
        console.log(`nexmark ${name}: FAILED ${(error as Error)?.message ?? String(error)}`);
      }
    }
  } finally {
    await one.close();
    await many.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed > 0) throw new Error(`${failed} Nexmark queries failed`);
});
