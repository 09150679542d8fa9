// W10, the Nexmark queries in SQL against their DataStream versions (the SQL issue's benchmark):
// each query runs embedded at parallelism 1 over NEXMARK_SQL_EVENTS generated events (default
// 200,000) with exactly-once checkpoints every 10 s, once as its Flink SQL text (the Nexmark DDL's
// `nexmark` table, its views and a blackhole sink) and once as the DataStream job of
// examples/nexmark (the same generator configuration, results discarded). The two alternate, SQL
// first in odd rounds and DataStream first in even ones (the shared machine drifts); a warm-up
// round is not counted. Prints per query
//   sql-nexmark qN: sql <events/s> ev/s, datastream <events/s> ev/s, ratio <sql/datastream>
// (medians over NEXMARK_SQL_RUNS rounds, default 3), then the geometric mean of the ratios. Time is
// from execute to the job's result, deployment included, the same for both. Queries the planner
// refuses are listed with the reason instead of a figure.
// The SQL side runs with the mini-batch settings of Flink's Nexmark configuration
// (MINI_BATCH_SETTINGS: table.exec.mini-batch.enabled = true, allow-latency = 2 s, size = 5000,
// table.optimizer.agg-phase-strategy = AUTO, so two-phase where every aggregate merges).
// NEXMARK_SQL_MINI_BATCH=off runs it without them; =both runs both SQL forms in each round
// (interleaved with the DataStream run) and prints both ratios, with CPU time per run as well
// (process.cpuUsage: steadier than wall time on a shared machine).
import { NexmarkSource, StreamExecutionEnvironment, StreamTableEnvironment } from '../api/index.ts';
import { splitStatements } from '../api/table/sql/parser.ts';
import { QUERIES } from '../examples/nexmark/queries.ts';
import { NEXMARK_DDL, NEXMARK_QUERIES } from '../tests/api/table/sql/nexmark-queries.ts';
import { median, reportingBenchmark } from './harness.ts';

const EVENTS = Number(process.env.NEXMARK_SQL_EVENTS ?? 200_000);
const RUNS = Number(process.env.NEXMARK_SQL_RUNS ?? 3);
/** The Nexmark DDL's event rate: both versions generate the same events. */
const FIRST_EVENT_RATE = 10_000_000;
const CHECKPOINT_INTERVAL_MS = 10_000;
const ONLY = process.env.NEXMARK_SQL_QUERIES?.split(',').map((q) => q.trim()).filter(Boolean);
/** The mini-batch settings of Flink's Nexmark configuration, applied to the SQL side. */
const MINI_BATCH_SETTINGS: readonly [string, string][] = [
  ['table.exec.mini-batch.enabled', 'true'],
  ['table.exec.mini-batch.allow-latency', '2 s'],
  ['table.exec.mini-batch.size', '5000'],
  ['table.optimizer.agg-phase-strategy', 'AUTO'],
];
const MINI_BATCH = process.env.NEXMARK_SQL_MINI_BATCH ?? 'on';
if (!['on', 'off', 'both'].includes(MINI_BATCH)) throw new Error(`NEXMARK_SQL_MINI_BATCH must be on, off or both, got '${MINI_BATCH}'`);

/** Wall and CPU (user + system) milliseconds of one run. */
interface Timing { wall: number; cpu: number }

async function timed(run: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
}

function environment(): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1).enableCheckpointing(CHECKPOINT_INTERVAL_MS);
  return env;
}

/** The DataStream version: time from execute to its result. */
async function runDataStream(name: string): Promise<Timing> {
  const env = environment();
  const events = env.fromSource(new NexmarkSource({ numEvents: EVENTS, firstEventRate: FIRST_EVENT_RATE }), NexmarkSource.watermarkStrategy(), 'Nexmark Source');
  QUERIES[name](events).addSink(() => {});
  return timed(async () => { await env.execute(`nexmark ${name} (DataStream)`); });
}

