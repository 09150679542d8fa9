// JobManagerService: the ClusterService of a JobManager process, over its Dispatcher. Submitting
// first checks what needs none of the bundle's code to run (checkBundle: size, text, syntax, a
// default export), then loads it and builds the job's graph here (an invalid graph is refused,
// naming the operator), and only then stores the bundle in the blob store; a submission refused
// or failed after that deletes the blob again unless another job uses it. It gives checkpointing
// jobs storage every process reaches (a KV file under the data dir unless the job names one; 'kv'
// instead of the memory backend), and hands the graph to the Dispatcher actor, whose JobMaster deploys it onto the TaskManager processes.
// With high availability, only the leader accepts jobs: it records each one (and its bundle) in
// the JobStore before starting it and its final status when it ends, and a new leader recovers
// the jobs that have not ended, under their ids, from their latest completed checkpoints. Its HA
// writes are fenced by the epoch of its leadership: a leader claims a job (its record and its
// checkpoint record) before starting it, its checkpoints complete only through the CheckpointFence,
// and a deposed leader can neither add or end a job nor complete a checkpoint the new leader recovers.
// Its metrics (jobs, TaskManagers, this process) are a ClusterMetrics over the same Dispatcher.
// Imports api/ types, actors/deploy, actors/ha, actors/rest types, actors/runtime, actors/cluster and actors/observability.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobStatus } from '../../api/environment/job-client.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import { blobKey as keyOf, type BlobStore } from '../deploy/blob-store.ts';
import { errorFields, logger } from '../observability/logger.ts';
import { ClusterMetrics } from '../observability/cluster-metrics.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import { buildJobGraph } from '../deploy/job-loader.ts';
import { shippedBundles, type JobModuleSource } from './process-environment.ts';
import { FencedOffError, FencedStateBackend, type CheckpointFence } from '../ha/checkpoint-fence.ts';
import type { JobStore, StoredJob } from '../ha/job-store.ts';
import {
  BadRequestError, NotLeaderError, UnknownJobError, type CheckpointStats, type ClusterOverview, type ClusterService, type JobDetail,
  type JobOverview, type JobResultInfo, type JobSubmitOptions, type TaskManagerInfo,
} from '../rest/cluster-service.ts';
import type { JobGraphStore } from '../runtime/cluster-actors.ts';
import type { DispatcherMessage } from '../runtime/cluster.protocol.ts';
import { newJobId, type Dispatcher } from '../runtime/dispatcher.ts';
import type { JobMaster } from '../runtime/job-master.ts';
import type { ResourceManager } from '../runtime/resource-manager.ts';
import type { StateBackend } from '../../state/snapshot/state-backend.ts';
import type { RemoteJobInfo } from './remote-deployer.ts';
import { errorChain } from './task-executor.ts';

/** What the service works with. */
export interface JobManagerServiceContext {
  readonly dispatcher: Dispatcher;
  readonly dispatcherRef: () => ActorRef<DispatcherMessage>;
  readonly resourceManager: ResourceManager;
  readonly store: JobGraphStore;
  readonly blobs: BlobStore;
  /** Per-job facts the job's RemoteDeployer reads (filled before the job starts). */
  readonly jobInfos: Map<string, Omit<RemoteJobInfo, 'resourceManager'>>;
  /** The qualified path of the JobMaster actor of `jobId`. */
  readonly jobMasterPath: (jobId: string) => string;
  /** Where the JobManager keeps checkpoint storage of jobs that name none (a file per job under it)... */
  readonly dataDir: string;
  /** ...unless this KV (a KV Connect URL every process reaches) holds them all. */
  readonly checkpointStore?: string;
  /** The JobManager's actor system (its actor counts are metrics). */
  readonly system?: ActorSystem;
  /** The largest bundle accepted (default 64 MiB, as the REST server's). */
  readonly maxBundleBytes?: number;
  /** Where job modules come from (default shipped bundles). */
  readonly jobs?: JobModuleSource;
  /** The time of submissions and durations (default the wall clock). */
  readonly now?: () => number;
  /** The randomness of job ids (default Math.random; a simulation's seeded one). */
  readonly random?: () => number;
  /** High availability: the store every JobManager candidate shares, whether this one leads, and its epoch. */
  readonly ha?: {
    readonly jobs: JobStore;
    readonly checkpoints: CheckpointFence;
    readonly isLeader: () => boolean;
    /** The epoch of this JobManager's leadership (its fencing token). */
    readonly epoch: () => number;
    readonly leader: () => Promise<string | undefined>;
  };
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['FINISHED', 'FAILED', 'CANCELED']);

