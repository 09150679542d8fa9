// The public state API: key groups, descriptors and state interfaces, the keyed state backend and
// timer service contracts with their heap implementations, snapshots and checkpoint storage.
// Imports nothing from api/ or actors/.
export * from './key-groups.ts';
export * from './state-descriptors.ts';
export * from './keyed-state-backend.ts';
export * from './timer-service.ts';
export { HeapKeyedStateBackend } from './heap/heap-keyed-state-backend.ts';
export type { HeapKeyedStateBackendOptions, IncrementalKeyedSnapshot, KeyedStateDeletions } from './heap/heap-keyed-state-backend.ts';
export { HeapTimerService } from './heap/heap-timer-service.ts';
export type { TimersSnapshot } from './heap/heap-timer-service.ts';
export * from './snapshot/checkpoint-snapshot.ts';
export * from './snapshot/subtask-snapshot.ts';
export * from './snapshot/key-group-delta.ts';
export * from './snapshot/restore-subtask.ts';
export * from './snapshot/state-backend.ts';
export * from './checkpoint/checkpoint-storage.ts';
export { KvCheckpointStorage, MemoryCheckpointStorage } from './checkpoint/kv-checkpoint-storage.ts';
export { MemoryKvStore } from './checkpoint/memory-kv-store.ts';
export * from './snapshot/savepoint-file.ts';
