// TaskExecutor: the TaskManager process's side of running subtasks (Flink's TaskExecutor). It
// receives deployment descriptors, builds each subtask from its job's graph (TaskExecutorJob)
// with LocalChannels to peers on this TaskManager (one registry per attempt, so both ends find
// the same channel) and data plane channels to peers elsewhere, runs it on this TaskManager's
// TaskScheduler with the real SubtaskCheckpointer, and reports state changes (with the error's
// message chain on failure, accumulators on finish), source readers, split requests and
// checkpoint acknowledgements to the job's JobMaster. Commands for a subtask that is still being
// set up wait for it, in order. A finished subtask stays reachable for the job's checkpoints until
// its attempt or job goes: every checkpoint waits for every subtask of the job, and a finished one
// acknowledges with its final state (as a finished subtask in the JobManager's process does).
// Each job remembers the epoch of the JobManager leadership that deployed it, so that a newer
// leader's arrival releases what deposed ones left running. A deployment of a newer attempt drops
// the channels (and finished subtasks) of the job's older attempts here; one that restarts a
// pipelined region (region failover) drops only those of that region's older attempts, whose
// channel ids carry the region, so that the other regions' subtasks run on undisturbed.
// Subtask metrics go to the JobMaster with every heartbeat (reportMetrics) and, final, with a
// finished subtask's report; checkpoint acknowledgements carry the subtask's alignment time.
// Slices of batch stages spread over the cluster run in its BatchSliceExecutor, whose partitions go
// when the job is released here (it ended, or a newer JobManager leadership arrived).
// Imports api/ types, actors/runtime, actors/checkpoint, actors/network/data and actors/cluster.
import type { JobEdge } from '../../api/graph/job-graph.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { BarrierEvent } from '../../api/stream-elements.ts';
import type { Clock } from '../../api/time/clock.ts';
import { alignmentModeOf } from '../checkpoint/barrier-aligner.ts';
import { SubtaskCheckpointer } from '../checkpoint/subtask-checkpointer.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import { DataPlane } from '../network/data/data-plane.ts';
import type { GateChannel } from '../runtime/input-gate.ts';
import { LocalChannel, type ChannelSender } from '../runtime/local-channel.ts';
import { StreamTask, type TaskCheckpointHooks } from '../runtime/stream-task.ts';
import { subtaskMetricsOf } from '../observability/subtask-metrics.ts';
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import { TaskScheduler } from '../runtime/task-scheduler.ts';
import { channelId, regionPrefix, type DeploymentDescriptor, type SubtaskId, type TaskReport } from './cluster-messages.protocol.ts';
import { TaskExecutorJob, type BundleFetcher } from './task-executor-job.ts';
import type { JobModuleSource } from './process-environment.ts';
import type { Host } from '../core/host.ts';
import { BatchSliceExecutor } from './batch-slice-executor.ts';
import type { SliceDescriptor } from './batch-messages.protocol.ts';

