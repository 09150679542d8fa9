// JobCheckpointing: the JobMaster's side of checkpoints and savepoints. It opens the job's
// checkpoint storage (memory by default, 'kv' at setCheckpointStorage's path), wires the
// CheckpointCoordinator to the subtasks of the current attempt (SubtaskCheckpointers), keeps the
// split enumerators' state in each checkpoint's metadata, writes savepoint files, and says which
// snapshot an attempt restores: the savepoint it was submitted with, then the latest completed
// checkpoint (falling back past a corrupt one only where no sink committed it: recovery-checkpoint.ts). A JobManager leader that recovered the job from an
// older leadership's checkpoint discards that one once its own checkpoints subsume it
// (RecoveredCheckpoint). A subtask in this process gets a SubtaskCheckpointer;
// a subtask on a TaskManager process is reached through the checkpoint handle its proxy provides
// (trigger and notifications become messages; acknowledgements come back as messages), and reads
// the snapshot to restore itself (restorePoint says which). Imports api/, state/ and
// actors/checkpoint; the JobMaster reaches it through the CheckpointedJob view it provides.
// It keeps the job's checkpoint statistics (CheckpointHistory) and logs completed, failed and
// declined checkpoints and written savepoints.
// Over 400 lines: restore, triggering, savepoints and the final-checkpoint rule all read the same
// per-attempt state (coordinator, checkpointers, suspension); the statistics, the recovered
// checkpoint and the choice of the checkpoint to recover (recovery-checkpoint.ts) live apart.
// Savepoint writing is the next piece to move out.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointConfig } from '../../api/environment/environment-config.ts';
import type { JobGraph, JobVertex } from '../../api/graph/job-graph.ts';
import type { StreamNode } from '../../api/graph/stream-graph.ts';
import type { SourceSplit, SplitEnumerator } from '../../api/sources/source.ts';
import type { Clock } from '../../api/time/clock.ts';
import type { CheckpointStorage } from '../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import { writeSavepoint } from '../../state/snapshot/savepoint-file.ts';
import { createStateBackend, type StateBackend } from '../../state/snapshot/state-backend.ts';
import { StreamTask, type TaskCheckpointHooks } from '../runtime/stream-task.ts';
import type { TaskHandle } from '../runtime/task-manager.ts';
import { logger, type Logger } from '../observability/logger.ts';
import { CheckpointHistory, type SubtaskLocation } from '../observability/checkpoint-history.ts';
import type { BarrierEvent } from '../../api/stream-elements.ts';
import { readRestorePoint } from './restore-point.ts';
import { CheckpointCoordinator, DEFAULT_CHECKPOINT_CONFIG, type CompletedCheckpoint } from './checkpoint-coordinator.ts';
import { RecoveredCheckpoint } from './recovered-checkpoint.ts';
import { readRecoveryCheckpoint } from './recovery-checkpoint.ts';
import { alignmentModeOf } from './barrier-aligner.ts';
import { SubtaskCheckpointer, subtaskKey, type SubtaskCheckpointListener } from './subtask-checkpointer.ts';

/** The checkpointing side of one subtask as the job sees it (a SubtaskCheckpointer, or a proxy of a remote one). */
export interface SubtaskCheckpointHandle {
  /** The coordinator triggered `barrier`. */
  trigger(barrier: BarrierEvent): void;
  /** Checkpoint `checkpointId` completed; resolves once the subtask's operators acted on it. */
  notifyComplete(checkpointId: number): Promise<void>;
  notifyAborted(checkpointId: number): void;
  /** True while the subtask waits for a checkpoint taken after its end of input. */
  readonly awaitingFinal: boolean;
  /** True once the subtask ended its input (waiting for its final checkpoint, or past it). */
  readonly inputEnded: boolean;
}

/** A subtask handle whose checkpointing runs elsewhere (on a TaskManager process). */
export interface RemoteCheckpointedTask {
  /** The proxy of the subtask's checkpointer, reporting to `listener`. */
  createCheckpointHandle(listener: SubtaskCheckpointListener): SubtaskCheckpointHandle;
}

