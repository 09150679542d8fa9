// StateBackend: how a job keeps keyed state (Flink's StateBackend + CheckpointStorage choice).
// 'memory' keeps checkpoints in process memory and snapshots keyed state in full; 'kv' keeps them in
// a Deno KV database and checkpoints keyed state incrementally. Working state is on the heap in both.
// Imports only state/; never api/ or actors/.
import { HeapKeyedStateBackend, type HeapKeyedStateBackendOptions } from '../heap/heap-keyed-state-backend.ts';
import type { CheckpointStorage } from '../checkpoint/checkpoint-storage.ts';
import { KvCheckpointStorage, MemoryCheckpointStorage } from '../checkpoint/kv-checkpoint-storage.ts';
import { snapshotSubtask, type SubtaskParts, type SubtaskSnapshot } from './subtask-snapshot.ts';

/** Where a job's checkpoints go: a KV file path or KV Connect URL (kv), ignored by memory. */
export interface CheckpointStorageOptions {
  readonly jobId: string;
  readonly path?: string;
  /** The JobManager leadership whose keys the storage writes (default 0: no high availability). */
  readonly epoch?: number;
}

/** A state backend: keyed backends per subtask, checkpoint storage per job, snapshot policy. */
export interface StateBackend {
  readonly name: string;
  /** Whether subtasks send keyed state as changes since their previous checkpoint. */
  readonly incremental: boolean;
  /** A keyed backend for one subtask. */
  createKeyedStateBackend(options: HeapKeyedStateBackendOptions): HeapKeyedStateBackend;
  /** The checkpoint storage of one job. */
  createCheckpointStorage(options: CheckpointStorageOptions): Promise<CheckpointStorage>;
  /** The synchronous part of a subtask's snapshot for `checkpointId`, in this backend's policy. */
  snapshotSubtask(checkpointId: number, parts: SubtaskParts): SubtaskSnapshot;
}

/** Options of the kv backend. */
export interface KvStateBackendOptions {
  /** After this many incremental checkpoints in a row a full one bounds restore work (default 32). */
  readonly maxChainLength?: number;
}

/** The memory backend: full snapshots, checkpoints in process memory. */
export function memoryStateBackend(): StateBackend {
  return {
    name: 'memory',
    incremental: false,
    createKeyedStateBackend: (options) => new HeapKeyedStateBackend(options),
    createCheckpointStorage: async ({ jobId, epoch }) => new MemoryCheckpointStorage(jobId).atEpoch(epoch ?? 0),
    snapshotSubtask: (checkpointId, parts) => snapshotSubtask(checkpointId, parts, { incremental: false }),
  };
}

/** The kv backend: incremental snapshots into a Deno KV database (in memory when no path). */
export function kvStateBackend(options: KvStateBackendOptions = {}): StateBackend {
  const maxChainLength = options.maxChainLength ?? 32;
  return {
    name: 'kv',
    incremental: true,
    createKeyedStateBackend: (o) => new HeapKeyedStateBackend(o),
    createCheckpointStorage: ({ jobId, path, epoch }) => KvCheckpointStorage.open(jobId, path, epoch),
    snapshotSubtask: (checkpointId, parts) => snapshotSubtask(checkpointId, parts, { incremental: true, maxChainLength }),
  };
}

/** The state backend a name (`env.setStateBackend('memory' | 'kv')`) or object selects. */
export function createStateBackend(backend: 'memory' | 'kv' | StateBackend): StateBackend {
  if (typeof backend === 'object') return backend;
  if (backend === 'memory') return memoryStateBackend();
  if (backend === 'kv') return kvStateBackend();
  throw new Error(`unknown state backend "${String(backend)}": use 'memory', 'kv' or a StateBackend object`);
}