const log = logger('job-manager-service');

/** A job's checkpoint statistics in Flink's shape (the newest completed one's id, duration and size also at the top of `latest`). */
export function checkpointStatsOf(job: JobMaster): CheckpointStats {
  const s = job.checkpointing.stats();
  const history = job.checkpointing.history.snapshot();
  return {
    ...history,
    counts: { ...history.counts, completed: s.completed, failed: s.failed, in_progress: s.inProgress },
    latest: { ...history.latest, ...(s.latest ? { id: s.latest.id, 'end-to-end-duration': s.latest.durationMs, 'state-size': s.latest.bytes } : {}) },
  };
}

/** The ClusterService a JobManager process serves. */
export class JobManagerService implements ClusterService {
  /** With HA: per job, settles once its end is recorded in the HA store (or could not be). */
  private readonly endsRecorded = new Map<string, Promise<void>>();
  /** Submissions under way per bundle key: their blob must not be deleted by another's failure. */
  private readonly submitting = new Map<string, number>();
  /** The metrics of its jobs, TaskManagers and process. */
  readonly metrics: ClusterMetrics;

  constructor(private readonly context: JobManagerServiceContext) {
    const { dispatcher } = context;
    this.metrics = new ClusterMetrics({
      job: (jobId) => dispatcher.getJob(jobId),
      jobs: () => dispatcher.listJobs().flatMap(({ jobId }) => { const job = dispatcher.getJob(jobId); return job ? [[jobId, job] as const] : []; }),
      resourceManager: context.resourceManager,
      ...(context.system ? { system: context.system } : {}),
    });
  }

  async overview(): Promise<ClusterOverview> {
    const rm = this.context.resourceManager;
    const jobs = this.context.dispatcher.listJobs();
    const count = (s: JobStatus): number => jobs.filter((j) => j.status === s).length;
    return {
      taskmanagers: rm.registeredTaskManagers().length, 'slots-total': rm.totalSlots(), 'slots-available': rm.freeSlots().length,
      'jobs-running': jobs.filter((j) => !TERMINAL.has(j.status)).length,
      'jobs-finished': count('FINISHED'), 'jobs-cancelled': count('CANCELED'), 'jobs-failed': count('FAILED'),
    };
  }

  async listJobs(): Promise<JobOverview[]> {
    return this.context.dispatcher.listJobs().map(({ jobId }) => {
      const job = this.context.dispatcher.getJob(jobId)!;
      const end = job.endTime;
      return { jid: jobId, name: job.graph.jobName, state: job.getStatus(), 'start-time': job.startTime, 'end-time': end, duration: (end >= 0 ? end : this.now()) - job.startTime };
    });
  }

  async jobDetail(jobId: string): Promise<JobDetail | undefined> {
    const job = this.context.dispatcher.getJob(jobId);
    if (!job) return undefined;
    const handles = job.taskHandles();
    const end = job.endTime;
    return {
      jid: jobId, name: job.graph.jobName, state: job.getStatus(), 'start-time': job.startTime,
      duration: (end >= 0 ? end : this.now()) - job.startTime,
      vertices: job.graph.vertices.map((vertex) => ({
        id: String(vertex.id), name: vertex.name, parallelism: vertex.parallelism,
        subtasks: Array.from({ length: vertex.parallelism }, (_, i) => ({
          subtask: i,
          status: (handles.get(vertex)?.[i]?.state ?? 'created').toUpperCase(),
          taskmanager: job.taskManagerOf(vertex, i) ?? '',
          attempt: job.subtaskAttemptNumber(vertex, i),
        })),
      })),
      plan: {
        nodes: job.graph.vertices.map((vertex) => ({
          id: String(vertex.id), parallelism: vertex.parallelism, description: vertex.name,
          ...(vertex.inputs.length ? { inputs: vertex.inputs.map((edge, num) => ({ num, id: String(edge.source.id), ship_strategy: edge.partitioner.kind.toUpperCase() })) } : {}),
        })),
      },
    };
  }

  async checkpoints(jobId: string): Promise<CheckpointStats | undefined> {
    const job = this.context.dispatcher.getJob(jobId);
    if (!job) return undefined;
    return checkpointStatsOf(job);
  }