/**
 * What an attempt restores: a checkpoint of the job's storage (with the JobManager leadership
 * whose keys hold it, under high availability), or a savepoint (or retained checkpoint) path.
 */
export type RestorePointRef = { readonly checkpointId: number; readonly epoch?: number } | { readonly path: string };

/** What job checkpointing needs of its JobMaster. */
export interface CheckpointedJob {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly clock: Clock;
  /** The subtasks of the current attempt. */
  tasks(): ReadonlyMap<JobVertex, readonly TaskHandle[]>;
  /** The split enumerators of the current attempt. */
  enumerators(): ReadonlyMap<JobVertex, SplitEnumerator<SourceSplit, unknown>>;
  /** Checkpointing failed beyond the tolerable number: fail over. */
  onCheckpointFailure(error: Error): void;
  /** The enumerators were snapshotted for checkpoint `checkpointId` (split assignments so far are in it). */
  onEnumeratorsSnapshot?(checkpointId: number): void;
  /** Checkpoint `checkpointId` (not a savepoint) completed: it is what a failover restores now. */
  onCheckpointCompleted?(checkpointId: number): void;
}

/** The fault-tolerance part of the job graph's config. */
interface FaultToleranceConfig {
  checkpointing?: CheckpointConfig;
  /** The checkpoint timeout also when periodic checkpoints are off: savepoints expire after it. */
  checkpointTimeoutMs?: number;
  stateBackend?: 'memory' | 'kv' | object;
  checkpointStorage?: string;
  restore?: { path: string; allowNonRestoredState: boolean };
  /**
   * Set by a JobManager that took over the job from another one (high availability): start from
   * the latest completed checkpoint in the job's storage when there is one, else as submitted.
   */
  recoverLatest?: boolean;
}

/** The uid of a node, as operators see it in their context. */
export function operatorUid(node: StreamNode): string { return node.uid ?? `${node.name}-${node.id}`; }

/** The savepoint directory when none is given. */
function defaultSavepointDirectory(): string { return join(tmpdir(), 'actorflow-savepoints'); }

/** Checkpoints, savepoints and restore of one job. */
export class JobCheckpointing {
  /** Whether periodic checkpoints are configured. */
  readonly enabled: boolean;
  private readonly config: FaultToleranceConfig;
  private backend!: StateBackend;
  private storage: CheckpointStorage | undefined;
  private coordinator: CheckpointCoordinator | undefined;
  private readonly checkpointers = new Map<TaskHandle, SubtaskCheckpointHandle>();
  private readonly enumeratorStates = new Map<number, Record<string, unknown>>();
  private readonly savepointPaths = new Map<number, string>();
  private savepointDirectory: string | undefined;
  private restore: CheckpointSnapshot | undefined;
  private restoredFromCheckpoint = false;
  /** The checkpoint of an older JobManager leadership this one recovered from, until its own checkpoints subsume it. */
  private recovered: RecoveredCheckpoint | undefined;
  private restorePath: string | undefined;
  private finalRequested = false;
  /** Set while triggerSavepoint asks for a savepoint that stops the job (and whether it drains). */
  private stopNextSavepoint: { drain: boolean } | undefined;
  /** True while an attempt is deployed (checkpoints can be taken). */
  private active = false;
  /** Regions being restarted: no checkpoint is triggered until every one is deployed again. */
  private suspended = 0;
  /** Resolves when the subtasks have acted on the newest completion notification. */
  private notified: Promise<unknown> = Promise.resolve();
  /** Bytes written by the last completed checkpoint's subtasks (metrics, benchmarks). */
  lastCheckpointBytes = 0;
  private completedCount = 0;
  private abortedCount = 0;
  /** Every checkpoint's statistics (REST: /jobs/:jid/checkpoints). */
  readonly history: CheckpointHistory;
  /** Duration, size and savepoint path of checkpoints written but not yet confirmed complete. */
  private readonly persisted = new Map<number, { durationMs: number; bytes: number; path?: string }>();
  /** Subtask keys of the coordinator, by the vertex and index they stand for. */
  private readonly locations = new Map<string, SubtaskLocation>();
  private readonly log: Logger;

