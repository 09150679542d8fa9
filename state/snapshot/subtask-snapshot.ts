// SubtaskSnapshot: what one operator subtask hands to checkpoint storage at a barrier, and the
// helper that takes it: the synchronous copy happens at once, the write continues asynchronously
// while records flow. Incremental keyed snapshots name the checkpoint they build on.
// Imports only state/; never api/ or actors/.
import type { KeyGroupRange } from '../key-groups.ts';
import type { KeyedStateSnapshot } from '../keyed-state-backend.ts';
import type { HeapKeyedStateBackend, IncrementalKeyedSnapshot } from '../heap/heap-keyed-state-backend.ts';
import type { TimersSnapshot } from '../heap/heap-timer-service.ts';
import type { InternalTimerService } from '../timer-service.ts';
import type { SubtaskOperatorState } from './checkpoint-snapshot.ts';

/** Keyed state changes since `baseCheckpointId` (absent when the changes are the full state). */
export interface IncrementalKeyedState {
  readonly baseCheckpointId?: number;
  readonly snapshot: IncrementalKeyedSnapshot;
}

/** The state of one operator subtask at one checkpoint. */
export interface SubtaskSnapshot extends SubtaskOperatorState {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The key groups this subtask owns (keyed operators). */
  readonly keyGroupRange?: KeyGroupRange;
  /** Full keyed state (memory backend, savepoints). */
  readonly keyed?: KeyedStateSnapshot;
  /** Keyed state as changes (kv backend); exclusive with `keyed`. */
  readonly incremental?: IncrementalKeyedState;
  /** Per timer service name. */
  readonly timers?: Record<string, TimersSnapshot>;
}

/** What a storage reports about one subtask write. */
export interface SubtaskWriteResult {
  /** Keyed entries (writes and deletions) written. */
  readonly entries: number;
  /** Bytes of encoded state written. */
  readonly bytes: number;
}

/** The parts of one subtask a snapshot is taken of. */
export interface SubtaskParts extends SubtaskOperatorState {
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Defaults to the keyed backend's, or 128 for non-keyed operators. */
  readonly maxParallelism?: number;
  readonly keyed?: HeapKeyedStateBackend;
  readonly timers?: Record<string, InternalTimerService>;
}

interface Chain { lastCheckpointId: number; length: number }

/** Per keyed backend: the checkpoint its last incremental snapshot went to, and the chain length. */
const chains = new WeakMap<HeapKeyedStateBackend, Chain>();

/**
 * Takes the synchronous part of a subtask snapshot for checkpoint `checkpointId`. With
 * `incremental`, keyed state is the change set since this backend's previous incremental snapshot;
 * a chain longer than `maxChainLength` is cut by a full snapshot, bounding restore work.
 */
export function snapshotSubtask(
  checkpointId: number, parts: SubtaskParts, options: { incremental: boolean; maxChainLength?: number } = { incremental: false },
): SubtaskSnapshot {
  const backend = parts.keyed;
  const timers: Record<string, TimersSnapshot> = {};
  for (const [name, service] of Object.entries(parts.timers ?? {})) timers[name] = service.snapshot();
  const base: Omit<SubtaskSnapshot, 'keyed' | 'incremental'> = {
    operatorUid: parts.operatorUid,
    subtaskIndex: parts.subtaskIndex,
    parallelism: parts.parallelism,
    maxParallelism: backend?.maxParallelism ?? parts.maxParallelism ?? 128,
    keyGroupRange: backend?.keyGroupRange,
    timers,
    operatorState: parts.operatorState,
    unionState: parts.unionState,
  };
  if (backend === undefined) return base;
  if (!options.incremental) return { ...base, keyed: backend.snapshot() };
  const chain = chains.get(backend);
  if (chain !== undefined && chain.length >= (options.maxChainLength ?? Infinity)) backend.resetIncrementalBase();
  const snapshot = backend.snapshotIncremental();
  const baseCheckpointId = snapshot.full ? undefined : chain?.lastCheckpointId;
  if (!snapshot.full && baseCheckpointId === undefined) {
    // Changes without a known base cannot be restored: start a new chain.
    backend.resetIncrementalBase();
    return snapshotSubtask(checkpointId, parts, options);
  }
  chains.set(backend, { lastCheckpointId: checkpointId, length: snapshot.full ? 1 : chain!.length + 1 });
  return { ...base, incremental: { baseCheckpointId, snapshot } };
}

/**
 * Call when writing the snapshot of `backend` failed or its checkpoint was aborted before the
 * write: the next incremental snapshot starts a new chain instead of building on lost changes.
 */
export function abortIncrementalChain(backend: HeapKeyedStateBackend): void {
  chains.delete(backend);
  backend.resetIncrementalBase();
}
