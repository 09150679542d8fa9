// The generic SQL job a SQL client ships to a cluster: its default export (built by
// sqlJobModule) replays the session's catalog statements and then plans the INSERT onto the
// environment it is given, exactly as every process of the cluster does, so that all of them build
// the same graph. The statements are data handed in (a JSON file next to the bundle's entry), never
// code. Imports the Table API.
import { StreamTableEnvironment, type JobClient, type StreamExecutionEnvironment } from '../../../api/index.ts';

/** A JobClient for the INSERT planned inside the job module: the job is submitted by its loader, not here. */
function plannedOnly(name: string): JobClient {
  const refuse = (): Promise<never> => Promise.reject(new Error(`the SQL job ${name} is submitted by the process loading it; this module only builds its pipeline`));
  return {
    jobId: name, getJobStatus: refuse, cancel: refuse, triggerSavepoint: refuse, stopWithSavepoint: refuse, getJobExecutionResult: refuse,
  };
}

/** Builds the pipeline of `statements` (catalog statements, then one INSERT INTO) on `env`. */
export async function buildSqlJob(env: StreamExecutionEnvironment, statements: readonly string[]): Promise<void> {
  if (!Array.isArray(statements) || statements.length === 0 || statements.some((s) => typeof s !== 'string')) {
    throw new Error('a SQL job needs its statements: a non-empty array of strings ending with an INSERT INTO');
  }
  const tEnv = StreamTableEnvironment.create(env);
  // executeSql submits an INSERT at once; here the pipeline must stay on `env` for the job loader,
  // which takes the graph from it. Submission is the loader's, so it is kept from happening here.
  const pipelineOnly = env as unknown as { executeAsync: (name?: unknown) => Promise<JobClient> };
  pipelineOnly.executeAsync = async (name?: unknown) => plannedOnly(typeof name === 'string' ? name : 'insert');
  for (const sql of statements) await tEnv.executeSql(sql);
}