  constructor(private readonly job: CheckpointedJob) {
    this.config = job.graph.config.faultTolerance as FaultToleranceConfig;
    this.enabled = this.config.checkpointing !== undefined;
    this.history = new CheckpointHistory(job.graph.vertices.map((v) => ({ id: String(v.id), parallelism: v.parallelism })));
    for (const v of job.graph.vertices) for (let i = 0; i < v.parallelism; i++) this.locations.set(subtaskKey(v.head.id, i), { vertexId: String(v.id), index: i });
    this.log = logger('checkpointing', { jobId: job.jobId, jobName: job.graph.jobName });
  }

  /** Opens storage and reads the savepoint the job restores from; throws on a savepoint that does not match. */
  async open(): Promise<void> {
    const choice = this.config.stateBackend ?? 'memory';
    this.backend = createStateBackend(choice as 'memory' | 'kv' | StateBackend);
    this.storage = await this.backend.createCheckpointStorage({ jobId: this.job.jobId, path: this.config.checkpointStorage });
    const restore = this.config.restore;
    const ck = this.config.checkpointing;
    const retained = Math.max(1, (ck as { retainedCheckpoints?: number } | undefined)?.retainedCheckpoints ?? 1);
    let newestBegun = 0;
    if (this.config.recoverLatest) {
      const latest = await readRecoveryCheckpoint(this.storage, this.job.graph, this.config.checkpointStorage);
      if (latest) {
        this.restore = latest;
        this.restoredFromCheckpoint = true;
        this.recovered = RecoveredCheckpoint.of(this.storage, latest, retained);
      }
      // Checkpoints the previous leader began but never completed keep their ids: count past them.
      newestBegun = Math.max(0, ...(await this.storage.list()));
    }
    if (restore && !this.restoredFromCheckpoint) {
      this.restore = await readRestorePoint(restore.path);
      this.restorePath = restore.path;
      if (!restore.allowNonRestoredState) this.checkMatches(this.restore, restore.path);
    }
    this.noteRestored();
    this.coordinator = new CheckpointCoordinator({
      ...DEFAULT_CHECKPOINT_CONFIG,
      intervalMs: ck && ck.intervalMs > 0 ? ck.intervalMs : Number.MAX_SAFE_INTEGER,
      timeoutMs: ck?.timeoutMs ?? this.config.checkpointTimeoutMs ?? DEFAULT_CHECKPOINT_CONFIG.timeoutMs,
      minPauseMs: ck?.minPauseMs ?? 0,
      maxConcurrent: ck?.maxConcurrent ?? 1,
      tolerableFailures: ck?.tolerableFailures ?? 0,
      retained,
    }, this.subtaskKeys(), this.job.clock, {
      triggerSources: (id, timestamp, savepoint) => this.triggerTasks(id, timestamp, savepoint),
      persist: (checkpoint) => this.persist(checkpoint),
      notifyComplete: (id) => this.notifyComplete(id),
      notifyAborted: (id, reason) => this.notifyAborted(id, reason),
      discard: (id) => { void this.storage?.discard(id).catch(() => { /* a leftover is harmless */ }); },
      failJob: (error) => this.job.onCheckpointFailure(error),
    }, Math.max(newestBegun, this.restore?.checkpointId ?? 0) + 1);
  }

  /** The hooks every subtask of the job is deployed with. */
  taskHooks(): TaskCheckpointHooks {
    return {
      initializeState: (task) => this.checkpointerOf(task).initializeState(),
      afterOpen: (task) => this.checkpointerOf(task).afterOpen(),
      beforeClose: (task) => (this.enabled ? this.checkpointerOf(task).beforeClose() : Promise.resolve()),
    };
  }

