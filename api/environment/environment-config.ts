// EnvironmentConfig (how the embedded mini cluster is shaped and how the data plane behaves),
// ExecutionConfig (env.getConfig()) and CheckpointConfig (env.getCheckpointConfig()). The
// checkpoint and restart settings are stored here for the fault-tolerance work. Imports api/ only.
import { systemClock, type Clock } from '../time/clock.ts';

/** What getExecutionEnvironment(config) accepts. */
export interface EnvironmentConfig {
  /** TaskManagers of the embedded mini cluster (default 1). */
  taskManagers: number;
  /** Slots per TaskManager; undefined: as many as the job needs (Flink's local environment). */
  slotsPerTaskManager: number | undefined;
  /** Processing time for timers, buffer timeouts, rates; tests inject a ManualClock. */
  clock: Clock;
  /** A partly filled batch is flushed at the latest this long after its first record (default 100). */
  bufferTimeoutMs: number;
  /** A job that cannot get its slots fails after this long (default 10,000). */
  slotRequestTimeoutMs: number;
  /** Records per network batch (default 1024). */
  batchSize: number;
  /** Batches a receiver buffers per channel: the credits it grants (default 4). */
  channelCredits: number;
  /** Which registered executor runs jobs (default 'embedded'). */
  executor: string;
}

/** The defaults of EnvironmentConfig. */
export function defaultEnvironmentConfig(): EnvironmentConfig {
  return {
    taskManagers: 1, slotsPerTaskManager: undefined, clock: systemClock, bufferTimeoutMs: 100,
    slotRequestTimeoutMs: 10_000, batchSize: 1024, channelCredits: 4, executor: 'embedded',
  };
}

/** env.getConfig(): execution settings. */
export class ExecutionConfig {
  private autoWatermarkIntervalMs = 200;
  /** Interval of periodic watermark emission (0 disables it). */
  setAutoWatermarkInterval(ms: number): this {
    if (!(ms >= 0)) throw new RangeError(`auto watermark interval must be >= 0, got ${ms}`);
    this.autoWatermarkIntervalMs = ms;
    return this;
  }
  getAutoWatermarkInterval(): number { return this.autoWatermarkIntervalMs; }

  private batchMemoryBytes = DEFAULT_BATCH_MEMORY_BYTES;
  /**
   * Batch mode: the memory a sorting keyed operator subtask, and a stage's blocking output, hold
   * before they spill to local temp files (default 64 MiB; estimated from the records' sizes).
   */
  setBatchMemoryBytes(bytes: number): this {
    if (!(Number.isFinite(bytes) && bytes >= 1)) throw new RangeError(`batch memory must be a positive number of bytes, got ${bytes}`);
    this.batchMemoryBytes = bytes;
    return this;
  }
  getBatchMemoryBytes(): number { return this.batchMemoryBytes; }
}

/** The default of ExecutionConfig.setBatchMemoryBytes: 64 MiB. */
export const DEFAULT_BATCH_MEMORY_BYTES = 64 * 1024 * 1024;

/** Checkpointing mode. */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

/** env.getCheckpointConfig(): checkpoint settings (used by the checkpoint coordinator). */
export class CheckpointConfig {
  intervalMs = -1;
  mode: CheckpointingMode = 'exactly-once';
  timeoutMs = 600_000;
  minPauseMs = 0;
  maxConcurrent = 1;
  tolerableFailures = 0;
  unaligned = false;
  /** Completed checkpoints kept for recovery (Flink's state.checkpoints.num-retained, default 1). */
  retainedCheckpoints = 1;
  setCheckpointTimeout(ms: number): this { this.timeoutMs = ms; return this; }
  setMinPauseBetweenCheckpoints(ms: number): this { this.minPauseMs = ms; return this; }
  setMaxConcurrentCheckpoints(n: number): this { this.maxConcurrent = n; return this; }
  setTolerableCheckpointFailureNumber(n: number): this { this.tolerableFailures = n; return this; }
  enableUnalignedCheckpoints(on = true): this { this.unaligned = on; return this; }
  /** Keeps the latest `n` completed checkpoints (recovery falls back past a corrupt one). */
  setNumRetainedCheckpoints(n: number): this {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`retained checkpoints must be a positive integer, got ${n}`);
    this.retainedCheckpoints = n;
    return this;
  }
  isCheckpointingEnabled(): boolean { return this.intervalMs > 0; }
}
