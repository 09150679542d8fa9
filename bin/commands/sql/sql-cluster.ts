// Ships a SQL client's INSERT INTO or SELECT to a cluster: the session's statements are written as
// JSON next to a two-line entry module that hands them to the generic SQL job (sql-job.ts), the
// entry is bundled with the existing job bundler (so TaskManagers need no copy of anything but
// actorflow) and submitted over REST. The graph is built here first, so an invalid job fails
// before it ships. A SELECT's job writes its changes into a result on the JobManager's REST server
// (collect-result-sink.ts), named by an id drawn here; the client fetches them from an offset
// until the job ends, and cancels the job and drops the result when the user stops early.
// Imports the job shipping functions, the cluster and collect clients and node: built-ins.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { buildJobGraph } from '../../../actors/deploy/job-loader.ts';
import { CollectClient } from '../../../actors/rest/collect-client.ts';
import type { JobResultInfo } from '../../../actors/rest/cluster-service.ts';
import type { ChangelogRow } from '../../../api/index.ts';
import { connectCluster, type ClusterClientOptions } from '../cluster-client.ts';
import type { RemoteQuery, SqlJobSpec } from './sql-session.ts';
import { buildSqlJob } from './sql-job.ts';

/** The generic SQL job module, imported by the generated entry. */
const SQL_JOB_MODULE = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './sql-job.js' : './sql-job.ts', import.meta.url));

/** Bundles the SQL job of `job` (its statements as data) into one shippable module. */
export async function bundleSqlJob(job: SqlJobSpec): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'actorflow-sql-job-'));
  try {
    await writeFile(join(dir, 'job.json'), JSON.stringify({ statements: job.statements, collect: job.collect ?? null }));
    // Only the module's path is written into code, as a JSON string literal; the statements stay data.
    await writeFile(join(dir, 'sql-job-entry.ts'), [
      `import { buildSqlJob } from ${JSON.stringify(SQL_JOB_MODULE)};`,
      "import job from './job.json';",
      'export default (env: Parameters<typeof buildSqlJob>[0]) => buildSqlJob(env, job.statements, job.collect ?? undefined);',
      '',
    ].join('\n'));
    return await bundleJob(join(dir, 'sql-job-entry.ts'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Submits the INSERT of `job` to the cluster; resolves with its job id. */
export async function submitSqlJob(job: SqlJobSpec, options: ClusterClientOptions): Promise<string> {
  const submit = { name: job.name, parallelism: job.parallelism };
  await buildJobGraph({ default: (env) => buildSqlJob(env, job.statements) }, submit);
  const bundle = await bundleSqlJob(job);
  const client = await connectCluster(options);
  return client.submitJob(bundle, submit);
}

/** How long one fetch of a running query's result waits for rows before the job's state is looked at again. */
const FETCH_WAIT_MS = 1000;

/**
 * Submits the SELECT of `job` (its last statement) to the cluster with a collect sink, and returns
 * the running query: its changes, page by page, until the job ends; cancel() stops it.
 */
export async function startSqlQuery(job: SqlJobSpec, options: ClusterClientOptions): Promise<RemoteQuery> {
  const rest = await connectCluster(options);
  const collect = { restUrl: rest.baseUrl, resultId: randomUUID() };
  const submit = { name: job.name, parallelism: job.parallelism };
  await buildJobGraph({ default: (env) => buildSqlJob(env, job.statements, collect) }, submit);
  const bundle = await bundleSqlJob({ ...job, collect });
  const results = new CollectClient(rest.baseUrl);
  const jobId = await rest.submitJob(bundle, submit);
  let cancelled = false;
  let ended: JobResultInfo | undefined;
  let endError: unknown;
  const settled = rest.jobResult(jobId).then((r) => { ended = r; }, (e) => { endError = e; });
  // Cancels the job and waits until it has ended, so that its sink never pushes into a closed result.
  const stop = async (): Promise<void> => {
    if (ended !== undefined || endError !== undefined) return;
    await rest.cancelJob(jobId).catch(() => {});
    await settled;
  };
  return {
    jobId,
    async *changes(): AsyncGenerator<ChangelogRow[]> {
      let offset = 0;
      let finished = false;
      try {
        for (;;) {
          const last = ended !== undefined || endError !== undefined;
          const page = await results.fetch(collect.resultId, offset, { timeoutMs: last ? 0 : FETCH_WAIT_MS });
          if (page.rows.length > 0) {
            offset = page.offset + page.rows.length;
            yield page.rows as ChangelogRow[];
            continue;
          }
          // Empty once the job had ended: every row it pushed was fetched (its sink finished after its pushes).
          if (last || cancelled) break;
        }
        if (cancelled) return;
        if (endError !== undefined) throw endError;
        const final = ended!;
        if (final.state === 'FAILED') throw new Error(`the query's job ${jobId} failed: ${final.error ?? 'no cause given'}`);
        if (final.state !== 'FINISHED') throw new Error(`the query's job ${jobId} ended ${final.state}`);
        finished = true;
      } finally {
        // Stopped early (cancel, or the consumer left): the job is cancelled; the result is dropped either way.
        if (!finished) await stop();
        await results.close(collect.resultId).catch(() => {});
      }
    },
    async cancel(): Promise<void> {
      cancelled = true;
      await stop();
    },
  };
}