  /** The restored state of the enumerator of `vertex`, if the attempt restores one. */
  enumeratorState(vertex: JobVertex): unknown {
    const states = this.restore?.properties.enumerators as Record<string, unknown> | undefined;
    return states?.[operatorUid(vertex.head)];
  }

  /** The current attempt is deployed: periodic checkpoints start. */
  start(): void {
    this.active = true;
    this.attachRemoteTasks();
    if (this.enabled && this.suspended === 0) this.coordinator?.start();
  }

  /**
   * Remote subtasks get their checkpoint handles now (local ones get theirs at initializeState):
   * without one, a subtask that ends its input before the first trigger could not ask for its
   * final checkpoint, and the job would wait for the next periodic one.
   */
  private attachRemoteTasks(): void {
    if (!this.enabled) return;
    for (const tasks of this.job.tasks().values()) {
      for (const task of tasks) if (!(task instanceof StreamTask) && 'createCheckpointHandle' in task) this.checkpointerOf(task);
    }
  }

  /**
   * A region of the job fails over (its subtasks `tasks` go away while the others keep running):
   * checkpoints in flight are aborted and none is triggered until `resume`.
   */
  suspend(reason: string, tasks: Iterable<TaskHandle>): void {
    this.suspended++;
    this.coordinator?.stop(reason);
    for (const task of tasks) this.checkpointers.delete(task);
  }

  /** A region that failed over is deployed again: periodic checkpoints resume once no region is restarting. */
  resume(): void {
    if (this.suspended > 0) this.suspended--;
    if (this.suspended > 0 || !this.active) return;
    this.attachRemoteTasks();
    if (this.enabled) this.coordinator?.start();
    queueMicrotask(() => this.requestFinalCheckpoint());
  }

  /** Stops periodic checkpoints (and aborts those in flight); savepoints may still be taken. */
  stopPeriodic(reason: string): void { this.coordinator?.stop(reason); }

  /** The attempt is going away (failure, cancellation, end): stop checkpointing and forget its subtasks. */
  stop(reason: string): void {
    this.active = false;
    this.suspended = 0;
    this.coordinator?.stop(reason);
    this.checkpointers.clear();
    this.finalRequested = false;
  }

  /** Before redeploying after a failure: restore from the latest completed checkpoint (or the savepoint). */
  async prepareRestart(): Promise<void> {
    const storage = this.storage!;
    const latest = await readRecoveryCheckpoint(storage, this.job.graph, this.config.checkpointStorage);
    if (latest) { this.restore = latest; this.restoredFromCheckpoint = true; this.noteRestored(); return; }
    // Restarting from scratch after checkpoints completed would apply their side effects twice.
    const ids = await storage.list();
    if (ids.length > 0) {
      // Say what is wrong with the newest (its error names the checkpoint and where it is stored).
      const newest = await storage.readCheckpoint(ids[ids.length - 1]).then(() => 'it reads now', (e: Error) => e.message);
      throw new Error(`no completed checkpoint can be read (checkpoints ${ids.join(', ')} are corrupt or incomplete; the newest: ${newest})`);
    }
  }

  /** What the current attempt restores (subtasks in other processes read it themselves). */
  restorePoint(): RestorePointRef | undefined {
    if (this.restore === undefined) return undefined;
    const { checkpointId, epoch } = this.restore;
    return this.restoredFromCheckpoint || this.restorePath === undefined ? { checkpointId, ...(epoch ? { epoch } : {}) } : { path: this.restorePath };
  }

  /** The state backend the job's subtasks snapshot with (open once the job was scheduled). */
  get stateBackend(): StateBackend { return this.backend; }

  /** Id of the checkpoint the current attempt restored, if it restored one. */
  get restoredCheckpointId(): number | undefined { return this.restoredFromCheckpoint ? this.restore?.checkpointId : undefined; }

  /** The job's checkpoint storage (open once the job was scheduled). */
  get checkpointStorage(): CheckpointStorage | undefined { return this.storage; }