/** Plans the SQL version into a fresh environment; the INSERT is returned unexecuted. */
function planSql(name: string, miniBatch: boolean): { tEnv: StreamTableEnvironment; insert: string } {
  const tEnv = StreamTableEnvironment.create(environment());
  if (miniBatch) for (const [key, value] of MINI_BATCH_SETTINGS) void tEnv.executeSql(`SET '${key}' = '${value}'`);
  const ddl = NEXMARK_DDL.replace("'events.num' = '100000000'", `'events.num' = '${EVENTS}'`);
  if (ddl === NEXMARK_DDL) throw new Error('the Nexmark DDL no longer sets events.num to 100000000: update the benchmark');
  for (const p of splitStatements(ddl)) void tEnv.executeSql(p.sql);
  const parts = splitStatements(NEXMARK_QUERIES[name]).map((p) => p.sql);
  for (const p of parts.slice(0, -1)) void tEnv.executeSql(p);
  const insert = parts[parts.length - 1];
  tEnv.explainSql(insert); // refuses what the planner does not support, before anything runs
  return { tEnv, insert };
}

/** The SQL version: time from execute to its result. */
async function runSql(name: string, miniBatch: boolean): Promise<Timing> {
  const { tEnv, insert } = planSql(name, miniBatch);
  return timed(async () => { await (await tEnv.executeSql(insert)).await(); });
}

function rate(ms: number): string {
  return `${Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US')} ev/s`;
}

reportingBenchmark('sql-nexmark', async () => {
  const names = Object.keys(NEXMARK_QUERIES).filter((q) => QUERIES[q] !== undefined && (ONLY === undefined || ONLY.includes(q)));
  const forms = MINI_BATCH === 'both' ? [true, false] : [MINI_BATCH === 'on'];
  console.log(`sql-nexmark: SQL side ${MINI_BATCH === 'off' ? 'without mini-batch' : `with Flink's Nexmark mini-batch settings (${MINI_BATCH_SETTINGS.map(([k, v]) => `${k}=${v}`).join(', ')})`}${MINI_BATCH === 'both' ? ' and without' : ''}`);
  const ratios: number[] = [];
  for (const name of names) {
    try {
      planSql(name, forms[0]);
    } catch (error) {
      console.log(`sql-nexmark ${name}: not run (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    for (const form of forms) await runSql(name, form);
    await runDataStream(name);
    const sql: Timing[][] = forms.map(() => []);
    const stream: Timing[] = [];
    for (let round = 0; round < RUNS; round++) {
      // Alternate the order of the forms in each round (the shared machine drifts).
      const order = round % 2 === 0 ? [...forms.keys(), -1] : [-1, ...[...forms.keys()].reverse()];
      for (const f of order) {
        if (f < 0) stream.push(await runDataStream(name));
        else sql[f].push(await runSql(name, forms[f]));
      }
    }
    const streamWall = median(stream.map((t) => t.wall));
    const streamCpu = median(stream.map((t) => t.cpu));
    forms.forEach((form, f) => {
      const wall = median(sql[f].map((t) => t.wall));
      const cpu = median(sql[f].map((t) => t.cpu));
      const ratio = streamWall / wall;
      if (f === 0) ratios.push(ratio);
      const label = MINI_BATCH === 'both' ? ` (${form ? 'mini-batch' : 'no mini-batch'})` : '';
      console.log(`sql-nexmark ${name}${label}: sql ${rate(wall)}, datastream ${rate(streamWall)}, ratio ${ratio.toFixed(2)}; cpu ratio ${(streamCpu / cpu).toFixed(2)} (sql ${Math.round(cpu)} ms, datastream ${Math.round(streamCpu)} ms)`);
    });
  }
  if (ratios.length > 0) {
    const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    console.log(`sql-nexmark: geometric mean of the ratios ${geomean.toFixed(2)} over ${ratios.length} queries (${EVENTS.toLocaleString('en-US')} events, ${RUNS} rounds)`);
  }
});
