// JobMaster: runs one job: asks the ResourceManager for the slots slot sharing needs, has its
// SubtaskDeployer wire and deploy the subtasks into them, runs the source split enumerators, and
// drives the job's status machine to FINISHED, FAILED or CANCELED. A failing subtask fails the
// job: every other subtask is cancelled and the job's result rejects with an error naming the
// operator and subtask whose `cause` is the original error. Restarting after failure is the
// fault-tolerance layer's (see onTaskFailure). The subtasks it manages are TaskHandles: StreamTasks
// on in-process TaskManagers (the mini cluster's LocalDeployer), or proxies of subtasks deployed on
// TaskManager processes (the cluster's RemoteDeployer). A lost TaskManager fails the job over onto
// the remaining slots. With the region failover strategy a subtask's failure restarts only its
// pipelined region (regionRestart), wherever its subtasks run: the SubtaskDeployer (LocalDeployer
// in this process, RemoteDeployer on TaskManager processes, whose TaskExecutors then replace only
// that region's channels) redeploys the region's subtasks as their next attempt while the other
// regions keep running; the job stays RUNNING and its attemptNumber is the highest attempt of any
// subtask. A SlotSchedulingDeployer (a cluster's batch stages) takes slots itself and handles
// lost TaskManagers itself. Imports api/, state/ and actors/ (runtime, checkpoint, failover). Over 400 lines:
// scheduling, the three failovers (whole job, region, lost TaskManager) and the status machine
// share the subtask bookkeeping; the wiring already lives in the deployers (subtask-deployer.ts).
import { createActor, type Actor } from 'xstate';
import { JobCancellationError, JobExecutionError, type JobExecutionResult, type JobStatus } from '../../api/environment/job-client.ts';
import { slotsPerSharingGroup, type JobGraph, type JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceSplit, SplitEnumerator } from '../../api/sources/source.ts';
import type { Clock } from '../../api/time/clock.ts';
import { JobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import { failoverStrategyOf, JobFailover, type RegionRestart } from '../failover/job-failover.ts';
import { computePipelinedRegions, type PipelinedRegions, type SubtaskRef } from '../failover/pipelined-regions.ts';
import { SplitAssignmentTracker } from '../failover/split-assignment-tracker.ts';
import { errorFields, logger } from '../observability/logger.ts';
import { jobStatusMachine, type JobStatusEvent } from './job-status.machine.ts';
import type { LocalChannel } from './local-channel.ts';
import { LocalDeployer } from './local-deployer.ts';
import type { ResourceManager } from './resource-manager.ts';
import { StreamTask } from './stream-task.ts';
import type { DeployContext, DeployOptions, JobTaskListener, SlotAssignment, SubtaskDeployer } from './subtask-deployer.ts';
import type { SubtaskState } from './subtask.machine.ts';
import type { Slot, TaskHandle } from './task-manager.ts';

/** Data plane settings of a job. */
export interface JobMasterOptions extends DeployOptions {
  readonly attemptNumber?: number;
  /** Deploys onto remote TaskManagers; without one the JobMaster creates StreamTasks in this process (LocalDeployer). */
  readonly createDeployer?: (context: DeployContext) => SubtaskDeployer;
}

/**
 * A deployer that takes the job's slots itself, as it needs them (a cluster's batch stages, which
 * run stage after stage in whatever slots are free): the JobMaster requests none, and leaves a
 * lost TaskManager to it rather than failing the job over.
 */
export interface SlotSchedulingDeployer extends SubtaskDeployer {
  readonly schedulesSlots: true;
}

/** Runs one job on the resources of a mini cluster or of a JobManager process. */
/** After a stop-with-savepoint, how long subtasks may take to finish before they are cancelled. */
export const STOP_FINISH_TIMEOUT_MS = 30_000;

export class JobMaster implements JobTaskListener {
  private readonly status: Actor<typeof jobStatusMachine>;
  private readonly tasks = new Map<JobVertex, TaskHandle[]>();
  private readonly enumerators = new Map<JobVertex, SplitEnumerator<SourceSplit, unknown>>();
  private readonly registeredReaders = new Map<JobVertex, Set<number>>();
  private remaining = 0;
  /** Subtasks of the current deployment that reported finished. */
  private readonly finishedTasks = new Set<TaskHandle>();
  /** Subtasks of regions being restarted: what they report no longer counts. */
  private readonly restarting = new Set<TaskHandle>();
  /** The attempt number of each subtask, by vertex. */
  private readonly subtaskAttempts = new Map<JobVertex, number[]>();
  /** Split assignments since the latest completed checkpoint (given back when a region restarts). */
  private readonly splitTracker = new SplitAssignmentTracker();
  /** The regions a failure restarts on their own (undefined: every failure restarts the whole job). */
  private readonly regions: PipelinedRegions | undefined;
  /** When the job was submitted, on the job's clock (its net runtime is measured from here). */
  private readonly startedAt: number;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: unknown) => void };
  /** Resolves when the job finishes; rejects when it fails or is cancelled. */
  readonly result: Promise<JobExecutionResult>;
  /** Resolves when the job reached a terminal status and released its slots. */
  readonly terminated: Promise<void>;
  private markTerminated!: () => void;
  /** Checkpoints, savepoints and restore (fault tolerance). */
  readonly checkpointing: JobCheckpointing;
  /** Restarts after failures, per the restart strategy. */
  readonly failover: JobFailover;
  private slotOf: SlotAssignment | undefined;
  private readonly deployer: SubtaskDeployer;
  /** The deployer takes slots itself (SlotSchedulingDeployer). */
  private readonly schedulesSlots: boolean;
  /** The deployer when the subtasks run in this process. */
  private readonly local: LocalDeployer | undefined;
  private readonly unsubscribeLost: () => void;
  /** When the job was submitted (epoch ms) and reached a terminal status (REST view). */
  readonly startTime: number;
  endTime = -1;

  constructor(
    readonly jobId: string,
    readonly graph: JobGraph,
    private readonly resourceManager: ResourceManager,
    private readonly options: JobMasterOptions,
  ) {
    this.startedAt = this.startTime = options.clock.now();
    this.status = createActor(jobStatusMachine).start();
    const log = logger('job-master', { jobId, jobName: graph.jobName });
    const recovered = (graph.config.faultTolerance as { recoverLatest?: boolean }).recoverLatest === true;
    log.info(recovered ? 'job recovered (submitted to an earlier JobManager leader)' : 'job submitted', {
      vertices: graph.vertices.length, subtasks: graph.vertices.reduce((n, v) => n + v.parallelism, 0), ...(recovered ? { recovered } : {}),
    });
    let previous = this.status.getSnapshot().value as JobStatus;
    this.status.subscribe((snapshot) => {
      const status = snapshot.value as JobStatus;
      if (status === previous) return;
      log.info(`job ${status}`, { from: previous, status });
      previous = status;
    });
    this.result = new Promise((resolve, reject) => { this.settle = { resolve, reject }; });
    // Callers of executeAsync may never ask for the result; the job's failure is not an unhandled rejection.
    this.result.catch(() => {});
    this.terminated = new Promise((resolve) => { this.markTerminated = resolve; });
    const clock = options.clock;
    this.checkpointing = new JobCheckpointing({
      jobId, graph, clock,
      tasks: () => this.tasks,
      enumerators: () => this.enumerators,
      onCheckpointFailure: (error) => this.failover.onFailure('checkpointing', error),
      onEnumeratorsSnapshot: (id) => this.splitTracker.onCheckpoint(id),
      onCheckpointCompleted: (id) => this.splitTracker.onCheckpointComplete(id),
    });
    this.failover = new JobFailover({
      jobId, graph, clock,
      getStatus: () => this.getStatus(),
      transition: (event) => this.transition(event),
      cancelAllTasks: () => this.cancelAll(),
      redeploy: (attemptNumber) => this.redeploy(attemptNumber),
      failJob: (error) => this.failJob(error),
    }, this.checkpointing);
    this.regions = regionsToRestart(graph);
    const context: DeployContext = { jobId, graph, listener: this, checkpointing: this.checkpointing, options, regions: this.regions };
    this.deployer = options.createDeployer?.(context) ?? (this.local = new LocalDeployer(context, resourceManager));
    this.schedulesSlots = (this.deployer as Partial<SlotSchedulingDeployer>).schedulesSlots === true;
    this.unsubscribeLost = resourceManager.onTaskManagerLost((id, jobIds, reason) => {
      if (!jobIds.has(this.jobId)) return;
      this.deployer.onTaskManagerLost(id);
      if (this.schedulesSlots) return;
      this.failover.onFailure(`TaskManager ${id}`, new Error(`TaskManager ${id} was lost: ${reason}`), { where: `TaskManager ${id}`, taskManagerId: id });
    });
  }

  /** Takes a savepoint into `directory`; resolves with its path. */
  triggerSavepoint(directory?: string): Promise<string> {
    if (this.getStatus() !== 'RUNNING') return Promise.reject(new Error(`job ${this.jobId} is ${this.getStatus()}: savepoints need a running job`));
    return this.checkpointing.triggerSavepoint(directory);
  }

  /**
   * Takes a savepoint, then stops the job (FINISHED); resolves with the savepoint's path. With
   * `drain`, event time ends ahead of the savepoint (every window and event-time timer fires).
   */
  async stopWithSavepoint(directory?: string, drain = false): Promise<string> {
    if (this.getStatus() !== 'RUNNING') throw new Error(`job ${this.jobId} is ${this.getStatus()}: stop-with-savepoint needs a running job`);
    // No checkpoint after the savepoint: nothing written after it becomes visible.
    this.checkpointing.stopPeriodic('stopping with a savepoint');
    let path: string;
    try {
      path = await this.checkpointing.triggerSavepoint(directory, { stop: true, drain });
    } catch (error) {
      // The job keeps running, and checkpointing again (Flink's failed stop-with-savepoint). Drained
      // sources emit nothing more: that attempt fails over to its latest completed checkpoint.
      if (this.getStatus() === 'RUNNING') {
        if (drain) this.failover.onFailure('stop-with-savepoint --drain', new Error(`the draining savepoint failed: ${(error as Error).message}`, { cause: error }));
        else this.checkpointing.start();
      }
      throw error;
    }
    if (this.getStatus() !== 'RUNNING') return path;
    // Each subtask finishes once it hears that the savepoint completed (FINISHED, as in Flink);
    // any that has not within STOP_FINISH_TIMEOUT_MS (a lost notification) is cancelled.
    let cancelTimer = (): void => {};
    const finishedInTime = await Promise.race([
      this.terminated.then(() => true),
      new Promise<boolean>((resolve) => { cancelTimer = this.options.clock.schedule(STOP_FINISH_TIMEOUT_MS, () => resolve(false)); }),
    ]);
    cancelTimer();
    if (!finishedInTime && this.getStatus() === 'RUNNING') {
      await this.cancelAll();
      if (this.getStatus() === 'RUNNING') this.finishJob();
    }
    return path;
  }

  /** The job's status (the value of its status machine). */
  getStatus(): JobStatus { return this.status.getSnapshot().value as JobStatus; }

  /** The subtasks of the current attempt running in this process, by vertex (the embedded engine's: all of them). */
  subtasks(): ReadonlyMap<JobVertex, readonly StreamTask[]> {
    const out = new Map<JobVertex, StreamTask[]>();
    for (const [vertex, tasks] of this.tasks) out.set(vertex, tasks.filter((t): t is StreamTask => t instanceof StreamTask));
    return out;
  }

  /** Every subtask of the current attempt, local or remote, by vertex (the REST view). */
  taskHandles(): ReadonlyMap<JobVertex, readonly TaskHandle[]> { return this.tasks; }

  /** The TaskManager that runs subtask `index` of `vertex` in the current attempt. */
  taskManagerOf(vertex: JobVertex, index: number): string | undefined {
    // Between attempts (waiting for new slots) no subtask runs anywhere.
    return this.tasks.has(vertex) && !this.schedulesSlots ? this.slotOf?.(vertex, index).taskManagerId : undefined;
  }

  /** A remote subtask's report arrived at the JobMaster actor. */
  deliverTaskReport(report: { readonly type: string }): void { this.deployer.onReport(report); }

  /**
   * The attempt now running (0 for the first). After region restarts the subtasks run different
   * attempts: this is the highest of them (see subtaskAttemptNumber).
   */
  get attemptNumber(): number { return this.failover.attemptNumber; }

  /** The attempt number subtask `index` of `vertex` runs. */
  subtaskAttemptNumber(vertex: JobVertex, index: number): number { return this.subtaskAttempts.get(vertex)?.[index] ?? this.attemptNumber; }

  /** Every channel of the job (tests check queue bounds on them). */
  allChannels(): readonly LocalChannel[] { return this.local?.allChannels() ?? []; }

  /** Schedules the job: slots, channels, subtasks, enumerators. */
  async start(): Promise<void> {
    this.transition({ type: 'job.start' });
    if (!(await this.acquireSlots('could not be scheduled'))) return;
    try {
      await this.checkpointing.open();
    } catch (error) {
      this.failJob(new JobExecutionError(this.jobId, `job "${this.graph.jobName}" (${this.jobId}) could not be restored: ${(error as Error).message}`, { cause: error }));
      return;
    }
    if (this.getStatus() !== 'RUNNING') return;
    try {
      this.deploy(this.options.attemptNumber ?? 0);
    } catch (error) {
      // A source's enumerator (user code) may fail while the job is being scheduled.
      this.failJob(new JobExecutionError(this.jobId, `job "${this.graph.jobName}" (${this.jobId}) could not be scheduled: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
    }
  }

  /**
   * Deploys attempt `attemptNumber` after a failover. When a TaskManager holding some of the job's
   * slots was lost, the job gives its slots back and asks for new ones first.
   */
  private async redeploy(attemptNumber: number): Promise<void> {
    const slotOf = this.slotOf!;
    const lost = !this.schedulesSlots && this.graph.vertices.some((v) => Array.from({ length: v.parallelism }, (_, i) => slotOf(v, i))
      .some((slot) => !this.resourceManager.holdsSlot(slot)));
    if (lost) {
      this.tasks.clear();
      this.resourceManager.releaseSlots(this.jobId);
      if (!(await this.acquireSlots('could not be rescheduled after losing a TaskManager'))) return;
    }
    this.deploy(attemptNumber);
  }

  /** Creates and deploys every subtask and enumerator as attempt `attemptNumber` (again after a failover). */
  private deploy(attemptNumber: number): void {
    for (const e of this.enumerators.values()) { try { e.close(); } catch { /* the previous attempt's */ } }
    this.tasks.clear();
    this.enumerators.clear();
    this.registeredReaders.clear();
    this.remaining = 0;
    this.finishedTasks.clear();
    this.restarting.clear();
    this.splitTracker.clear();
    for (const v of this.graph.vertices) this.subtaskAttempts.set(v, new Array<number>(v.parallelism).fill(attemptNumber));
    const deployed = this.deployer.deployAttempt(attemptNumber, this.slotOf!);
    for (const [vertex, tasks] of deployed) {
      this.tasks.set(vertex, tasks);
      this.remaining += tasks.length;
    }
    for (const vertex of this.tasks.keys()) if (vertex.head.kind === 'source') this.createEnumerator(vertex);
    this.deployer.start([...deployed.values()].flat());
    this.checkpointing.start();
  }

  /** Cancels the job; resolves when it is CANCELED (or already terminal). */
  async cancel(): Promise<void> {
    const status = this.getStatus();
    if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED') return;
    if (status !== 'CANCELLING') {
      this.transition({ type: 'job.cancel' });
      this.resourceManager.cancelRequests(this.jobId);
      this.checkpointing.stop('job cancelled');
      await this.cancelAll();
      this.transition({ type: 'job.canceled' });
      this.finishTermination();
      this.settle.reject(new JobCancellationError(this.jobId));
    }
    await this.terminated;
  }

  // ---- TaskListener ----

  onStateChange(task: TaskHandle, state: SubtaskState, error?: unknown): void {
    if (this.tasks.get(task.vertex)?.[task.subtaskIndex] !== task) return; // a previous attempt's
    if (this.restarting.has(task)) return; // its region is being restarted
    if (state === 'finished') {
      this.finishedTasks.add(task);
      if (--this.remaining === 0 && this.getStatus() === 'RUNNING') this.finishJob();
    } else if (state === 'failed') {
      this.onTaskFailure(task, error);
    }
  }

  onReaderRegistered(task: TaskHandle): void {
    if (this.tasks.get(task.vertex)?.[task.subtaskIndex] !== task || this.restarting.has(task)) return; // a previous attempt's
    const vertex = task.vertex;
    this.registeredReaders.get(vertex)?.add(task.subtaskIndex);
    this.enumerators.get(vertex)?.addReader(task.subtaskIndex);
  }

  onSplitRequest(task: TaskHandle): void {
    if (this.tasks.get(task.vertex)?.[task.subtaskIndex] !== task || this.restarting.has(task)) return;
    this.enumerators.get(task.vertex)?.handleSplitRequest(task.subtaskIndex);
  }

  // ---- internals ----

  /** A subtask failed: fail over per the restart strategy (without one, the job fails). */
  protected onTaskFailure(task: TaskHandle, error: unknown): void {
    if (this.getStatus() !== 'RUNNING') return;
    const region = this.restartableRegionOf(task);
    const at = { taskName: task.name, taskManagerId: this.taskManagerOf(task.vertex, task.subtaskIndex) };
    if (region === undefined) { this.failover.onFailure(`subtask ${task.name}`, error, at); return; }
    const old = region.map((s) => this.tasks.get(s.vertex)![s.subtaskIndex]);
    for (const t of old) this.restarting.add(t);
    this.failover.onRegionFailure(`subtask ${task.name}`, error, this.regionRestart(region, old), old, at);
  }

  /**
   * The pipelined region a failure of `task` restarts on its own, or undefined when the whole job
   * fails over (see regionsToRestart).
   */
  private restartableRegionOf(task: TaskHandle): readonly SubtaskRef[] | undefined {
    return this.regions?.regionOf(task.vertex, task.subtaskIndex);
  }

  /** Cancels and redeploys the subtasks `old` of `region` (from the latest completed checkpoint). */
  private regionRestart(region: readonly SubtaskRef[], old: readonly TaskHandle[]): RegionRestart {
    return {
      cancel: async () => { await Promise.all(old.map((t) => t.cancel())); },
      redeploy: () => {
        const attempts = region.map(({ vertex, subtaskIndex }) => ++this.subtaskAttempts.get(vertex)![subtaskIndex]);
        // The new subtasks count as remaining; the old ones that had not finished no longer do.
        for (const t of old) {
          this.restarting.delete(t);
          if (!this.finishedTasks.delete(t)) this.remaining--;
        }
        const created = this.deployer.deployRegion(region, attempts, this.slotOf!);
        // Replaced in place: the enumerator of a source vertex assigns splits through these arrays.
        region.forEach(({ vertex, subtaskIndex }, k) => { this.tasks.get(vertex)![subtaskIndex] = created[k]; });
        this.remaining += created.length;
        // The readers restore the splits of the checkpoint; those assigned later go back to the enumerator.
        for (const { vertex, subtaskIndex } of region) {
          const enumerator = this.enumerators.get(vertex);
          if (enumerator === undefined) continue;
          this.registeredReaders.get(vertex)?.delete(subtaskIndex);
          const splits = this.splitTracker.takeUncovered(vertex, subtaskIndex);
          if (splits.length > 0) enumerator.addSplitsBack(splits, subtaskIndex);
        }
        this.deployer.start(created);
        return Math.max(...attempts);
      },
    };
  }

  private failJob(error: JobExecutionError): void {
    logger('job-master', { jobId: this.jobId, jobName: this.graph.jobName }).error('job failed', errorFields(error));
    // Failures the failover saw are in the history already; scheduling, restore and restart failures are not.
    if (!this.failover.exceptions.has(error)) this.failover.exceptions.record(error, this.options.clock.now(), { where: 'JobMaster' });
    this.transition({ type: 'job.fail' });
    void this.cancelAll().then(() => {
      this.transition({ type: 'job.failed' });
      this.finishTermination();
      this.settle.reject(error);
    });
  }

  private finishJob(): void {
    this.transition({ type: 'job.finish' });
    this.checkpointing.stop('job finished');
    const accumulators: Record<string, unknown> = {};
    for (const tasks of this.tasks.values()) {
      for (const t of tasks) {
        for (const [k, v] of t.accumulators()) {
          const prev = accumulators[k];
          accumulators[k] = typeof prev === 'number' && typeof v === 'number' ? prev + v : v;
        }
      }
    }
    this.finishTermination();
    this.settle.resolve({ jobId: this.jobId, jobName: this.graph.jobName, netRuntimeMs: Math.round(this.options.clock.now() - this.startedAt), accumulators });
  }

  private finishTermination(): void {
    this.endTime = this.options.clock.now();
    this.unsubscribeLost();
    this.deployer.close();
    void this.checkpointing.close();
    for (const e of this.enumerators.values()) { try { e.close(); } catch { /* closing is best effort */ } }
    this.resourceManager.releaseSlots(this.jobId);
    this.markTerminated();
  }

  private async cancelAll(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const tasks of this.tasks.values()) for (const t of tasks) all.push(t.cancel());
    await Promise.all(all);
  }

  /**
   * Requests the slots of every sharing group and assigns them (slotOf); false when the request
   * failed (the job fails, its message saying `failure`) or the job stopped meanwhile.
   */
  private async acquireSlots(failure: string): Promise<boolean> {
    if (this.schedulesSlots) {
      this.slotOf = () => { throw new Error(`job ${this.jobId}'s deployer assigns its own slots`); };
      return this.getStatus() === 'RUNNING';
    }
    const groups = slotsPerSharingGroup(this.graph);
    let needed = 0;
    for (const n of groups.values()) needed += n;
    let slots: Slot[];
    try {
      slots = await this.resourceManager.requestSlots(this.jobId, needed);
    } catch (error) {
      this.failJob(new JobExecutionError(this.jobId, `job "${this.graph.jobName}" (${this.jobId}) ${failure}: ${(error as Error).message}`, { cause: error }));
      return false;
    }
    if (this.getStatus() !== 'RUNNING') { this.resourceManager.releaseSlots(this.jobId); return false; }
    this.slotOf = this.assignSlots(groups, slots);
    return true;
  }

  /** Slot j of a sharing group hosts subtask j of every vertex in the group. */
  private assignSlots(groups: Map<string, number>, slots: Slot[]): SlotAssignment {
    const offset = new Map<string, number>();
    let next = 0;
    for (const [group, n] of groups) { offset.set(group, next); next += n; }
    return (vertex, index) => slots[offset.get(vertex.slotSharingGroup)! + index];
  }

  private createEnumerator(vertex: JobVertex): void {
    const source = vertex.head.source!;
    const tasks = this.tasks.get(vertex)!;
    const registered = new Set<number>();
    this.registeredReaders.set(vertex, registered);
    const context = {
      currentParallelism: () => vertex.parallelism,
      registeredReaders: () => [...registered],
      assignSplit: (split: SourceSplit, i: number) => {
        this.splitTracker.recordAssignment(vertex, i, split);
        tasks[i].addSplits([split]);
      },
      signalNoMoreSplits: (i: number) => tasks[i].notifyNoMoreSplits(),
    };
    const restored = this.checkpointing.enumeratorState(vertex);
    const enumerator = restored !== undefined ? source.restoreEnumerator(context, restored) : source.createEnumerator(context);
    this.enumerators.set(vertex, enumerator);
    enumerator.start();
  }

  private transition(event: JobStatusEvent): void { this.status.send(event); }
}

/**
 * The pipelined regions of `graph` that a failure restarts on their own: none with the full
 * strategy, or when the one region is the whole job anyway (then the job goes through RESTARTING
 * as with the full strategy).
 */
function regionsToRestart(graph: JobGraph): PipelinedRegions | undefined {
  if (failoverStrategyOf(graph) !== 'region') return undefined;
  const regions = computePipelinedRegions(graph);
  return regions.regions.length < 2 ? undefined : regions;
}