  /** Id of the newest completed checkpoint of this job, if any. */
  get latestCompletedId(): number | undefined { return this.coordinator?.latestCompleted?.checkpointId; }

  /** Checkpoint counts and the newest completed checkpoint (the REST view). */
  stats(): { completed: number; failed: number; inProgress: number; latest?: { id: number; durationMs: number; bytes: number } } {
    const latest = this.coordinator?.latestCompleted;
    return {
      completed: this.completedCount, failed: this.abortedCount, inProgress: this.coordinator?.pendingIds.length ?? 0,
      ...(latest ? { latest: { id: latest.checkpointId, durationMs: latest.durationMs, bytes: this.lastCheckpointBytes } } : {}),
    };
  }

  /** Takes a checkpoint now; resolves when it completed. */
  triggerCheckpoint(): Promise<CompletedCheckpoint> {
    if (!this.active) return Promise.reject(new Error(`job ${this.job.jobId} has no running attempt to checkpoint`));
    if (this.suspended > 0) return Promise.reject(new Error(`job ${this.job.jobId} is restarting a region: no checkpoint until it runs again`));
    return this.coordinator!.trigger(false);
  }

  /**
   * Takes a savepoint and writes it under `directory`; resolves with its path. With `stop` it is
   * the savepoint of stop-with-savepoint: no subtask processes or emits anything after its
   * snapshot (until the savepoint is aborted); with `drain` the sources also end event time ahead
   * of its barrier.
   */
  async triggerSavepoint(directory?: string, options: { stop?: boolean; drain?: boolean } = {}): Promise<string> {
    if (!this.active) throw new Error(`job ${this.job.jobId} has no running attempt to take a savepoint of`);
    if (this.suspended > 0) throw new Error(`job ${this.job.jobId} is restarting a region: no savepoint until it runs again`);
    this.savepointDirectory = directory ?? defaultSavepointDirectory();
    // The coordinator triggers the sources within trigger(): the flag is read there.
    this.stopNextSavepoint = options.stop || options.drain ? { drain: options.drain === true } : undefined;
    let pending: Promise<CompletedCheckpoint>;
    try { pending = this.coordinator!.trigger(true); } finally { this.stopNextSavepoint = undefined; }
    let completed: CompletedCheckpoint;
    try {
      completed = await pending;
    } catch (error) {
      logger('checkpointing', { jobId: this.job.jobId }).warn(`${options.stop || options.drain ? 'stop-with-savepoint' : 'savepoint'} failed: ${(error as Error).message}`);
      throw error;
    }
    // Transactions pre-committed for the savepoint are committed before the caller may stop the job.
    await this.notified;
    const path = this.savepointPaths.get(completed.checkpointId)!;
    this.savepointPaths.delete(completed.checkpointId);
    this.log.info(`savepoint ${completed.checkpointId} written to ${path}`, { checkpointId: completed.checkpointId, path, stop: options.stop === true, drain: options.drain === true });
    return path;
  }

  /** Releases the storage. */
  async close(): Promise<void> {
    this.stop('job terminated');
    await this.storage?.close().catch(() => {});
  }

  // ---- coordinator hooks ----

  private triggerTasks(id: number, timestamp: number, savepoint: boolean): void {
    const enumerators: Record<string, unknown> = {};
    for (const [vertex, enumerator] of this.job.enumerators()) enumerators[operatorUid(vertex.head)] = enumerator.snapshotState(id);
    this.enumeratorStates.set(id, enumerators);
    this.history.triggered(id, timestamp, savepoint);
    this.job.onEnumeratorsSnapshot?.(id);
    // Same turn as the enumerators' snapshot: a split assigned later reaches its reader after the barrier.
    const stop = savepoint ? this.stopNextSavepoint : undefined;
    const barrier = { kind: 'barrier' as const, checkpointId: id, timestamp, savepoint, ...(stop ? { stop: true } : {}), ...(stop?.drain ? { drain: true } : {}) };
    for (const tasks of this.job.tasks().values()) for (const task of tasks) this.checkpointerOf(task).trigger(barrier);
  }

