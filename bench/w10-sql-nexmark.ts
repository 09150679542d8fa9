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

function environment(): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1).enableCheckpointing(CHECKPOINT_INTERVAL_MS);
  return env;
}

/** The DataStream version: wall milliseconds from execute to its result. */
async function runDataStream(name: string): Promise<number> {
  const env = environment();
  const events = env.fromSource(new NexmarkSource({ numEvents: EVENTS, firstEventRate: FIRST_EVENT_RATE }), NexmarkSource.watermarkStrategy(), 'Nexmark Source');
  QUERIES[name](events).addSink(() => {});
  const started = performance.now();
  await env.execute(`nexmark ${name} (DataStream)`);
  return performance.now() - started;
}

/** Plans the SQL version into a fresh environment; the INSERT is returned unexecuted. */
function planSql(name: string): { tEnv: StreamTableEnvironment; insert: string } {
  const tEnv = StreamTableEnvironment.create(environment());
  const ddl = NEXMARK_DDL.replace("'events.num' = '100000000'", `'events.num' = '${EVENTS}'`);
  if (ddl === NEXMARK_DDL) throw new Error('the Nexmark DDL no longer sets events.num to 100000000: update the benchmark');
  for (const p of splitStatements(ddl)) void tEnv.executeSql(p.sql);
  const parts = splitStatements(NEXMARK_QUERIES[name]).map((p) => p.sql);
  for (const p of parts.slice(0, -1)) void tEnv.executeSql(p);
  const insert = parts[parts.length - 1];
  tEnv.explainSql(insert); // refuses what the planner does not support, before anything runs
  return { tEnv, insert };
}

/** The SQL version: wall milliseconds from execute to its result. */
async function runSql(name: string): Promise<number> {
  const { tEnv, insert } = planSql(name);
  const started = performance.now();
  const result = await tEnv.executeSql(insert);
  await result.await();
  return performance.now() - started;
}

function rate(ms: number): string {
  return `${Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US')} ev/s`;
}

reportingBenchmark('sql-nexmark', async () => {
  const names = Object.keys(NEXMARK_QUERIES).filter((q) => QUERIES[q] !== undefined && (ONLY === undefined || ONLY.includes(q)));
  const ratios: number[] = [];
  for (const name of names) {
    try {
      planSql(name);
    } catch (error) {
      console.log(`sql-nexmark ${name}: not run (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    await runSql(name);
    await runDataStream(name);
    const sql: number[] = [], stream: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      if (round % 2 === 0) { sql.push(await runSql(name)); stream.push(await runDataStream(name)); }
      else { stream.push(await runDataStream(name)); sql.push(await runSql(name)); }
    }
    const ratio = median(stream) / median(sql);
    ratios.push(ratio);
    console.log(`sql-nexmark ${name}: sql ${rate(median(sql))}, datastream ${rate(median(stream))}, ratio ${ratio.toFixed(2)}`);
  }
  if (ratios.length > 0) {
    const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    console.log(`sql-nexmark: geometric mean of the ratios ${geomean.toFixed(2)} over ${ratios.length} queries (${EVENTS.toLocaleString('en-US')} events, ${RUNS} rounds)`);
  }
});
