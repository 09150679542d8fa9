// CheckpointCoordinator: the JobMaster's logic for periodic checkpoints and savepoints
// (Flink's CheckpointCoordinator). It decides when to trigger (interval, min pause, max
// concurrent), collects acknowledgements from every subtask, completes or aborts (timeout,
// decline), retains the latest N completed checkpoints, and fails the job after too many
// consecutive failures. Plain class, clock injected; the JobMaster actor wires the hooks to
// messages. Imports only the clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';

/** Checkpointing settings of a job. */
export interface CheckpointCoordinatorConfig {
  intervalMs: number;
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  /** Consecutive failed checkpoints tolerated before the job fails. */
  tolerableFailures: number;
  /** Completed checkpoints kept (older ones are discarded once subsumed). */
  retained: number;
}

/** Defaults as in Flink: 10 min timeout, no pause, 1 concurrent, no tolerated failure, retain 1. */
export const DEFAULT_CHECKPOINT_CONFIG: Omit<CheckpointCoordinatorConfig, 'intervalMs'> = {
  timeoutMs: 600_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 0, retained: 1,
};

/** A checkpoint every subtask acknowledged, with each subtask's state handle. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly states: ReadonlyMap<string, unknown>;
  readonly durationMs: number;
}

/** What the coordinator asks the job to do. */
export interface CoordinatorHooks {
  /** Make every source subtask snapshot its position and emit barrier `checkpointId`. */
  triggerSources(checkpointId: number, timestamp: number, savepoint: boolean): void;
  /** Durably write the completed checkpoint's metadata; its rejection fails the checkpoint. */
  persist(checkpoint: CompletedCheckpoint): Promise<void>;
  /** Tell every subtask that `checkpointId` completed (two-phase-commit sinks commit now). */
  notifyComplete(checkpointId: number): void;
  /** Tell subtasks that `checkpointId` was aborted (release alignment, abort transactions). */
  notifyAborted(checkpointId: number, reason: string): void;
  /** Drop a checkpoint that is no longer retained. */
  discard(checkpointId: number): void;
  /** Too many consecutive checkpoint failures: fail the job with this error. */
  failJob(error: Error): void;
}

/** How a pending checkpoint is named in failure reasons. */
function kindOf(p: { readonly savepoint: boolean }): string { return p.savepoint ? 'savepoint' : 'checkpoint'; }

interface Pending {
  readonly id: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly waiting: Set<string>;
  readonly states: Map<string, unknown>;
  readonly cancelTimeout: Cancel;
  readonly resolve: (c: CompletedCheckpoint) => void;
  readonly reject: (e: Error) => void;
}

/** Triggers, tracks and completes the checkpoints of one job. */
export class CheckpointCoordinator {
  private nextId: number;
  private readonly pending = new Map<number, Pending>();
  private readonly completed: CompletedCheckpoint[] = [];
  private consecutiveFailures = 0;
  private lastCompletionTime = -Infinity;
  private cancelTimer: Cancel | undefined;
  private running = false;

  constructor(
    private readonly config: CheckpointCoordinatorConfig,
    private readonly subtasks: readonly string[],
    private readonly clock: Clock,
    private readonly hooks: CoordinatorHooks,
    /** Ids continue after a restored checkpoint so they stay unique per job. */
    firstCheckpointId = 1,
  ) {
    this.nextId = firstCheckpointId;
  }

  /** The newest completed checkpoint, if any. */
  get latestCompleted(): CompletedCheckpoint | undefined { return this.completed[this.completed.length - 1]; }

  /** Ids of checkpoints in flight. */
  get pendingIds(): number[] { return [...this.pending.keys()]; }

