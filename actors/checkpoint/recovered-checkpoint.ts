// RecoveredCheckpoint: the checkpoint a new JobManager leader recovered a job from (high
// availability), held in the storage keys of the older leadership's epoch that wrote it. The
// CheckpointCoordinator subsumes only the checkpoints it completed itself, so this one is subsumed
// here, as Flink's CompletedCheckpointStore subsumes the checkpoints it recovered: once the new
// leadership has completed `retained` checkpoints of its own (savepoints do not count), it is
// discarded from its epoch's keys. Only a newer epoch discards an older one's checkpoint; a
// leadership's own discards never reach another epoch's keys (actors/ha/checkpoint-fence.ts).
// Nothing the new leadership writes builds on it: a restored subtask starts a new incremental
// chain, and a chain never crosses epochs (state/checkpoint/kv-checkpoint-storage.ts).
// Imports only state/.
import type { CheckpointStorage } from '../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';

/** A checkpoint of an older leadership that the new one recovered from, discarded once subsumed. */
export class RecoveredCheckpoint {
  /**
   * The checkpoint `snapshot` that `storage` (the new leadership's) recovered, to be subsumed by
   * `retained` checkpoints of its own; undefined unless an older epoch than the storage's wrote it.
   */
  static of(storage: CheckpointStorage, snapshot: CheckpointSnapshot, retained: number): RecoveredCheckpoint | undefined {
    const epoch = snapshot.epoch ?? 0;
    if (storage.atEpoch === undefined || epoch >= (storage.epoch ?? 0)) return undefined;
    return new RecoveredCheckpoint(storage.atEpoch(epoch), snapshot.checkpointId, retained);
  }

  private constructor(
    /** The storage of the epoch that wrote the checkpoint. */
    private readonly storage: CheckpointStorage,
    readonly checkpointId: number,
    /** Checkpoints of the new leadership still to complete before this one is subsumed. */
    private remaining: number,
  ) {}

  /**
   * A checkpoint (not a savepoint) of the new leadership completed. Returns true once this one is
   * subsumed: its discard has started (a failed discard leaves a harmless leftover).
   */
  checkpointCompleted(): boolean {
    if (--this.remaining > 0) return false;
    void this.storage.discard(this.checkpointId, { superseded: true }).catch(() => { /* a leftover is harmless */ });
    return true;
  }
}