  async submitJob(bundle: Uint8Array, options: JobSubmitOptions): Promise<string> {
    const ha = this.context.ha;
    if (ha && !ha.isLeader()) {
      const leader = await ha.leader().catch(() => undefined);
      throw new NotLeaderError(`this JobManager is a standby: submit to the leader${leader ? ` at ${leader}` : ' (none elected yet)'}`);
    }
    try {
      await (this.context.jobs ?? shippedBundles).check(bundle, this.context.maxBundleBytes ?? 64 * 1024 * 1024);
    } catch (error) {
      throw new BadRequestError(`job "${options.name}" was refused: ${(error as Error).message}`, { cause: error });
    }
    const blobKey = keyOf(bundle);
    this.submitting.set(blobKey, (this.submitting.get(blobKey) ?? 0) + 1);
    const jobId = newJobId(this.context.random);
    try {
      const graph = await this.buildGraph(bundle, blobKey, options);
      await this.context.blobs.put(bundle);
      await this.accept(jobId, graph, bundle, blobKey, options);
      return jobId;
    } catch (error) {
      await this.releaseBlob(blobKey, jobId);
      throw error;
    } finally {
      const n = this.submitting.get(blobKey)! - 1;
      if (n === 0) this.submitting.delete(blobKey); else this.submitting.set(blobKey, n);
    }
  }

  /** Records (with HA) and starts a submitted job whose graph was built and whose bundle is stored. */
  private async accept(jobId: string, graph: JobGraph, bundle: Uint8Array, blobKey: string, options: JobSubmitOptions): Promise<void> {
    const ha = this.context.ha;
    if (ha) {
      const epoch = ha.epoch();
      try {
        await ha.jobs.add({ jobId, name: options.name, bundleKey: blobKey, options: { ...options }, submittedAt: this.now(), status: 'RUNNING', epoch }, bundle);
      } catch (error) {
        // A deposed leader that did not notice yet: the lease names another epoch.
        if (!(error instanceof FencedOffError)) throw error;
        const leader = await ha.leader().catch(() => undefined);
        throw new NotLeaderError(`this JobManager no longer leads (${error.message}): submit to the leader${leader ? ` at ${leader}` : ''}`);
      }
      await ha.checkpoints.claim(jobId, epoch);
    }
    await this.start(jobId, graph, blobKey, options);
  }

  /**
   * Deletes the blob of a submission that was refused or failed, unless a job that was started or
   * another submission under way uses the same bytes (blobs are content-addressed).
   */
  private async releaseBlob(blobKey: string, failedJobId: string): Promise<void> {
    const { dispatcher, jobInfos, store } = this.context;
    if (dispatcher.getJob(failedJobId) === undefined && jobInfos.get(failedJobId)?.blobKey === blobKey) {
      jobInfos.delete(failedJobId);
      try { store.take(failedJobId); } catch { /* the Dispatcher took it already */ }
    }
    if ((this.submitting.get(blobKey) ?? 0) > 1) return;
    for (const [jobId, info] of jobInfos) if (info.blobKey === blobKey && dispatcher.getJob(jobId) !== undefined) return;
    await this.context.blobs.delete(blobKey).catch((error: unknown) => {
      logger('job-manager-service').error('the bundle of a refused submission was not deleted', { blobKey, ...errorFields(error) });
    });
  }

  /**
   * Starts a job another JobManager accepted and did not see to its end (this one now leads):
   * same id and options, its bundle from the JobStore, its state from its latest completed checkpoint.
   */
  async recoverJob(job: StoredJob): Promise<void> {
    const ha = this.context.ha;
    if (!ha) throw new Error('recovering a job needs high availability');
    if (this.context.dispatcher.getJob(job.jobId)) return;
    const bundle = await ha.jobs.bundle(job.bundleKey);
    if (bundle === undefined) throw new Error(`the HA store has no bundle ${job.bundleKey} of job ${job.jobId}`);
    const blobKey = await this.context.blobs.put(bundle);
    const graph = await this.buildGraph(bundle, blobKey, job.options);
    // Claimed before its latest checkpoint is read: from now on the deposed leader's writes are refused.
    const epoch = ha.epoch();
    await ha.jobs.claim(job.jobId, epoch);
    await ha.checkpoints.claim(job.jobId, epoch);
    (graph.config.faultTolerance as Record<string, unknown>).recoverLatest = true;
    await this.start(job.jobId, graph, blobKey, job.options);
  }

  private async buildGraph(bundle: Uint8Array, blobKey: string, options: JobSubmitOptions): Promise<JobGraph> {
    try {
      return await buildJobGraph(await (this.context.jobs ?? shippedBundles).load(bundle, blobKey), options);
    } catch (error) {
      throw new BadRequestError(`job "${options.name}" was refused: ${errorChain(error)}`, { cause: error });
    }
  }

