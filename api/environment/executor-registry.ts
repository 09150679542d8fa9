// Executor registry: how an environment finds the runtime that executes its job graph, so that
// api/ never imports actors/. The runtime registers itself (the embedded mini cluster registers
// 'embedded'); the package entry imports that registration. Imports api/ only.
import type { JobGraph } from '../graph/job-graph.ts';
import type { EnvironmentConfig } from './environment-config.ts';
import type { JobClient } from './job-client.ts';

/** Runs job graphs. */
export interface PipelineExecutor {
  /** Submits the job; the client resolves once the job is accepted. */
  execute(jobGraph: JobGraph, config: EnvironmentConfig): Promise<JobClient>;
}

const executors = new Map<string, PipelineExecutor>();

/** Registers (or replaces) the executor named `name`. */
export function registerExecutor(name: string, executor: PipelineExecutor): void {
  executors.set(name, executor);
}

/** The executor named `name`; a clear error when no runtime registered it. */
export function findExecutor(name: string): PipelineExecutor {
  const executor = executors.get(name);
  if (!executor) {
    const known = [...executors.keys()];
    throw new Error(`no executor named "${name}" is registered (known: ${known.length ? known.join(', ') : 'none'}); ` +
      "import the package entry ('actorflow' or api/index.ts), which registers the embedded runtime");
  }
  return executor;
}

const batchExecutors = new Map<string, PipelineExecutor>();

/** Registers the executor that runs BATCH-mode jobs for the runtime named `name`. */
export function registerBatchExecutor(name: string, executor: PipelineExecutor): void {
  batchExecutors.set(name, executor);
}

/** The BATCH-mode executor of runtime `name`; a clear error when that runtime cannot run batch jobs. */
export function findBatchExecutor(name: string): PipelineExecutor {
  const executor = batchExecutors.get(name);
  if (!executor) {
    const known = [...batchExecutors.keys()];
    throw new Error(`the "${name}" executor cannot run batch jobs (batch mode runs on: ${known.length ? known.join(', ') : 'none registered'}); ` +
      "use setRuntimeMode('streaming') there");
  }
  return executor;
}