/** The message chain of an error and its causes: `a (caused by: b (caused by: c))`. */
export function errorChain(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    parts.push(e instanceof Error ? `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.reduceRight((inner, outer) => (inner === '' ? outer : `${outer} (caused by: ${inner})`), '');
}

/** The key of a subtask attempt in this TaskManager. */
function keyOf(id: SubtaskId): string { return `${id.jobId}/${id.attempt}/${id.vertex}/${id.subtask}`; }

interface SubtaskEntry {
  readonly id: SubtaskId;
  /** Resolves with the subtask once it is built (undefined if building failed or it was cancelled first). */
  ready: Promise<StreamTask | undefined>;
  task?: StreamTask;
  checkpointer?: SubtaskCheckpointer;
  cancelRequested: boolean;
  /** The subtask finished: only checkpoint messages still reach it. */
  finished: boolean;
  readonly jobMaster: ActorRef<TaskReport>;
}

/** What a TaskExecutor needs of its process. */
export interface TaskExecutorHost {
  readonly system: ActorSystem;
  readonly clock: Clock;
  /** Fetches a job bundle from the JobManager's blob store. */
  readonly fetchBundle: BundleFetcher;
  /** Where job modules come from (default shipped bundles). */
  readonly jobs?: JobModuleSource;
  /** Turns and slice deadlines of the subtasks' scheduler (default the platform's). */
  readonly host?: Host;
}

/** Runs the subtasks deployed on one TaskManager process. */
export class TaskExecutor {
  /** Runs this TaskManager's subtasks fairly on its thread. */
  readonly scheduler: TaskScheduler;
  /** Runs the slices of batch stages deployed here and keeps their partitions. */
  readonly batch: BatchSliceExecutor;
  private readonly jobs = new Map<string, TaskExecutorJob>();
  private readonly subtasks = new Map<string, SubtaskEntry>();
  private readonly localChannels = new Map<string, LocalChannel>();
  /** Attempts (of a region, when the job restarts regions) of each job deployed here whose channels may still be open, by their channel prefix. */
  private readonly attempts = new Map<string, Map<string, { readonly attempt: number; readonly region?: number }>>();
  /** The JobManager epoch that deployed each job here last. */
  private readonly epochs = new Map<string, number>();
  private usesDataPlane = false;

  constructor(private readonly host: TaskExecutorHost) {
    this.scheduler = host.host ? new TaskScheduler(undefined, undefined, host.host) : new TaskScheduler();
    this.batch = new BatchSliceExecutor({ system: host.system, clock: host.clock, scheduler: this.scheduler, fetchBundle: host.fetchBundle, ...(host.jobs ? { jobs: host.jobs } : {}) });
  }

  /** Subtasks deployed here and not yet terminal. */
  runningTasks(): Array<{ jobId: string; name: string; state: SubtaskState }> {
    const out: Array<{ jobId: string; name: string; state: SubtaskState }> = [];
    for (const entry of this.subtasks.values()) {
      if (entry.finished) continue;
      out.push({ jobId: entry.id.jobId, name: entry.task?.name ?? keyOf(entry.id), state: entry.task?.state ?? 'deploying' });
    }
    return out;
  }

  /** Sends every running subtask's metrics to its JobMaster (one small message per subtask, per heartbeat). */
  reportMetrics(): void {
    for (const entry of this.subtasks.values()) {
      const task = entry.task;
      if (task === undefined || entry.finished || task.state !== 'running') continue;
      entry.jobMaster.tell({ type: 'jobmaster.task-metrics', id: entry.id, metrics: subtaskMetricsOf(task) });
    }
  }

  /** Deploys one subtask attempt for the JobManager leadership of `epoch` (0 without high availability). */
  deploy(d: DeploymentDescriptor, epoch = 0): void {
    const id: SubtaskId = { jobId: d.jobId, attempt: d.attempt, vertex: d.vertex, subtask: d.subtask };
    const jobMaster = this.host.system.resolve(d.jobMaster) as ActorRef<TaskReport>;
    // Another leadership's deployment: what the job ran here goes, its storage wrote other keys.
    if ((this.jobs.get(d.jobId)?.storageEpoch ?? (d.storageEpoch ?? 0)) !== (d.storageEpoch ?? 0)) void this.releaseJob(d.jobId);
    this.forgetOlderAttempts(d);
    this.epochs.set(d.jobId, epoch);
    let job = this.jobs.get(d.jobId);
    if (job === undefined) { job = new TaskExecutorJob(d.jobId, d, this.host.fetchBundle, this.host.jobs); this.jobs.set(d.jobId, job); }
    const entry: SubtaskEntry = { id, ready: Promise.resolve(undefined), cancelRequested: false, finished: false, jobMaster };
    this.subtasks.set(keyOf(id), entry);
    const report = (state: SubtaskState, extra: { error?: string; accumulators?: Record<string, unknown> } = {}): void => {
      jobMaster.tell({ type: 'jobmaster.task-state', id, state, ...extra });
    };
    entry.ready = this.build(d, id, job, entry, jobMaster).then((task) => {
      if (entry.cancelRequested) {
        this.subtasks.delete(keyOf(id));
        report('canceled');
        return undefined;
      }
      // Flink's RUNNING (and INITIALIZING) show in the JobManager's view; terminal states report themselves.
      void task.start().then(() => { if (task.state === 'running') report('running'); });
      return task;
    }, (error) => {
      this.subtasks.delete(keyOf(id));
      report('failed', { error: `deploying subtask ${d.vertex}/${d.subtask} of job ${d.jobId} failed: ${errorChain(error)}` });
      return undefined;
    });
  }

  /**
   * Deploys a slice of a batch stage for the JobManager leadership of `epoch`: a newer leader's
   * arrival releases it, its partitions and spill files as it releases the job's subtasks.
   */
  deploySlice(d: SliceDescriptor, epoch = 0): void {
    if (!this.epochs.has(d.jobId)) this.epochs.set(d.jobId, epoch);
    this.batch.deploy(d);
  }

  /** Cancels a subtask (it reports `canceled`). */
  cancel(id: SubtaskId): void {
    const entry = this.subtasks.get(keyOf(id));
    if (!entry || entry.finished) return;
    entry.cancelRequested = true;
    void entry.ready.then((task) => task?.cancel());
  }

  addSplits(id: SubtaskId, splits: SourceSplit[]): void { this.withTask(id, (task) => task.addSplits(splits)); }

  notifyNoMoreSplits(id: SubtaskId): void { this.withTask(id, (task) => task.notifyNoMoreSplits()); }

  triggerCheckpoint(id: SubtaskId, barrier: BarrierEvent): void {
    const entry = this.subtasks.get(keyOf(id));
    void entry?.ready.then(() => entry.checkpointer?.trigger(barrier));
  }

  /** Checkpoint `checkpointId` completed: the subtask's operators commit, then the JobMaster is told. */
  checkpointComplete(id: SubtaskId, checkpointId: number): void {
    const entry = this.subtasks.get(keyOf(id));
    if (!entry) return;
    void entry.ready.then(async () => {
      const c = entry.checkpointer;
      if (c) await c.notifyComplete(checkpointId);
      entry.jobMaster.tell({ type: 'jobmaster.checkpoint-notified', id, checkpointId, awaitingFinal: c?.awaitingFinal ?? false });
    });
  }

  checkpointAborted(id: SubtaskId, checkpointId: number): void {
    const entry = this.subtasks.get(keyOf(id));
    void entry?.ready.then(() => entry.checkpointer?.notifyAborted(checkpointId));
  }

  /** The job gave up its slots here: forget its subtasks, channels and storage; resolves when its subtasks stopped. */
  releaseJob(jobId: string): Promise<void> {
    const stopped: Array<Promise<unknown>> = [];
    for (const [key, entry] of this.subtasks) {
      if (entry.id.jobId !== jobId) continue;
      entry.cancelRequested = true;
      stopped.push(entry.ready.then((task) => task?.cancel()));
      this.subtasks.delete(key);
    }
    // Only the attempts deployed here: the job may come back (a failover onto new slots) with a
    // newer attempt, whose credit may reach this TaskManager before its senders open here.
    for (const prefix of this.attempts.get(jobId)?.keys() ?? []) this.dropChannels(prefix);
    this.attempts.delete(jobId);
    this.epochs.delete(jobId);
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    stopped.push(this.batch.releaseJob(jobId));
    return Promise.all(stopped).then(() => job?.close());
  }

  /**
   * A JobManager of `epoch` leads now: the jobs deployed by older leaderships are released (their
   * subtasks cancelled, their channels and storage forgotten) before the new leader redeploys
   * them; resolves when their subtasks stopped.
   */
  async releaseJobsBefore(epoch: number): Promise<void> {
    const stale = [...this.epochs].filter(([, e]) => e < epoch).map(([jobId]) => jobId);
    await Promise.all(stale.map((jobId) => this.releaseJob(jobId).catch(() => {})));
  }

  /** Cancels every subtask and forgets every job (the JobManager is gone); resolves when they stopped. */
  async cancelAll(): Promise<void> {
    const jobIds = new Set([...this.jobs.keys(), ...[...this.subtasks.values()].map((e) => e.id.jobId)]);
    await Promise.all([...jobIds].map((jobId) => this.releaseJob(jobId).catch(() => {})));
    await this.batch.releaseAll().catch(() => {});
  }

  // ---- internals ----

  private withTask(id: SubtaskId, action: (task: StreamTask) => void): void {
    const entry = this.subtasks.get(keyOf(id));
    void entry?.ready.then((task) => { if (task && !entry.finished) action(task); });
  }

  private async build(d: DeploymentDescriptor, id: SubtaskId, job: TaskExecutorJob, entry: SubtaskEntry, jobMaster: ActorRef<TaskReport>): Promise<StreamTask> {
    const graph = await job.graph;
    const vertex = graph.vertices[d.vertex];
    if (vertex === undefined) throw new Error(`job ${d.jobId} has no vertex ${d.vertex} (the bundle built a different graph)`);
    const enabled = TaskExecutorJob.checkpointingEnabled(graph);
    // Every subtask takes part in savepoints, also of a job without periodic checkpoints.
    const checkpointing = job.checkpointHandles(graph);
    const restore = d.restore !== undefined ? await job.restoreSnapshot(d.restore) : undefined;
    const key = keyOf(id);
    // A cancelled or superseded attempt builds nothing more.
    if (this.subtasks.get(key) !== entry) throw new Error(`subtask ${key} was released while it was being deployed`);
    const { inputChannels, outputChannels } = this.channels(d, graph.edges);
    const hooks: TaskCheckpointHooks = {
      initializeState: () => entry.checkpointer!.initializeState(),
      afterOpen: () => entry.checkpointer!.afterOpen(),
      beforeClose: () => (enabled ? entry.checkpointer!.beforeClose() : Promise.resolve()),
    };
    const task = new StreamTask({
      jobId: d.jobId, vertex, subtaskIndex: d.subtask, attemptNumber: d.attempt, clock: this.host.clock,
      bufferTimeoutMs: graph.config.bufferTimeoutMs, batchSize: d.batchSize, checkpointingEnabled: enabled,
      inputChannels, outputChannels, scheduler: this.scheduler, checkpointing: hooks,
      listener: {
        onStateChange: (_task, state, error) => {
          if (state !== 'finished' && state !== 'failed' && state !== 'canceled') return;
          if (state === 'finished') entry.finished = true;
          else if (this.subtasks.get(key) === entry) this.subtasks.delete(key);
          const accumulators = state === 'finished' ? Object.fromEntries(task.accumulators()) : undefined;
          const metrics = state === 'finished' ? subtaskMetricsOf(task) : undefined;
          jobMaster.tell({
            type: 'jobmaster.task-state', id, state, ...(error !== undefined ? { error: errorChain(error) } : {}),
            ...(accumulators ? { accumulators } : {}), ...(metrics ? { metrics } : {}),
          });
        },
        onReaderRegistered: () => jobMaster.tell({ type: 'jobmaster.reader-registered', id }),
        onSplitRequest: () => jobMaster.tell({ type: 'jobmaster.split-request', id }),
      },
    });
    const ck = graph.config.faultTolerance.checkpointing as { mode?: string; unaligned?: boolean } | undefined;
    entry.checkpointer = new SubtaskCheckpointer(task, {
      backend: checkpointing.backend, storage: checkpointing.storage, restore,
      mode: alignmentModeOf(ck),
      listener: {
        acknowledge: (checkpointId, _key, bytes) => {
          const alignmentMs = task.alignmentDurationMs(checkpointId);
          jobMaster.tell({ type: 'jobmaster.checkpoint-ack', id, checkpointId, bytes, ...(alignmentMs !== undefined ? { alignmentMs } : {}) });
        },
        decline: (checkpointId, _key, reason) => jobMaster.tell({ type: 'jobmaster.checkpoint-decline', id, checkpointId, reason }),
        awaitingFinalCheckpoint: () => jobMaster.tell({ type: 'jobmaster.awaiting-final', id }),
      },
    });
    // A job that checkpoints opens its storage now, in the background: a subtask of a job that
    // cannot use it fails, saying why. A job without periodic checkpoints opens it for a savepoint.
    if (enabled) {
      checkpointing.opened().catch((error: unknown) => task.enqueueMail(() => {
        throw new Error(`the checkpoint storage of job ${d.jobId} cannot be used: ${errorChain(error)}`, { cause: error });
      }));
    }
    entry.task = task;
    return task;
  }

  /** Input and output channels of a subtask: LocalChannels within this TaskManager, data plane channels otherwise. */
  private channels(d: DeploymentDescriptor, edges: readonly JobEdge[]): { inputChannels: GateChannel[]; outputChannels: Map<JobEdge, ChannelSender[]> } {
    const fail = (error: Error): void => {
      const entry = this.subtasks.get(keyOf(d));
      void entry?.ready.then((task) => task?.enqueueMail(() => { throw error; }));
    };
    const inputChannels: GateChannel[] = d.inputs.map((input) => {
      const edge = edges[input.edge];
      const cid = channelId(d, input.edge, input.sourceSubtask, d.subtask);
      const description = `${edge.sourceNode.name}[${input.sourceSubtask}] -> ${edge.targetNode.name}[${d.subtask}]`;
      if (input.sender === 'local') return { channel: this.localChannel(cid, d.credits, description), input: edge.typeNumber };
      const receiver = this.dataPlane().openReceiver(cid, input.sender, d.credits, description);
      receiver.onFailure = fail;
      return { channel: receiver, input: edge.typeNumber };
    });
    const outputChannels = new Map<JobEdge, ChannelSender[]>();
    for (const output of d.outputs) {
      const edge = edges[output.edge];
      outputChannels.set(edge, output.channels.map(({ targetSubtask, receiver }) => {
        const cid = channelId(d, output.edge, d.subtask, targetSubtask);
        const description = `${edge.sourceNode.name}[${d.subtask}] -> ${edge.targetNode.name}[${targetSubtask}]`;
        if (receiver === 'local') return this.localChannel(cid, d.credits, description);
        const sender = this.dataPlane().openSender(cid, receiver, description);
        sender.onFailure = fail;
        return sender;
      }));
    }
    return { inputChannels, outputChannels };
  }

  private localChannel(id: string, credits: number, description: string): LocalChannel {
    let channel = this.localChannels.get(id);
    if (channel === undefined) { channel = new LocalChannel(credits, description); this.localChannels.set(id, channel); }
    return channel;
  }

  /**
   * Subtask `d` of a newer attempt arrived: the channels and finished subtasks of the job's earlier
   * attempts are gone; for a region restart, only those of the region's (the job's other regions
   * keep running their attempts).
   */
  private forgetOlderAttempts(d: DeploymentDescriptor): void {
    const { jobId, attempt, region } = d;
    let seen = this.attempts.get(jobId);
    if (seen === undefined) { seen = new Map(); this.attempts.set(jobId, seen); }
    const replaced = (a: { attempt: number; region?: number }): boolean => a.attempt < attempt && (!d.regionRestart || a.region === region);
    for (const [prefix, a] of [...seen]) if (replaced(a)) { this.dropChannels(prefix); seen.delete(prefix); }
    seen.set(regionPrefix(jobId, d.storageEpoch ?? 0, attempt, region), { attempt, region });
    for (const [key, entry] of this.subtasks) {
      if (!entry.finished || entry.id.jobId !== jobId || entry.id.attempt >= attempt) continue;
      // A region restart redeploys each of the region's subtasks on the TaskManager it ran on.
      if (!d.regionRestart || (entry.id.vertex === d.vertex && entry.id.subtask === d.subtask)) this.subtasks.delete(key);
    }
  }

  private dropChannels(prefix: string): void {
    for (const id of [...this.localChannels.keys()]) if (id.startsWith(prefix)) this.localChannels.delete(id);
    if (this.usesDataPlane) DataPlane.of(this.host.system).closeChannels(prefix);
  }

  private dataPlane(): DataPlane {
    this.usesDataPlane = true;
    return DataPlane.of(this.host.system);
  }
}