  private async start(jobId: string, graph: JobGraph, blobKey: string, options: JobSubmitOptions): Promise<void> {
    const { store, jobInfos, ha } = this.context;
    this.shareCheckpointStorage(jobId, graph);
    jobInfos.set(jobId, { blobKey, submitOptions: { ...options }, jobMasterPath: this.context.jobMasterPath(jobId) });
    store.put(jobId, graph);
    log.info(`job ${jobId} (${options.name}) submitted`, { jobId, jobName: options.name, parallelism: options.parallelism, fromSavepoint: options.fromSavepoint });
    await this.context.dispatcherRef().ask({ type: 'dispatcher.submit-job', jobId });
    const job = this.context.dispatcher.getJob(jobId);
    // The end of a job is recorded only by a JobManager that still leads: one that lost the lease
    // stops its jobs without ending them, and the new leader recovers them.
    // A deposed leader that does not know it yet is refused by the epoch the new leader claimed.
    if (ha && job) {
      this.endsRecorded.set(jobId, job.terminated.then(() => (ha.isLeader() ? ha.jobs.setStatus(jobId, job.getStatus(), ha.epoch()) : undefined))
        .catch((error: unknown) => log.error(`the end of job ${jobId} was not recorded: ${errorChain(error)}`, { jobId, ...errorFields(error) })));
    }
  }

  /**
   * The job's outcome, answered once its end is in the HA store (with HA): a client told that a
   * job finished must not see a new leader run it again from its latest checkpoint.
   */
  async jobResult(jobId: string): Promise<JobResultInfo> {
    const job = this.job(jobId);
    try {
      const result = await job.result;
      await this.endsRecorded.get(jobId);
      return { jid: jobId, state: job.getStatus(), result };
    } catch (error) {
      await job.terminated;
      await this.endsRecorded.get(jobId);
      return { jid: jobId, state: job.getStatus(), error: errorChain(error) };
    }
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.job(jobId).cancel();
  }

  triggerSavepoint(jobId: string, directory?: string): Promise<string> {
    return this.job(jobId).triggerSavepoint(directory);
  }

  async stopJob(jobId: string, options: { savepointDirectory?: string; drain?: boolean }): Promise<string | undefined> {
    // Flink's stop always takes a savepoint (into the default directory when none is given).
    return this.job(jobId).stopWithSavepoint(options.savepointDirectory, options.drain ?? false);
  }

  async taskManagers(): Promise<TaskManagerInfo[]> {
    return this.context.resourceManager.registeredTaskManagers().map((tm) => ({
      id: tm.id, address: tm.address, slotsNumber: tm.slots.length,
      freeSlots: tm.slots.filter((s) => s.allocatedTo === undefined).length,
      lastHeartbeat: (tm as { lastHeartbeat?: number }).lastHeartbeat ?? 0,
    }));
  }

  private now(): number { return (this.context.now ?? Date.now)(); }

  private job(jobId: string): JobMaster {
    const job = this.context.dispatcher.getJob(jobId);
    if (!job) throw new UnknownJobError(jobId);
    return job;
  }

  /**
   * Subtasks of a cluster job write checkpoints from several processes: the storage must be one
   * they all reach. Memory storage cannot be shared, so jobs use 'kv' (fenced with high
   * availability); also those without periodic checkpoints, whose savepoints are written there.
   */
  private shareCheckpointStorage(jobId: string, graph: JobGraph): void {
    const ft = graph.config.faultTolerance as Record<string, unknown>;
    if (ft.stateBackend === undefined || ft.stateBackend === 'memory') ft.stateBackend = 'kv';
    const ha = this.context.ha;
    // With high availability the JobManager completes checkpoints through the fence, and the
    // job's checkpoints (the TaskManagers' subtask state too) go under keys of this leadership.
    if (ha) ft.stateBackend = new FencedStateBackend(ft.stateBackend as 'kv' | StateBackend, ha.checkpoints, ha.epoch());
    if (ft.checkpointStorage === undefined && this.context.checkpointStore !== undefined) {
      ft.checkpointStorage = this.context.checkpointStore;
    } else if (ft.checkpointStorage === undefined) {
      const dir = join(this.context.dataDir, 'checkpoints');
      mkdirSync(dir, { recursive: true });
      ft.checkpointStorage = join(dir, `${jobId}.kv`);
    }
  }
}
