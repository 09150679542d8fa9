// `actorflow run <job> --local-task-managers N`: runs the job on all cores of this machine: a
// JobManager here and N TaskManagers in worker threads, the job shipped to them as a bundle like
// to a standalone cluster. Slots per TaskManager are sized so the job fits. Prints the result or
// the root cause, like the embedded run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { requiredSlots } from '../../api/graph/job-graph.ts';
import { startLocalCluster } from '../../actors/cluster/local-cluster.ts';
import { bundleJob } from '../../actors/deploy/job-bundle.ts';
import { buildJobGraph, type JobModule } from '../../actors/deploy/job-loader.ts';
import type { RunOptions } from './run.ts';

/** Runs the job file on a local cluster of `localTaskManagers` worker threads; resolves with the exit code. */
export async function runOnLocalCluster(file: string, options: RunOptions & { localTaskManagers: number }): Promise<number> {
  const path = resolve(file);
  if (!existsSync(path)) {
    console.error(`actorflow run: no such job file: ${file}`);
    return 2;
  }
  const name = file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]s$/, '');
  const submit = { name, parallelism: options.parallelism, fromSavepoint: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState };
  const mod = (await import(pathToFileURL(path).href)) as Partial<JobModule>;
  if (typeof mod.default !== 'function') {
    console.error(`actorflow run: ${file} must export a default function (env) => { ...build the pipeline... }`);
    return 2;
  }
  let slots: number;
  try {
    const graph = await buildJobGraph(mod as JobModule, submit);
    slots = Math.max(1, Math.ceil(requiredSlots(graph) / options.localTaskManagers));
  } catch (e) {
    console.error(`actorflow run: the job is invalid: ${(e as Error).message}`);
    return 1;
  }
  const bundle = await bundleJob(path);
  const cluster = await startLocalCluster({ taskManagers: options.localTaskManagers, slotsPerTaskManager: slots });
  try {
    const service = cluster.jobManager.service;
    const jobId = await service.submitJob(bundle, submit);
    if (options.detached) console.log(jobId);
    const outcome = await service.jobResult(jobId);
    if (outcome.state === 'FINISHED') {
      console.log(`Job '${name}' (${jobId}) finished in ${outcome.result?.netRuntimeMs ?? 0} ms on ${options.localTaskManagers} TaskManagers`);
      return 0;
    }
    console.error(`Job '${name}' ${outcome.state === 'CANCELED' ? 'was cancelled' : 'failed'}: ${outcome.error ?? outcome.state}`);
    return 1;
  } finally {
    await cluster.close();
  }
}
