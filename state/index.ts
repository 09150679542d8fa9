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
