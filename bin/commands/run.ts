// `actorflow run <job>`: loads a job module and executes it embedded (the default), printing
// the job's result or the root cause of its failure; with --jobmanager or --rest it submits the
// job to a cluster instead (run-cluster.ts).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { StreamExecutionEnvironment } from '../../api/index.ts';
import type { JobModule as LoadedJobModule } from '../../actors/deploy/job-loader.ts';

/** Options of `actorflow run`. */
export interface RunOptions {
  parallelism?: number;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
  jobmanager?: string;
  /** The cluster's REST URL (instead of --jobmanager). */
  rest?: string;
  /** The JobManagers' HA store (instead of --jobmanager). */
  haStorage?: string;
  detached?: boolean;
}

type JobModule = { default?: (env: StreamExecutionEnvironment) => void | Promise<void> };

/** Runs the job file; resolves with the process exit code. */
export async function runJob(file: string, options: RunOptions): Promise<number> {
  const path = resolve(file);
  if (!existsSync(path)) {
    console.error(`actorflow run: no such job file: ${file}`);
    return 2;
  }
  const mod = (await import(pathToFileURL(path).href)) as JobModule;
  if (typeof mod.default !== 'function') {
    console.error(`actorflow run: ${file} must export a default function (env) => { ...build the pipeline... }`);
    return 2;
  }
  if (options.jobmanager !== undefined || options.rest !== undefined || options.haStorage !== undefined) {
    const name = file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '');
    const submit = { name, parallelism: options.parallelism, fromSavepoint: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState };
    // Loaded only here: the embedded run needs neither the bundler nor the REST client.
    const { runOnCluster } = await import('./run-cluster.ts');
    return runOnCluster(path, mod as LoadedJobModule, submit, options);
  }
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  if (options.parallelism) env.setParallelism(options.parallelism);
  await mod.default(env);
  const name = file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '');
  const execute = { name, fromSavepoint: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState };
  try {
    if (options.detached) {
      const client = await env.executeAsync(execute);
      console.log(client.jobId);
      await client.getJobExecutionResult();
      return 0;
    }
    const result = await env.execute(execute);
    console.log(`Job '${result.jobName}' (${result.jobId}) finished in ${result.netRuntimeMs} ms`);
    return 0;
  } catch (e) {
    console.error(`Job '${name}' failed: ${describe(e)}`);
    return 1;
  }
}

/** The error and its chain of causes, root cause last. */
function describe(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e; cur; cur = (cur as { cause?: unknown }).cause) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    if (parts.length > 8) break;
  }
  return parts.join('\n  caused by: ');
}
