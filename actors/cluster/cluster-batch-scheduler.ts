// ClusterBatchScheduler: runs a BATCH-mode job's stages over a cluster's TaskManagers (Flink's
// scheduling of regions joined by blocking exchanges). It holds slots of any TaskManagers (up to
// the job's largest stage parallelism, at least one) and deploys into each free slot the next
// slice of a stage whose input stages are complete, so a job of parallelism 8 runs in 2 slots,
// stage after stage, and independent stages share the slots. Every finished slice leaves its
// blocking output on the TaskManager it ran on; a consuming slice is told where each of its input
// partitions is and fetches them from there. The split enumerators of first stages' sources run
// here and stay until the job ends (a recomputed slice reads its splits again).
// Failure (Flink's failover for blocking result partitions): a failed slice runs again from its
// stage's persisted inputs, as the restart strategy allows. A lost TaskManager counts as one
// failure; its running slices run again, and the partitions it held that a stage still to finish
// needs are marked lost and recomputed by re-running exactly their producing slices (and, further
// up, the producers of partitions those need that were lost too) before their consumers run;
// consumers running at the time that read a lost partition are cancelled and wait for it.
// The partitions are released when the job releases its slots (it ended). Observers
// (cluster-batch-run.ts) see each run, each stage that completes, and each lost TaskManager. Imports api/, actors/runtime, actors/failover
// and actors/cluster.
import { buildStageJobGraph } from '../../api/graph/batch-stage-graph.ts';
import type { BatchPlan, BatchStage } from '../../api/graph/batch-stages.ts';
import type { JobGraph, JobVertex } from '../../api/graph/job-graph.ts';
import type { Source, SourceSplit } from '../../api/sources/source.ts';
import type { Cancel, Clock } from '../../api/time/clock.ts';
import type { RestartBackoff } from '../failover/restart-backoff.ts';
import { errorFields, logger, type Logger } from '../observability/logger.ts';
import type { ResourceManager } from '../runtime/resource-manager.ts';
import type { Slot } from '../runtime/task-manager.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { PartitionLocation } from '../runtime/batch/partition-fetch.ts';
import { PARTITION_SERVICE, type BatchSliceCommand, type RelayedPartitionRequest, type SliceDescriptor, type SliceId, type SliceReport } from './batch-messages.protocol.ts';
import type { SubmitOptions } from './cluster-messages.protocol.ts';
import { RemoteTaskManager } from './remote-task-manager.ts';
import { SliceEnumerators } from './slice-enumerators.ts';
import { clusterBatchObservers, type ClusterBatchRun, type ClusterBatchStats, type SliceRun } from './cluster-batch-run.ts';

/** What a scheduler works with. */
export interface ClusterBatchContext {
  readonly jobId: string;
  /** The batch job's own graph (not the one-vertex wrapper) and its stages. */
  readonly graph: JobGraph;
  readonly plan: BatchPlan;
  readonly clock: Clock;
  readonly resourceManager: ResourceManager;
  /** Slots the job holds already (a restarted run keeps them). */
  readonly slots: Slot[];
  readonly backoff: RestartBackoff;
  /** Slice attempts start from this number (a restarted run's never match an earlier run's). */
  readonly firstAttempt: number;
  readonly blobKey: string;
  readonly submitOptions: SubmitOptions;
  readonly jobMasterPath: string;
  readonly credits: number;
  readonly batchSize: number;
  /** Resolves an actor path in the JobManager's system (to pass partition requests on). */
  resolve(path: string): ActorRef;
  /** The job finished (with its accumulators) or failed. */
  onFinished(accumulators: Record<string, unknown>): void;
  onFailed(error: Error): void;
}

interface SliceState {
  readonly stage: number;
  readonly index: number;
  attempt: number;
  status: 'pending' | 'running' | 'done';
  slot?: Slot;
  /** The TaskManager (id and address) the running or finished attempt is on. */
  taskManagerId?: string;
  address?: string;
  run?: SliceRun;
  accumulators?: Record<string, unknown>;
}

