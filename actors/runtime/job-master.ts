// JobMaster: runs one job: asks the ResourceManager for the slots slot sharing needs, wires the
// channels between subtasks, deploys subtasks into slots, runs the source split enumerators, and
// drives the job's status machine to FINISHED, FAILED or CANCELED. A failing subtask fails the
// job: every other subtask is cancelled and the job's result rejects with an error naming the
// operator and subtask whose `cause` is the original error. Restarting after failure is the
// fault-tolerance layer's (see onTaskFailure). The subtasks it manages are TaskHandles: StreamTasks
// it creates itself on in-process TaskManagers (the mini cluster), or, with a SubtaskDeployer,
// proxies of subtasks deployed on TaskManager processes. A lost TaskManager fails the job over onto
// the remaining slots. With the region failover strategy a subtask's failure restarts only its
// pipelined region (regionRestart); the job stays RUNNING and its attemptNumber is the highest
// attempt of any subtask. Subtasks on TaskManager processes always fail over the whole job: a
// TaskExecutor drops every channel of a job's older attempts when a newer attempt is deployed, so
// a region's next attempt cannot run beside the other regions' current one there.
// Imports api/, state/ and actors/ (runtime, checkpoint, failover). About 500 lines: the in-process
// wiring (createTasks, regionRestart) becomes the local SubtaskDeployer when it is split out.
import { createActor, type Actor } from 'xstate';
import { JobCancellationError, JobExecutionError, type JobExecutionResult, type JobStatus } from '../../api/environment/job-client.ts';
import { slotsPerSharingGroup, type JobEdge, type JobGraph, type JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceSplit, SplitEnumerator } from '../../api/sources/source.ts';
import type { Clock } from '../../api/time/clock.ts';
import { JobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import { failoverStrategyOf, JobFailover, type RegionRestart } from '../failover/job-failover.ts';
import { computePipelinedRegions, type PipelinedRegions, type SubtaskRef } from '../failover/pipelined-regions.ts';
import { SplitAssignmentTracker } from '../failover/split-assignment-tracker.ts';
import { jobStatusMachine, type JobStatusEvent } from './job-status.machine.ts';
import type { GateChannel } from './input-gate.ts';
import { LocalChannel } from './local-channel.ts';
import type { ResourceManager } from './resource-manager.ts';
import { StreamTask } from './stream-task.ts';
import type { SubtaskState } from './subtask.machine.ts';
import type { Slot, TaskHandle } from './task-manager.ts';

/** Where subtask `index` of `vertex` runs. */
export type SlotAssignment = (vertex: JobVertex, index: number) => Slot;

/** What the subtasks of a job report to their JobMaster (StreamTasks, or proxies of remote ones). */
export interface JobTaskListener {
  onStateChange(task: TaskHandle, state: SubtaskState, error?: unknown): void;
  onReaderRegistered(task: TaskHandle): void;
  onSplitRequest(task: TaskHandle): void;
}

/** What a SubtaskDeployer works with. */
export interface DeployContext {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly listener: JobTaskListener;
  readonly checkpointing: JobCheckpointing;
  readonly options: JobMasterOptions;
}

/** Deploys an attempt's subtasks onto TaskManagers in other processes (the cluster's). */
export interface SubtaskDeployer {
  /** Deploys every subtask of attempt `attemptNumber`; returns their handles by vertex. */
  deployAttempt(attemptNumber: number, slotOf: SlotAssignment): Map<JobVertex, TaskHandle[]>;
  /** TaskManager `id` was lost: the subtasks on it can no longer be reached. */
  onTaskManagerLost(taskManagerId: string): void;
  /** A report of one of the job's remote subtasks (state change, reader, checkpoint ack), as a message. */
  onReport(report: { readonly type: string }): void;
  /** The job is terminal. */
  close(): void;
}

/** Data plane settings of a job. */
export interface JobMasterOptions {
  readonly clock: Clock;
  readonly batchSize: number;
  readonly channelCredits: number;
  readonly attemptNumber?: number;
  /** Deploys onto remote TaskManagers; without one the JobMaster creates StreamTasks in this process. */
  readonly createDeployer?: (context: DeployContext) => SubtaskDeployer;
}

/** Runs one job on the resources of a mini cluster or of a JobManager process. */
export class JobMaster implements JobTaskListener {
  private readonly status: Actor<typeof jobStatusMachine>;
  private readonly tasks = new Map<JobVertex, TaskHandle[]>();
  private readonly enumerators = new Map<JobVertex, SplitEnumerator<SourceSplit, unknown>>();
  private readonly registeredReaders = new Map<JobVertex, Set<number>>();
  /** In-process channels by their sender (`vertexId#subtaskIndex`). */
  private readonly channels = new Map<string, LocalChannel[]>();
  private remaining = 0;
  /** Subtasks of the current deployment that reported finished. */
  private readonly finishedTasks = new Set<TaskHandle>();
  /** Subtasks of regions being restarted: what they report no longer counts. */
  private readonly restarting = new Set<TaskHandle>();
  /** The attempt number of each subtask, by vertex. */
  private readonly subtaskAttempts = new Map<JobVertex, number[]>();
  /** Split assignments since the latest completed checkpoint (given back when a region restarts). */
  private readonly splitTracker = new SplitAssignmentTracker();
  private regions: PipelinedRegions | undefined;
  private readonly startedAt = performance.now();
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
  private readonly deployer: SubtaskDeployer | undefined;
  private readonly unsubscribeLost: () => void;
  /** When the job was submitted (epoch ms) and reached a terminal status (REST view). */
  readonly startTime = Date.now();
  endTime = -1;

  constructor(
    readonly jobId: string,
    readonly graph: JobGraph,
    private readonly resourceManager: ResourceManager,
    private readonly options: JobMasterOptions,
  ) {
    this.status = createActor(jobStatusMachine).start();
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
    this.deployer = options.createDeployer?.({ jobId, graph, listener: this, checkpointing: this.checkpointing, options });
    this.unsubscribeLost = resourceManager.onTaskManagerLost((id, jobIds, reason) => {
      if (!jobIds.has(this.jobId)) return;
      this.deployer?.onTaskManagerLost(id);
      this.failover.onFailure(`TaskManager ${id}`, new Error(`TaskManager ${id} was lost: ${reason}`));
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
      path = await this.checkpointing.triggerSavepoint(directory, drain);
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
    await this.cancelAll();
    if (this.getStatus() === 'RUNNING') this.finishJob();
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
    return this.tasks.has(vertex) ? this.slotOf?.(vertex, index).taskManagerId : undefined;
  }

  /** A remote subtask's report arrived at the JobMaster actor. */
  deliverTaskReport(report: { readonly type: string }): void { this.deployer?.onReport(report); }

  /**
   * The attempt now running (0 for the first). After region restarts the subtasks run different
   * attempts: this is the highest of them (see subtaskAttemptNumber).
   */
  get attemptNumber(): number { return this.failover.attemptNumber; }

  /** The attempt number subtask `index` of `vertex` runs. */
  subtaskAttemptNumber(vertex: JobVertex, index: number): number { return this.subtaskAttempts.get(vertex)?.[index] ?? this.attemptNumber; }

  /** Every channel of the job (tests check queue bounds on them). */
  allChannels(): readonly LocalChannel[] { return [...this.channels.values()].flat(); }

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
    const lost = this.graph.vertices.some((v) => Array.from({ length: v.parallelism }, (_, i) => slotOf(v, i))
      .some((slot) => !this.resourceManager.isRegistered(slot.taskManagerId)));
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
    this.channels.clear();
    this.remaining = 0;
    this.finishedTasks.clear();
    this.restarting.clear();
    this.splitTracker.clear();
    for (const v of this.graph.vertices) this.subtaskAttempts.set(v, new Array<number>(v.parallelism).fill(attemptNumber));
    const slotOf = this.slotOf!;
    if (this.deployer) {
      for (const [vertex, tasks] of this.deployer.deployAttempt(attemptNumber, slotOf)) {
        this.tasks.set(vertex, tasks);
        this.remaining += tasks.length;
      }
      for (const vertex of this.tasks.keys()) if (vertex.head.kind === 'source') this.createEnumerator(vertex);
      this.checkpointing.start();
      return;
    }
    const created = this.createTasks(slotOf);
    for (const vertex of this.graph.vertices) if (vertex.head.kind === 'source') this.createEnumerator(vertex);
    this.deployTasks(created);
    this.checkpointing.start();
  }

  /** Starts `tasks` in their slots on the in-process TaskManagers. */
  private deployTasks(tasks: readonly StreamTask[]): void {
    for (const task of tasks) {
      const slot = this.slotOf!(task.vertex, task.subtaskIndex);
      void this.resourceManager.localTaskManager(slot.taskManagerId).deploy(task, slot);
    }
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
    if (region === undefined) { this.failover.onFailure(`subtask ${task.name}`, error); return; }
    const old = region.map((s) => this.tasks.get(s.vertex)![s.subtaskIndex]);
    for (const t of old) this.restarting.add(t);
    this.failover.onRegionFailure(`subtask ${task.name}`, error, this.regionRestart(region, old), old);
  }

  /**
   * The pipelined region a failure of `task` restarts on its own, or undefined when the whole job
   * fails over: the full strategy, subtasks on TaskManager processes (see the header), or a region
   * that is the whole job anyway (then the job goes through RESTARTING as with the full strategy).
   */
  private restartableRegionOf(task: TaskHandle): readonly SubtaskRef[] | undefined {
    if (this.deployer || failoverStrategyOf(this.graph) !== 'region') return undefined;
    this.regions ??= computePipelinedRegions(this.graph);
    if (this.regions.regions.length < 2) return undefined;
    return this.regions.regionOf(task.vertex, task.subtaskIndex);
  }

  /** Cancels and redeploys the subtasks `old` of `region` (from the latest completed checkpoint). */
  private regionRestart(region: readonly SubtaskRef[], old: readonly TaskHandle[]): RegionRestart {
    return {
      cancel: async () => { await Promise.all(old.map((t) => t.cancel())); },
      redeploy: () => {
        const members = new Set(region.map((s) => `${s.vertex.id}#${s.subtaskIndex}`));
        let highest = 0;
        for (const { vertex, subtaskIndex } of region) {
          const attempts = this.subtaskAttempts.get(vertex)!;
          highest = Math.max(highest, ++attempts[subtaskIndex]);
          this.channels.delete(`${vertex.id}#${subtaskIndex}`);
        }
        // createTasks counts every new subtask as remaining; the old ones that had not finished still are.
        for (const t of old) {
          this.restarting.delete(t);
          if (!this.finishedTasks.delete(t)) this.remaining--;
        }
        const created = this.createTasks(this.slotOf!, members);
        // The readers restore the splits of the checkpoint; those assigned later go back to the enumerator.
        for (const { vertex, subtaskIndex } of region) {
          const enumerator = this.enumerators.get(vertex);
          if (enumerator === undefined) continue;
          this.registeredReaders.get(vertex)?.delete(subtaskIndex);
          const splits = this.splitTracker.takeUncovered(vertex, subtaskIndex);
          if (splits.length > 0) enumerator.addSplitsBack(splits, subtaskIndex);
        }
        this.deployTasks(created);
        return highest;
      },
    };
  }

  private failJob(error: JobExecutionError): void {
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
    this.settle.resolve({ jobId: this.jobId, jobName: this.graph.jobName, netRuntimeMs: Math.round(performance.now() - this.startedAt), accumulators });
  }

  private finishTermination(): void {
    this.endTime = Date.now();
    this.unsubscribeLost();
    this.deployer?.close();
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

  /**
   * Creates the subtasks (with their attempt numbers) and the channels between them: every one,
   * or only the `members` of one pipelined region (no channel leaves a region), replacing theirs.
   */
  private createTasks(slotOf: SlotAssignment, members?: ReadonlySet<string>): StreamTask[] {
    const { clock, batchSize, channelCredits } = this.options;
    const included = (v: JobVertex, i: number): boolean => members === undefined || members.has(`${v.id}#${i}`);
    const inputs = new Map<JobVertex, GateChannel[][]>();
    const outputs = new Map<JobVertex, Map<JobEdge, LocalChannel[]>[]>();
    for (const v of this.graph.vertices) {
      inputs.set(v, Array.from({ length: v.parallelism }, () => []));
      outputs.set(v, Array.from({ length: v.parallelism }, () => new Map()));
    }
    for (const edge of this.graph.edges) {
      const ps = edge.source.parallelism, pt = edge.target.parallelism;
      for (let i = 0; i < ps; i++) {
        if (!included(edge.source, i)) continue;
        const out: LocalChannel[] = [];
        const sender = `${edge.source.id}#${i}`;
        if (!this.channels.has(sender)) this.channels.set(sender, []);
        for (let j = 0; j < pt; j++) {
          if (edge.partitioner.kind === 'forward' && i !== j) continue;
          const channel = new LocalChannel(channelCredits, `${edge.sourceNode.name}[${i}] -> ${edge.targetNode.name}[${j}]`);
          this.channels.get(sender)!.push(channel);
          out.push(channel);
          inputs.get(edge.target)![j].push({ channel, input: edge.typeNumber });
        }
        outputs.get(edge.source)![i].set(edge, out);
      }
    }
    const checkpointingEnabled = this.graph.config.faultTolerance.checkpointing !== undefined;
    const checkpointing = this.checkpointing.taskHooks();
    const created: StreamTask[] = [];
    for (const vertex of this.graph.vertices) {
      // Replaced in place: the enumerator of a source vertex assigns splits through this array.
      let tasks = this.tasks.get(vertex);
      if (tasks === undefined) { tasks = []; this.tasks.set(vertex, tasks); }
      for (let i = 0; i < vertex.parallelism; i++) {
        if (!included(vertex, i)) continue;
        const task = new StreamTask({
          jobId: this.jobId, vertex, subtaskIndex: i, attemptNumber: this.subtaskAttempts.get(vertex)![i], clock, checkpointing,
          bufferTimeoutMs: this.graph.config.bufferTimeoutMs, batchSize, checkpointingEnabled,
          inputChannels: inputs.get(vertex)![i], outputChannels: outputs.get(vertex)![i],
          scheduler: this.resourceManager.localTaskManager(slotOf(vertex, i).taskManagerId).scheduler, listener: this,
        });
        (tasks as TaskHandle[])[i] = task;
        created.push(task);
        this.remaining++;
      }
    }
    return created;
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