  private async persist(checkpoint: CompletedCheckpoint): Promise<void> {
    const id = checkpoint.checkpointId;
    const operators: Record<string, number> = {};
    for (const vertex of this.job.graph.vertices) for (const node of vertex.nodes) operators[operatorUid(node)] = vertex.parallelism;
    const enumerators = this.enumeratorStates.get(id) ?? {};
    this.enumeratorStates.delete(id);
    await this.storage!.writeMetadata(id, { timestamp: checkpoint.timestamp, properties: { savepoint: checkpoint.savepoint, enumerators }, operators });
    let bytes = 0;
    for (const b of checkpoint.states.values()) bytes += b as number;
    this.lastCheckpointBytes = bytes;
    this.persisted.set(id, { durationMs: checkpoint.durationMs, bytes });
    if (checkpoint.savepoint) {
      const snapshot = await this.storage!.readCheckpoint(id);
      const path = await writeSavepoint(this.savepointDirectory ?? defaultSavepointDirectory(), snapshot);
      this.savepointPaths.set(id, path);
      this.persisted.set(id, { durationMs: checkpoint.durationMs, bytes, path });
      // The file is the savepoint; the storage's copy is not a retained checkpoint.
      await this.storage!.discard(id).catch(() => {});
    }
  }

  private notifyComplete(id: number): void {
    this.completedCount++;
    const written = this.persisted.get(id) ?? { durationMs: 0, bytes: 0 };
    this.persisted.delete(id);
    this.history.completedAt(id, written.durationMs, written.bytes, written.path);
    this.log.info(`${written.path !== undefined ? 'savepoint' : 'checkpoint'} ${id} completed in ${written.durationMs} ms (${written.bytes} bytes)`, {
      checkpointId: id, durationMs: written.durationMs, bytes: written.bytes,
    });
    // A savepoint is not kept in the storage: failovers restore the latest checkpoint, not it.
    if (this.coordinator?.latestCompleted?.checkpointId === id) {
      this.job.onCheckpointCompleted?.(id);
      if (this.recovered?.checkpointCompleted()) this.recovered = undefined;
    }
    this.notified = Promise.all([...this.checkpointers.values()].map((c) => c.notifyComplete(id)));
    this.finalRequested = false;
    queueMicrotask(() => this.requestFinalCheckpoint());
  }

  private notifyAborted(id: number, reason: string): void {
    this.abortedCount++;
    this.persisted.delete(id);
    this.history.failedAt(id, this.job.clock.now(), reason);
    // Checkpoints cut short because the attempt ends are expected; any other failure is worth a warning.
    if (this.active) this.log.warn(`checkpoint ${id} failed: ${reason}`, { checkpointId: id, reason });
    else this.log.info(`checkpoint ${id} aborted: ${reason}`, { checkpointId: id, reason });
    this.enumeratorStates.delete(id);
    for (const c of this.checkpointers.values()) c.notifyAborted(id);
    this.finalRequested = false;
    queueMicrotask(() => this.requestFinalCheckpoint());
  }

  /**
   * A subtask waits for a checkpoint after its end of input. Once every subtask of the attempt has
   * ended its input, the final checkpoint is taken now (unless one is in flight) instead of at the
   * next period. While others still run, the waiting ones wait for the next periodic checkpoint,
   * as in Flink: a checkpoint triggered whenever one parallel subtask ended (a source whose split
   * ran out first) would cut into the running rest of the job and cost every operator a snapshot
   * (a window operator would move its in-memory windows into keyed state mid-run).
   */
  private requestFinalCheckpoint(): void {
    if (!this.enabled || this.finalRequested || this.suspended > 0 || !this.coordinator || this.coordinator.pendingIds.length > 0) return;
    // The current attempt's subtasks only: a subtask of a failed attempt that was still opening
    // when the attempt ended can leave a checkpointer behind, and its input never ends.
    let waiting = false;
    for (const tasks of this.job.tasks().values()) {
      for (const task of tasks) {
        const c = this.checkpointers.get(task);
        if (c === undefined || !c.inputEnded) return;
        if (c.awaitingFinal) waiting = true;
      }
    }
    if (!waiting) return;
    this.finalRequested = true;
    this.coordinator.trigger(false).catch(() => { /* an abort requests the next one */ });
  }

