// CheckpointHistory: a job's checkpoint statistics in the shape of Flink's GET
// /jobs/:jid/checkpoints — counts, a summary (min/max/avg over every completed checkpoint), the
// latest completed, savepoint, failed and restored checkpoint, and the history of the newest ones
// (10, Flink's web.checkpoints.history), each with its trigger time, duration, size, alignment
// time and, per vertex, every subtask's acknowledgement (time, size, alignment). JobCheckpointing
// feeds it from the coordinator's events. Plain class; times are epoch ms from the job's clock.
// Flink's `alignment_buffered` is not given: an aligning subtask buffers nothing (it stops reading
// the channels whose barrier arrived, and their data waits in the channel under credit-based flow
// control, as in Flink since 1.11), and the channels do not count the records they hold, so the
// figure was a constant 0 that looked like a measurement.
// Imports nothing.

/** One subtask's acknowledgement of a checkpoint. */
export interface SubtaskCheckpointAck {
  index: number;
  status: 'completed' | 'pending_or_failed';
  ack_timestamp?: number;
  end_to_end_duration?: number;
  state_size?: number;
  alignment?: { duration: number };
}

/** One vertex's part of a checkpoint. */
export interface TaskCheckpointStats {
  id: string;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  latest_ack_timestamp: number;
  state_size: number;
  end_to_end_duration: number;
  /** The longest alignment of its subtasks (ms). */
  alignment_duration: number;
  subtasks: SubtaskCheckpointAck[];
}

/** One checkpoint of the history (Flink's CheckpointStatistics, with per-vertex details). */
export interface CheckpointEntry {
  '@class': 'completed' | 'failed' | 'in_progress';
  id: number;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  is_savepoint: boolean;
  checkpoint_type: 'CHECKPOINT' | 'SAVEPOINT';
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  state_size: number;
  checkpointed_size: number;
  end_to_end_duration: number;
  /** The longest alignment of any subtask (ms). */
  alignment_duration: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
  external_path?: string;
  failure_timestamp?: number;
  failure_message?: string;
  tasks: Record<string, TaskCheckpointStats>;
}

/** Min, max and average of one statistic over the completed checkpoints. */
export interface MinMaxAvg { min: number; max: number; avg: number }

/** The checkpoint that an attempt restored. */
export interface RestoredCheckpoint { id: number; restore_timestamp: number; is_savepoint: boolean; external_path?: string }

/** The whole of GET /jobs/:jid/checkpoints. */
export interface CheckpointHistorySnapshot {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary: { state_size: MinMaxAvg; checkpointed_size: MinMaxAvg; end_to_end_duration: MinMaxAvg; alignment_duration: MinMaxAvg };
  latest: { completed: CheckpointEntry | null; savepoint: CheckpointEntry | null; failed: CheckpointEntry | null; restored: RestoredCheckpoint | null };
  history: CheckpointEntry[];
}

/** Where a subtask sits: its vertex's id and its index. */
export interface SubtaskLocation { readonly vertexId: string; readonly index: number }

class Stat {
  private n = 0; private sum = 0; private lo = Infinity; private hi = -Infinity;
  add(v: number): void { this.n++; this.sum += v; if (v < this.lo) this.lo = v; if (v > this.hi) this.hi = v; }
  get(): MinMaxAvg { return this.n === 0 ? { min: 0, max: 0, avg: 0 } : { min: this.lo, max: this.hi, avg: this.sum / this.n }; }
}

/** A job's checkpoint statistics. */
export class CheckpointHistory {
  private readonly entries: CheckpointEntry[] = [];
  private readonly byId = new Map<number, CheckpointEntry>();
  private completed = 0;
  private failed = 0;
  private restored = 0;
  private readonly sizes = new Stat();
  private readonly durations = new Stat();
  private readonly alignments = new Stat();
  private latestCompleted: CheckpointEntry | null = null;
  private latestSavepoint: CheckpointEntry | null = null;
  private latestFailed: CheckpointEntry | null = null;
  private latestRestored: RestoredCheckpoint | null = null;

  /** `vertices`: each vertex's id and parallelism (its subtasks acknowledge every checkpoint). */
  constructor(private readonly vertices: ReadonlyArray<{ readonly id: string; readonly parallelism: number }>, private readonly size = 10) {}

