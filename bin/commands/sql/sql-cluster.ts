// Ships a SQL client's INSERT INTO to a cluster: the session's statements are written as JSON next
// to a two-line entry module that hands them to the generic SQL job (sql-job.ts), the entry is
// bundled with the existing job bundler (so TaskManagers need no copy of anything but actorflow)
// and submitted over REST. The graph is built here first, so an invalid job fails before it ships.
// Imports the job shipping functions, the cluster client and node: built-ins.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleJob } from '../../../actors/deploy/job-bundle.ts';
import { buildJobGraph } from '../../../actors/deploy/job-loader.ts';
import { connectCluster, type ClusterClientOptions } from '../cluster-client.ts';
import type { SqlJobSpec } from './sql-session.ts';
import { buildSqlJob } from './sql-job.ts';

/** The generic SQL job module, imported by the generated entry. */
const SQL_JOB_MODULE = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? './sql-job.js' : './sql-job.ts', import.meta.url));

/** Bundles the SQL job of `job` (its statements as data) into one shippable module. */
export async function bundleSqlJob(job: SqlJobSpec): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'actorflow-sql-job-'));
  try {
    await writeFile(join(dir, 'statements.json'), JSON.stringify(job.statements));
    // Only the module's path is written into code, as a JSON string literal; the statements stay data.
    await writeFile(join(dir, 'sql-job-entry.ts'), [
      `import { buildSqlJob } from ${JSON.stringify(SQL_JOB_MODULE)};`,
      "import statements from './statements.json';",
      'export default (env: Parameters<typeof buildSqlJob>[0]) => buildSqlJob(env, statements);',
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