  // ---- internals ----

  private checkpointerOf(task: StreamTask): SubtaskCheckpointer;
  private checkpointerOf(task: TaskHandle): SubtaskCheckpointHandle;
  private checkpointerOf(task: TaskHandle): SubtaskCheckpointHandle {
    let c = this.checkpointers.get(task);
    if (c === undefined) {
      const ck = this.config.checkpointing;
      const listener: SubtaskCheckpointListener = {
        acknowledge: (id, key, bytes) => {
          if (this.checkpointers.get(task) !== c) return;
          const at = this.locations.get(key);
          const alignment = (task as { alignmentDurationMs?(checkpointId: number): number | undefined }).alignmentDurationMs?.(id);
          if (at) this.history.acknowledged(id, at, this.job.clock.now(), bytes, alignment);
          this.coordinator!.acknowledge(id, key, bytes);
        },
        decline: (id, key, reason) => {
          if (this.checkpointers.get(task) !== c) return;
          this.log.warn(`checkpoint ${id} declined by subtask ${task.name}: ${reason}`, { checkpointId: id, subtask: task.name, reason });
          this.coordinator!.decline(id, key, reason);
        },
        awaitingFinalCheckpoint: () => queueMicrotask(() => this.requestFinalCheckpoint()),
      };
      if (task instanceof StreamTask) {
        c = new SubtaskCheckpointer(task, {
          backend: this.backend, storage: this.storage!, restore: this.restore,
          mode: alignmentModeOf(ck),
          listener,
        });
      } else {
        const remote = task as TaskHandle & Partial<RemoteCheckpointedTask>;
        if (!remote.createCheckpointHandle) throw new Error(`subtask ${task.name} cannot take part in checkpoints`);
        c = remote.createCheckpointHandle(listener);
      }
      this.checkpointers.set(task, c);
    }
    return c;
  }

  /** The attempt restores `this.restore`: the statistics say which checkpoint or savepoint. */
  private noteRestored(): void {
    const restore = this.restore;
    if (restore === undefined) return;
    const fromSavepoint = !this.restoredFromCheckpoint && this.restorePath !== undefined;
    this.history.restoredFrom(restore.checkpointId, this.job.clock.now(), fromSavepoint, fromSavepoint ? this.restorePath : undefined);
  }

  private subtaskKeys(): string[] {
    const keys: string[] = [];
    for (const vertex of this.job.graph.vertices) for (let i = 0; i < vertex.parallelism; i++) keys.push(subtaskKey(vertex.head.id, i));
    return keys;
  }

  /** Every operator of the savepoint that holds state must exist in the job (by uid). */
  private checkMatches(snapshot: CheckpointSnapshot, path: string): void {
    const uids = new Set<string>();
    for (const vertex of this.job.graph.vertices) for (const node of vertex.nodes) uids.add(operatorUid(node));
    for (const [uid, operator] of Object.entries(snapshot.operators)) {
      if (uids.has(uid)) continue;
      const hasState = Object.keys(operator.keyGroups).length > 0 ||
        Object.values(operator.subtasks).some((s) => Object.values(s.operatorState ?? {}).some((l) => l.length > 0) || Object.values(s.unionState ?? {}).some((l) => l.length > 0));
      if (hasState) {
        throw new Error(`savepoint ${path} holds state of operator "${uid}", which this job does not contain; ` +
          'give the operator the same uid() or execute with allowNonRestoredState: true');
      }
    }
  }
}