/** A source the JobManager's stage graphs stand in for partition sources with (never read here). */
class UnreadPartitionSource implements Source<unknown, SourceSplit, unknown> {
  readonly boundedness = 'bounded' as const;
  createEnumerator(): never { throw new Error('partition sources enumerate on their TaskManagers'); }
  restoreEnumerator(): never { throw new Error('partition sources enumerate on their TaskManagers'); }
  createReader(): never { throw new Error('partitions are read on TaskManagers'); }
}

/** Schedules one run of a batch job's stages over the cluster (see the file header). */
export class ClusterBatchScheduler implements ClusterBatchRun {
  readonly jobId: string;
  readonly plan: BatchPlan;
  readonly stats: ClusterBatchStats = { runs: [], partitionsLost: 0, sliceRestarts: 0, remoteRecords: 0, remoteChunks: 0, chunksSpilled: 0 };
  private readonly slices: SliceState[][];
  private readonly busy = new Map<Slot, SliceState>();
  private readonly stageOf = new Map<JobVertex, number>();
  /** Per stage: the vertices of its stage graph (sources of first stages get enumerators here). */
  private readonly stageVertices: JobVertex[][];
  private readonly enumerators = new SliceEnumerators();
  private readonly spilledPerTaskManager = new Map<string, number>();
  private readonly timers = new Set<Cancel>();
  private readonly maxParallelism: number;
  private holds = 0;
  private acquiring = false;
  private settled = false;
  private readonly log: Logger;

  constructor(private readonly context: ClusterBatchContext) {
    this.jobId = context.jobId;
    this.plan = context.plan;
    this.log = logger('cluster-batch', { jobId: context.jobId, jobName: context.graph.jobName });
    this.slices = context.plan.stages.map((s) => Array.from({ length: s.parallelism }, (_, index) => ({ stage: s.index, index, attempt: context.firstAttempt, status: 'pending' as const })));
    for (const s of context.plan.stages) for (const v of s.vertices) this.stageOf.set(v, s.index);
    this.maxParallelism = Math.max(...context.plan.stages.map((s) => s.parallelism));
    const unread = new UnreadPartitionSource();
    this.stageVertices = context.plan.stages.map((stage) => buildStageJobGraph(context.graph, stage, {
      partitionSource: () => unread,
      partitionSink: () => () => { throw new Error('partition sinks run on TaskManagers'); },
      sortedInput: { memoryBytes: 1, spill: { writeRun: () => { throw new Error('sorting runs on TaskManagers'); } } },
    }).graph.vertices as JobVertex[]);
  }

  /** Takes slots and deploys the first slices. */
  start(): void {
    for (const o of clusterBatchObservers) o.started?.(this);
    this.log.info('batch stages scheduled over the cluster', { stages: this.plan.stages.length, slots: this.context.slots.length });
    void this.acquireSlots();
  }