  /** Starts periodic checkpoints. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleNext(this.config.intervalMs);
  }

  /** Stops periodic checkpoints and aborts those in flight. */
  stop(reason = 'checkpoint coordinator stopped'): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const p of [...this.pending.values()]) this.abort(p, reason, false);
  }

  /** Triggers a checkpoint (or savepoint) now, regardless of the periodic schedule. */
  trigger(savepoint = false): Promise<CompletedCheckpoint> {
    const id = this.nextId++;
    const timestamp = this.clock.now();
    return new Promise<CompletedCheckpoint>((resolve, reject) => {
      // Savepoints expire like checkpoints (Flink): one that cannot complete fails with the reason.
      const cancelTimeout = this.clock.schedule(this.config.timeoutMs, () => {
        const p = this.pending.get(id);
        if (p) this.abort(p, `${kindOf(p)} ${id} expired after ${this.config.timeoutMs} ms (the checkpoint timeout) before every subtask acknowledged it`, true);
      });
      this.pending.set(id, { id, timestamp, savepoint, waiting: new Set(this.subtasks), states: new Map(), cancelTimeout, resolve, reject });
      this.hooks.triggerSources(id, timestamp, savepoint);
    });
  }

  /** Subtask `subtask` snapshotted its state for `checkpointId`. Late or unknown acks are ignored. */
  acknowledge(checkpointId: number, subtask: string, state: unknown): void {
    const p = this.pending.get(checkpointId);
    if (!p || !p.waiting.delete(subtask)) return;
    p.states.set(subtask, state);
    if (p.waiting.size === 0) void this.complete(p);
  }

  /** Subtask `subtask` could not take checkpoint `checkpointId`. */
  decline(checkpointId: number, subtask: string, reason: string): void {
    const p = this.pending.get(checkpointId);
    if (p) this.abort(p, `${kindOf(p)} ${checkpointId} declined by ${subtask}: ${reason}`, true);
  }

  private async complete(p: Pending): Promise<void> {
    p.cancelTimeout();
    const checkpoint: CompletedCheckpoint = {
      checkpointId: p.id, timestamp: p.timestamp, savepoint: p.savepoint, states: p.states,
      durationMs: this.clock.now() - p.timestamp,
    };
    try {
      await this.hooks.persist(checkpoint);
    } catch (e) {
      this.abort(p, `${kindOf(p)} ${p.id} could not be written: ${(e as Error).message}`, true);
      return;
    }
    if (!this.pending.delete(p.id)) return; // aborted while persisting
    this.consecutiveFailures = 0;
    this.lastCompletionTime = this.clock.now();
    // Checkpoints older than this one can no longer complete usefully.
    for (const older of [...this.pending.values()]) {
      if (older.id < p.id && !older.savepoint) this.abort(older, `subsumed by checkpoint ${p.id}`, false);
    }
    if (!p.savepoint) {
      this.completed.push(checkpoint);
      while (this.completed.length > this.config.retained) this.hooks.discard(this.completed.shift()!.checkpointId);
    }
    this.hooks.notifyComplete(p.id);
    p.resolve(checkpoint);
    if (this.running && !this.cancelTimer) this.scheduleNext(Math.max(this.config.minPauseMs, 0));
  }

  private abort(p: Pending, reason: string, countsAsFailure: boolean): void {
    if (!this.pending.delete(p.id)) return;
    p.cancelTimeout();
    this.hooks.notifyAborted(p.id, reason);
    p.reject(new Error(reason));
    if (countsAsFailure && !p.savepoint && ++this.consecutiveFailures > this.config.tolerableFailures) {
      this.hooks.failJob(new Error(`exceeded the tolerable checkpoint failure number (${this.config.tolerableFailures}); last: ${reason}`));
      this.stop('job failing');
      return;
    }
    if (this.running && !this.cancelTimer) this.scheduleNext(this.config.minPauseMs);
  }

  private scheduleNext(delayMs: number): void {
    this.cancelTimer = this.clock.schedule(delayMs, () => {
      this.cancelTimer = undefined;
      if (!this.running) return;
      const sinceLast = this.clock.now() - this.lastCompletionTime;
      if (this.pending.size >= this.config.maxConcurrent) return; // completion or abort reschedules
      if (sinceLast < this.config.minPauseMs) { this.scheduleNext(this.config.minPauseMs - sinceLast); return; }
      this.trigger(false).catch(() => { /* reported through hooks */ });
      this.scheduleNext(this.config.intervalMs);
    });
  }
}
