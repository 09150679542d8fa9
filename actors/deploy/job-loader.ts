// Job loading: turns a shipped bundle (job-bundle.ts) back into a module in this process, and the
// module into the job's JobGraph. The bundle's placeholders for the actorflow package are pointed
// at this process's own installation, so the job and the runtime share one copy of every class.
// Every process of a cluster builds the graph the same way (buildJobGraph), so vertex ids agree.
// The linked module is written to a file of its own for each load (the module loader imports
// files), and that file is removed once the import has settled: the loader holds the module (or
// its failure) from then on, and refused bundles leave nothing on disk.
// Imports api/ (the environment), the cluster's batch wrapper and node: built-ins.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getuid } from 'node:process';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../../api/environment/stream-execution-environment.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { clusterJobGraph } from '../runtime/batch/cluster-batch-job.ts';
import { RUNTIME_SPECIFIER_LITERAL } from './runtime-specifier.ts';

/** How a job is submitted: its name, default parallelism and the savepoint to restore. */
export interface JobSubmitOptions {
  readonly name: string;
  readonly parallelism?: number;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
}

/** A loaded job: its default export builds the pipeline on the given environment. */
export interface JobModule {
  default: (env: StreamExecutionEnvironment) => void | Promise<void>;
  /**
   * A job whose graph was built already in this process (an in-process submission, such as a
   * simulation's): each call gives that graph with settings of its own (processes amend them),
   * used instead of building `default` again.
   */
  readonly jobGraph?: (options: JobSubmitOptions) => JobGraph;
}

/** This installation's package root, where the bundle's placeholders point. */
const PACKAGE_ROOT = new URL('../../', import.meta.url);

/** Where bundles being loaded are written (per user): one file per load, removed once imported. */
const CACHE_DIR = join(tmpdir(), `actorflow-jobs-${getuid?.() ?? 'user'}`);

/** Bundles loaded (or being loaded) in this process, by key. */
const loaded = new Map<string, Promise<JobModule>>();

/** Whether this installation runs compiled (dist/ of the installed package): its modules are `.js`. */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * Points a bundle's placeholder specifiers (which name the TypeScript sources, `/api/index.ts`)
 * at the files of this installation: the sources, or their compiled `.js` in a compiled one.
 */
export function linkBundle(bundle: Uint8Array, root: URL = PACKAGE_ROOT, compiled = COMPILED): string {
  const source = new TextDecoder().decode(bundle);
  return source.replace(RUNTIME_SPECIFIER_LITERAL, (_match, _quote: string, path: string) =>
    JSON.stringify(new URL('.' + (compiled ? path.replace(/\.ts$/, '.js') : path), root).href));
}

/** Loads a bundle (cached by key) in this process. */
export function loadJobModule(bundle: Uint8Array, key: string): Promise<JobModule> {
  let module = loaded.get(key);
  if (module === undefined) {
    module = importBundle(bundle, key);
    loaded.set(key, module);
    // A failed load is not cached: the caller may fix the cause and retry (under a fresh file name,
    // as module loaders remember failures by URL).
    module.catch(() => {
      if (loaded.get(key) === module) loaded.delete(key);
    });
  }
  return module;
}

async function importBundle(bundle: Uint8Array, key: string): Promise<JobModule> {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`job bundle key "${key}" may only contain letters, digits, '-' and '_'`);
  // Processes of different installations on one machine link the same bundle differently.
  const installation = createHash('sha256').update(PACKAGE_ROOT.href).digest('hex').slice(0, 12);
  // Unique per load: another process (or a retry here) never imports or removes this one's file.
  const file = join(CACHE_DIR, `${key}-${installation}-${randomBytes(6).toString('hex')}.mjs`);
  await mkdir(CACHE_DIR, { recursive: true });
  // Written under a temporary name and renamed: a process importing the file never sees half of it.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, linkBundle(bundle));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`cannot write job bundle ${key} to ${file}: ${(error as Error).message}`, { cause: error });
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new Error(`cannot load job bundle ${key}: ${(error as Error).message}`, { cause: error });
  } finally {
    await rm(file, { force: true }).catch(() => {});
  }
  if (typeof module.default !== 'function') {
    throw new Error(`job bundle ${key} has no default export function; a job file must ` +
      '`export default function (env: StreamExecutionEnvironment) { ... }` that builds its pipeline');
  }
  return module as unknown as JobModule;
}

/**
 * Builds the job's graph exactly as every other process of the cluster builds it. A BATCH-mode job
 * becomes a one-task job that runs its stages inside one TaskManager (cluster-batch-job.ts).
 */
export async function buildJobGraph(module: JobModule, options: JobSubmitOptions): Promise<JobGraph> {
  let graph: JobGraph;
  if (module.jobGraph !== undefined) graph = clusterJobGraph(module.jobGraph(options));
  else {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (options.parallelism !== undefined) env.setParallelism(options.parallelism);
    await module.default(env);
    graph = clusterJobGraph(env.getJobGraph(options.name));
  }
  if (options.fromSavepoint) {
    // As executeAsync does for a restore.
    (graph.config.faultTolerance as Record<string, unknown>).restore = {
      path: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState ?? false,
    };
  }
  return graph;
}