  /** Checkpoint (or savepoint) `id` was triggered at `timestamp`. */
  triggered(id: number, timestamp: number, savepoint: boolean): void {
    const tasks: Record<string, TaskCheckpointStats> = {};
    let numSubtasks = 0;
    for (const v of this.vertices) {
      numSubtasks += v.parallelism;
      tasks[v.id] = {
        id: v.id, num_subtasks: v.parallelism, num_acknowledged_subtasks: 0, latest_ack_timestamp: -1, state_size: 0,
        end_to_end_duration: 0, alignment_duration: 0,
        subtasks: Array.from({ length: v.parallelism }, (_, index) => ({ index, status: 'pending_or_failed' as const })),
      };
    }
    const entry: CheckpointEntry = {
      '@class': 'in_progress', id, status: 'IN_PROGRESS', is_savepoint: savepoint, checkpoint_type: savepoint ? 'SAVEPOINT' : 'CHECKPOINT',
      trigger_timestamp: timestamp, latest_ack_timestamp: -1, state_size: 0, checkpointed_size: 0, end_to_end_duration: 0,
      alignment_duration: 0, num_subtasks: numSubtasks, num_acknowledged_subtasks: 0, tasks,
    };
    this.entries.unshift(entry);
    this.byId.set(id, entry);
    while (this.entries.length > this.size) {
      const old = this.entries.pop()!;
      // An old one still in flight stays reachable until it ends.
      if (old.status !== 'IN_PROGRESS') this.byId.delete(old.id);
    }
  }

  /** Subtask `at` acknowledged checkpoint `id` at `timestamp` with `bytes` of state, after aligning for `alignmentMs`. */
  acknowledged(id: number, at: SubtaskLocation, timestamp: number, bytes: number, alignmentMs?: number): void {
    const entry = this.byId.get(id);
    const task = entry?.tasks[at.vertexId];
    const subtask = task?.subtasks[at.index];
    if (!entry || !task || !subtask || subtask.status === 'completed') return;
    const duration = Math.max(0, timestamp - entry.trigger_timestamp);
    Object.assign(subtask, { status: 'completed', ack_timestamp: timestamp, end_to_end_duration: duration, state_size: bytes, ...(alignmentMs !== undefined ? { alignment: { duration: alignmentMs } } : {}) });
    task.num_acknowledged_subtasks++;
    task.latest_ack_timestamp = Math.max(task.latest_ack_timestamp, timestamp);
    task.state_size += bytes;
    task.end_to_end_duration = Math.max(task.end_to_end_duration, duration);
    if (alignmentMs !== undefined) task.alignment_duration = Math.max(task.alignment_duration, alignmentMs);
    entry.num_acknowledged_subtasks++;
    entry.latest_ack_timestamp = Math.max(entry.latest_ack_timestamp, timestamp);
    entry.state_size += bytes;
    entry.checkpointed_size = entry.state_size;
    entry.alignment_duration = Math.max(entry.alignment_duration, task.alignment_duration);
  }

  /** Checkpoint `id` completed, `durationMs` after its trigger, with `bytes` of state (a savepoint: written to `path`). */
  completedAt(id: number, durationMs: number, bytes: number, path?: string): void {
    const entry = this.byId.get(id);
    this.completed++;
    this.sizes.add(bytes);
    this.durations.add(durationMs);
    if (!entry) return;
    Object.assign(entry, { '@class': 'completed', status: 'COMPLETED', end_to_end_duration: durationMs, state_size: bytes, checkpointed_size: bytes });
    if (path !== undefined) entry.external_path = path;
    this.alignments.add(entry.alignment_duration);
    if (entry.is_savepoint) this.latestSavepoint = entry; else this.latestCompleted = entry;
    if (!this.entries.includes(entry)) this.byId.delete(id);
  }

  /** Checkpoint `id` failed at `timestamp` because of `reason`. */
  failedAt(id: number, timestamp: number, reason: string): void {
    const entry = this.byId.get(id);
    this.failed++;
    if (!entry) return;
    Object.assign(entry, { '@class': 'failed', status: 'FAILED', failure_timestamp: timestamp, failure_message: reason, end_to_end_duration: Math.max(0, timestamp - entry.trigger_timestamp) });
    this.latestFailed = entry;
    if (!this.entries.includes(entry)) this.byId.delete(id);
  }

  /** An attempt restored checkpoint `id` (or the savepoint at `path`) at `timestamp`. */
  restoredFrom(id: number, timestamp: number, savepoint: boolean, path?: string): void {
    this.restored++;
    this.latestRestored = { id, restore_timestamp: timestamp, is_savepoint: savepoint, ...(path !== undefined ? { external_path: path } : {}) };
  }

  /** One checkpoint of the history, if it is still kept. */
  entry(id: number): CheckpointEntry | undefined { return this.byId.get(id); }

  /** Everything, as GET /jobs/:jid/checkpoints answers (a copy). */
  snapshot(): CheckpointHistorySnapshot {
    // Checkpoints still in flight count also when newer ones pushed them out of the history.
    let inProgress = 0;
    for (const e of this.byId.values()) if (e.status === 'IN_PROGRESS') inProgress++;
    return structuredClone({
      counts: { restored: this.restored, total: this.completed + this.failed + inProgress, in_progress: inProgress, completed: this.completed, failed: this.failed },
      summary: {
        state_size: this.sizes.get(), checkpointed_size: this.sizes.get(), end_to_end_duration: this.durations.get(),
        alignment_duration: this.alignments.get(),
      },
      latest: { completed: this.latestCompleted, savepoint: this.latestSavepoint, failed: this.latestFailed, restored: this.latestRestored },
      history: this.entries,
    });
  }
}
