// CheckpointStorage: where subtasks write their snapshots and the coordinator completes
// checkpoints (Flink's CheckpointStorage plus CompletedCheckpointStore). Implementations: in memory,
// and KV-backed with incremental keyed state. Imports only state/; never api/ or actors/.
import type { KeyGroupRange } from '../key-groups.ts';
import type { CheckpointSnapshot } from '../snapshot/checkpoint-snapshot.ts';
import type { SubtaskSnapshot, SubtaskWriteResult } from '../snapshot/subtask-snapshot.ts';

/** What the coordinator records when every subtask has acknowledged. */
export interface CheckpointMetadataInput {
  readonly timestamp: number;
  /** Free-form properties kept with the checkpoint (savepoint flag, enumerator state, ...). */
  readonly properties?: Record<string, unknown>;
  /** Expected parallelism per operator uid: completion fails unless every subtask wrote. */
  readonly operators?: Record<string, number>;
}

/** Which part of a checkpoint to read (a restoring subtask needs only its key groups). */
export interface ReadFilter {
  readonly operatorUid?: string;
  readonly keyGroupRange?: KeyGroupRange;
}

/** How a checkpoint is discarded. */
export interface DiscardOptions {
  /**
   * The storage's epoch is superseded: a newer JobManager leadership took the job over, so no
   * checkpoint of this epoch completes any more and no subtask builds on one that was aborted.
   * Its data goes even though no newer checkpoint of the epoch completed.
   */
  readonly superseded?: boolean;
}

/** Durable home of one job's checkpoints. */
export interface CheckpointStorage {
  readonly jobId: string;
  /**
   * The JobManager leadership whose keys this storage writes (absent or 0 without high
   * availability): storages of different epochs never write or delete each other's keys.
   */
  readonly epoch?: number;
  /** The same storage, reading and writing the keys of leadership `epoch` (absent: epochs unsupported). */
  atEpoch?(epoch: number): CheckpointStorage;
  /** Persists one subtask's snapshot for `checkpointId` (not yet a completed checkpoint). */
  writeSubtaskState(checkpointId: number, state: SubtaskSnapshot): Promise<SubtaskWriteResult>;
  /** Completes `checkpointId`: from now on it is restorable and listed. */
  writeMetadata(checkpointId: number, metadata: CheckpointMetadataInput): Promise<void>;
  /** The newest completed checkpoint, or undefined when there is none. */
  readLatestCompleted(options?: { fallbackOnCorruption?: boolean }): Promise<CheckpointSnapshot | undefined>;
  /** A completed checkpoint, reconstructed in full (or the filtered part). */
  readCheckpoint(checkpointId: number, filter?: ReadFilter): Promise<CheckpointSnapshot>;
  /** Removes a checkpoint (completed, or aborted) without breaking later ones built on it. */
  discard(checkpointId: number, options?: DiscardOptions): Promise<void>;
  /** Ids of completed checkpoints, ascending. */
  list(): Promise<number[]>;
  /** Releases resources (the KV handle). */
  close(): Promise<void>;
}

/** A checkpoint that does not exist (never completed, or discarded). */
export class CheckpointNotFoundError extends Error {
  constructor(readonly jobId: string, readonly checkpointId: number) {
    super(`checkpoint ${checkpointId} of job ${jobId} does not exist (never completed, or discarded)`);
    this.name = 'CheckpointNotFoundError';
  }
}

/** A checkpoint whose data is incomplete or unreadable: restore from an earlier one. */
export class CheckpointCorruptedError extends Error {
  constructor(readonly jobId: string, readonly checkpointId: number, detail: string) {
    super(`checkpoint ${checkpointId} of job ${jobId} is corrupt or incomplete: ${detail}; restore from an earlier checkpoint`);
    this.name = 'CheckpointCorruptedError';
  }
}

/**
 * Reads the newest completed checkpoint, optionally falling back past corrupt ones. One that was
 * listed but is gone when read (discarded meanwhile, or listed under a damaged key) is always
 * passed over, as the high-availability store passes over accepted ids whose data was discarded.
 */
export async function readLatest(
  storage: CheckpointStorage, options?: { fallbackOnCorruption?: boolean },
): Promise<CheckpointSnapshot | undefined> {
  const ids = await storage.list();
  for (let i = ids.length - 1; i >= 0; i--) {
    try {
      return await storage.readCheckpoint(ids[i]);
    } catch (error) {
      if (error instanceof CheckpointNotFoundError) continue;
      if (!options?.fallbackOnCorruption || !(error instanceof CheckpointCorruptedError)) throw error;
    }
  }
  return undefined;
}