  /** A report of one of this run's slices (through the JobMaster actor). */
  onReport(report: SliceReport | RelayedPartitionRequest): void {
    if (this.settled) return;
    if (report.type === 'jobmaster.partition-request') { this.relay(report); return; }
    const slice = this.current(report.id);
    if (slice === undefined) return;
    try {
      this.onSliceReport(slice, report);
    } catch (error) {
      // A source's split enumerator (user code) failed.
      this.fail(new Error(`the batch job's stage ${slice.stage} could not assign its source splits: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
    }
  }

  private onSliceReport(slice: SliceState, report: SliceReport): void {
    switch (report.type) {
      case 'jobmaster.slice-reader-registered': this.enumerators.readerRegistered(slice.stage, report.vertex, slice.index); return;
      case 'jobmaster.slice-split-request': this.enumerators.splitRequest(slice.stage, report.vertex, slice.index); return;
      case 'jobmaster.slice-state':
        if (report.state === 'finished') this.onSliceFinished(slice, report);
        else if (report.state === 'failed' || report.state === 'canceled') {
          this.onSliceFailed(slice, new Error(report.error ?? `slice ${slice.index} of stage ${slice.stage} was cancelled on its TaskManager`), report.state);
        }
    }
  }

  /** TaskManager `id` is gone: what ran or was kept there runs again (see the file header). */
  onTaskManagerLost(id: string): void {
    if (this.settled) return;
    const slots = this.context.slots;
    for (let i = slots.length - 1; i >= 0; i--) if (slots[i].taskManagerId === id) slots.splice(i, 1);
    let affected = false;
    for (const [slot, slice] of [...this.busy]) {
      if (slot.taskManagerId !== id) continue;
      this.busy.delete(slot);
      this.reset(slice, 'lost');
      affected = true;
    }
    // From the last stage back: a stage whose lost slices run again is incomplete, so the
    // partitions it reads must be there too.
    for (let s = this.plan.stages.length - 1; s >= 0; s--) {
      if (!this.stillNeeded(this.plan.stages[s])) continue;
      for (const slice of this.slices[s]) {
        if (slice.status !== 'done' || slice.taskManagerId !== id) continue;
        this.stats.partitionsLost++;
        this.reset(slice, 'lost');
        affected = true;
      }
    }
    for (const o of clusterBatchObservers) o.taskManagerLost?.(this, id);
    if (!affected) return;
    this.log.warn(`TaskManager ${id} was lost: its running slices and the partitions still needed run again`, { taskManagerId: id, partitionsLost: this.stats.partitionsLost });
    // Consumers running now that read a partition that is gone wait for it.
    for (const [slot, slice] of [...this.busy]) {
      if (this.ready(this.plan.stages[slice.stage])) continue;
      this.busy.delete(slot);
      this.cancelAttempt(slice);
      this.reset(slice, 'canceled');
    }
    this.restartAfterFailure(`TaskManager ${id}`, new Error(`TaskManager ${id} was lost`));
  }

  /** Cancels the running slices; resolves when they were told (their reports no longer count). */
  async cancel(): Promise<void> {
    this.settled = true;
    for (const slice of this.busy.values()) this.cancelAttempt(slice);
    this.busy.clear();
    this.close();
  }

  /** Stops timers and enumerators (the job ended). */
  close(): void {
    this.settled = true;
    for (const c of this.timers) c();
    this.timers.clear();
    this.enumerators.close();
  }

  // ---- internals ----

  /** Passes a TaskManager's partition request on to the TaskManager holding the partition. */
  private relay(message: RelayedPartitionRequest): void {
    const holder = this.context.resourceManager.registeredTaskManagers().find((tm) => tm.address === message.address);
    // A holder that is gone is handled as a lost TaskManager (its partitions are recomputed).
    if (holder instanceof RemoteTaskManager) this.context.resolve(`${holder.address}/user/${PARTITION_SERVICE}`).tell(message.request);
  }

  private current(id: SliceId): SliceState | undefined {
    const slice = this.slices[id.stage]?.[id.slice];
    return slice !== undefined && slice.attempt === id.attempt && slice.status === 'running' ? slice : undefined;
  }

  /** Whether every slice of every stage `stage` reads has finished. */
  private ready(stage: BatchStage): boolean {
    return stage.upstream.every((u) => this.slices[u].every((s) => s.status === 'done'));
  }

  /** Whether some stage reading `stage` has not finished (its partitions are still needed). */
  private stillNeeded(stage: BatchStage): boolean {
    return this.plan.stages.some((s) => s.upstream.includes(stage.index) && this.slices[s.index].some((x) => x.status !== 'done'));
  }

  /** Holds the slots this run uses: at least one (waiting for it), and the free ones up to the largest stage. */
  private async acquireSlots(): Promise<void> {
    if (this.acquiring || this.settled) return;
    this.acquiring = true;
    const { resourceManager: rm, slots, jobId } = this.context;
    try {
      if (slots.length === 0) slots.push(...await rm.requestSlots(jobId, 1));
      const more = Math.min(rm.freeSlots().length, this.maxParallelism - slots.length);
      if (more > 0) slots.push(...await rm.requestSlots(jobId, more));
    } catch (error) {
      this.fail(new Error(`the batch job could not get slots: ${(error as Error).message}`, { cause: error }));
      return;
    } finally {
      this.acquiring = false;
    }
    if (this.settled) return;
    this.schedule();
  }

  /** Deploys the next ready slices into the free slots; finishes the run when every stage is done. */
  private schedule(): void {
    if (this.settled || this.holds > 0) return;
    if (this.slices.every((stage) => stage.every((s) => s.status === 'done'))) { this.finish(); return; }
    if (this.context.slots.length === 0) { void this.acquireSlots(); return; }
    for (const slot of this.context.slots) {
      if (this.busy.has(slot)) continue;
      const next = this.nextSlice();
      if (next === undefined) return;
      try {
        this.deploy(next, slot);
      } catch (error) {
        // A source's split enumerator (user code) failed as it started.
        this.fail(new Error(`stage ${next.stage} of the batch job could not be scheduled: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
        return;
      }
    }
  }

  private nextSlice(): SliceState | undefined {
    for (const stage of this.plan.stages) {
      if (!this.ready(stage)) continue;
      const slice = this.slices[stage.index].find((s) => s.status === 'pending');
      if (slice !== undefined) return slice;
    }
    return undefined;
  }

  private deploy(slice: SliceState, slot: Slot): void {
    const stage = this.plan.stages[slice.stage];
    const tm = this.context.resourceManager.getTaskManager(slot.taskManagerId);
    if (!(tm instanceof RemoteTaskManager)) throw new Error(`TaskManager ${tm.id} is not a TaskManager process`);
    this.createEnumerators(stage);
    const inputs: PartitionLocation[] = [];
    for (const edge of stage.inputs) {
      const producers = this.slices[this.stageOf.get(edge.source)!];
      for (const p of producers) inputs.push({ edge: edge.id, producer: p.index, address: p.address! });
    }
    const { jobId, blobKey, submitOptions, jobMasterPath, credits, batchSize } = this.context;
    slice.status = 'running';
    slice.slot = slot;
    slice.taskManagerId = tm.id;
    slice.address = tm.address;
    slice.run = { stage: slice.stage, slice: slice.index, attempt: slice.attempt, taskManagerId: tm.id, outcome: 'running' };
    this.stats.runs.push(slice.run);
    this.busy.set(slot, slice);
    const descriptor: SliceDescriptor = {
      jobId, stage: slice.stage, slice: slice.index, attempt: slice.attempt, blobKey, submitOptions, jobMaster: jobMasterPath, inputs, credits, batchSize,
    };
    this.log.debug('slice deployed', { stage: slice.stage, slice: slice.index, attempt: slice.attempt, taskManagerId: tm.id });
    tm.send({ type: 'taskexecutor.deploy-slice', descriptor });
  }

  private onSliceFinished(slice: SliceState, report: Extract<SliceReport, { type: 'jobmaster.slice-state' }>): void {
    this.busy.delete(slice.slot!);
    slice.status = 'done';
    slice.run!.outcome = 'finished';
    slice.accumulators = report.accumulators ?? {};
    const p = report.partitions;
    if (p !== undefined) {
      this.stats.remoteChunks += p.remoteChunks;
      this.stats.remoteRecords += p.remoteRecords;
      this.spilledPerTaskManager.set(report.taskManagerId, Math.max(this.spilledPerTaskManager.get(report.taskManagerId) ?? 0, p.chunksSpilledOnTaskManager));
      this.stats.chunksSpilled = [...this.spilledPerTaskManager.values()].reduce((a, b) => a + b, 0);
    }
    const stage = this.slices[slice.stage];
    if (stage.every((s) => s.status === 'done')) {
      this.log.info('stage finished', { stage: slice.stage, parallelism: stage.length });
      for (const o of clusterBatchObservers) {
        const hold = o.stageCompleted?.(this, slice.stage);
        if (hold === undefined) continue;
        this.holds++;
        void Promise.resolve(hold).catch(() => {}).then(() => { this.holds--; this.schedule(); });
      }
    }
    this.schedule();
  }

  private onSliceFailed(slice: SliceState, error: Error, outcome: 'failed' | 'canceled'): void {
    this.busy.delete(slice.slot!);
    this.reset(slice, outcome);
    this.restartAfterFailure(`slice ${slice.index} of stage ${slice.stage}`, error);
  }

  /** Counts a failure; runs again after the backoff if the restart strategy allows, else fails the job. */
  private restartAfterFailure(what: string, error: Error): void {
    const { backoff, clock } = this.context;
    backoff.notifyFailure(clock.now());
    if (!backoff.canRestart()) {
      this.fail(new Error(`${what} failed and ${backoff.describe()}: ${error.message}`, { cause: error }));
      return;
    }
    this.stats.sliceRestarts++;
    this.log.warn(`${what} failed; it runs again from its stage's persisted inputs`, errorFields(error));
    this.holds++;
    const cancel = clock.schedule(backoff.backoffMs(), () => {
      this.timers.delete(cancel);
      this.holds--;
      if (this.context.slots.length === 0) void this.acquireSlots();
      else this.schedule();
    });
    this.timers.add(cancel);
  }

  /** Makes `slice` pending again as its next attempt; its source splits go back to their enumerators. */
  private reset(slice: SliceState, outcome: SliceRun['outcome']): void {
    if (slice.run !== undefined && slice.run.outcome === 'running') slice.run.outcome = outcome;
    else if (slice.run !== undefined && outcome === 'lost') slice.run.outcome = 'lost';
    slice.status = 'pending';
    slice.attempt++;
    slice.slot = undefined;
    this.enumerators.giveBack(slice.stage, slice.index);
  }

  private cancelAttempt(slice: SliceState): void {
    const tm = this.context.resourceManager.isRegistered(slice.taskManagerId!) ? this.context.resourceManager.getTaskManager(slice.taskManagerId!) : undefined;
    if (tm instanceof RemoteTaskManager) tm.send({ type: 'taskexecutor.cancel-slice', id: { jobId: this.jobId, stage: slice.stage, slice: slice.index, attempt: slice.attempt } });
  }

  /** The enumerators of `stage`'s sources (created once, kept until the job ends). */
  private createEnumerators(stage: BatchStage): void {
    const slices = this.slices[stage.index];
    this.enumerators.create(stage.index, this.stageVertices[stage.index], (source) => !(source instanceof UnreadPartitionSource), (i, body) => {
      const slice = slices[i];
      if (slice.status !== 'running') throw new Error(`no running slice ${i} of stage ${stage.index} to assign a split to`);
      const tm = this.context.resourceManager.getTaskManager(slice.taskManagerId!) as RemoteTaskManager;
      tm.send({ ...body, id: { jobId: this.jobId, stage: stage.index, slice: i, attempt: slice.attempt } } as BatchSliceCommand);
    });
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const accumulators: Record<string, unknown> = {};
    for (const stage of this.slices) {
      for (const slice of stage) {
        for (const [k, v] of Object.entries(slice.accumulators ?? {})) {
          const prev = accumulators[k];
          accumulators[k] = typeof prev === 'number' && typeof v === 'number' ? prev + v : v;
        }
      }
    }
    this.log.info('batch job finished', { runs: this.stats.runs.length, partitionsLost: this.stats.partitionsLost, sliceRestarts: this.stats.sliceRestarts });
    this.close();
    this.context.onFinished(accumulators);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    for (const slice of this.busy.values()) this.cancelAttempt(slice);
    this.busy.clear();
    this.close();
    this.context.onFailed(error);
  }
}
