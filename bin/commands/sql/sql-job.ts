// The generic SQL job a SQL client ships to a cluster: its default export (built by
// sqlJobModule) replays the session's catalog statements and then plans the INSERT (or, with a
// collect target, the SELECT into the collect sink the client reads from) onto the environment it
// is given, exactly as every process of the cluster does, so that all of them build the same
// graph. SET 'execution.checkpointing.interval' turns checkpoints on (a SELECT's rows are then
// exactly-once). The statements are data handed in (a JSON file next to the bundle's entry),
// never code. Imports the Table API and the collect sink.
import { StreamTableEnvironment, type JobClient, type StreamExecutionEnvironment } from '../../../api/index.ts';
import { parseDuration } from '../../../api/table/connectors/filesystem-options.ts';
import { isQuery, parseStatement } from '../../../api/table/sql/index.ts';
import { StreamingCollectResultSink, TransactionalCollectResultSink, type CollectTarget } from './collect-result-sink.ts';

/** A JobClient for the INSERT planned inside the job module: the job is submitted by its loader, not here. */
function plannedOnly(name: string): JobClient {
  const refuse = (): Promise<never> => Promise.reject(new Error(`the SQL job ${name} is submitted by the process loading it; this module only builds its pipeline`));
  return {
    jobId: name, getJobStatus: refuse, cancel: refuse, triggerSavepoint: refuse, stopWithSavepoint: refuse, getJobExecutionResult: refuse,
  };
}

/** The checkpoint interval a `SET 'execution.checkpointing.interval' = '...'` statement asks for, if it is one. */
export function checkpointIntervalOf(sql: string): number | undefined {
  const stmt = parseStatement(sql);
  if (stmt.kind !== 'set' || stmt.key !== 'execution.checkpointing.interval') return undefined;
  const ms = parseDuration(stmt.value ?? '');
  if (ms === undefined || ms <= 0) throw new Error(`'execution.checkpointing.interval' must be a positive duration such as '1 s', got '${stmt.value ?? ''}'`);
  return ms;
}

/**
 * Builds the pipeline of `statements` (catalog statements, then one INSERT INTO; or, with
 * `collect`, one SELECT whose changes go to that result) on `env`.
 */
export async function buildSqlJob(env: StreamExecutionEnvironment, statements: readonly string[], collect?: CollectTarget): Promise<void> {
  if (!Array.isArray(statements) || statements.length === 0 || statements.some((s) => typeof s !== 'string')) {
    throw new Error('a SQL job needs its statements: a non-empty array of strings ending with an INSERT INTO or a SELECT');
  }
  const tEnv = StreamTableEnvironment.create(env);
  // executeSql submits an INSERT at once; here the pipeline must stay on `env` for the job loader,
  // which takes the graph from it. Submission is the loader's, so it is kept from happening here.
  const pipelineOnly = env as unknown as { executeAsync: (name?: unknown) => Promise<JobClient> };
  pipelineOnly.executeAsync = async (name?: unknown) => plannedOnly(typeof name === 'string' ? name : 'insert');
  const last = statements.length - 1;
  for (const [i, sql] of statements.entries()) {
    const interval = checkpointIntervalOf(sql);
    if (interval !== undefined) env.enableCheckpointing(interval);
    if (i === last && collect !== undefined) {
      if (!isQuery(parseStatement(sql))) throw new Error('a SQL job with a collect target must end with a SELECT');
      const table = tEnv.sqlQuery(sql);
      // One collecting subtask, as the embedded client: the changes of a key arrive in their order.
      const sink = env.getCheckpointConfig().isCheckpointingEnabled() ? new TransactionalCollectResultSink(collect) : new StreamingCollectResultSink(collect);
      tEnv.toChangelogStream(table).sinkTo(sink).name('SQL client result').setParallelism(1);
    } else {
      await tEnv.executeSql(sql);
    }
  }
}
