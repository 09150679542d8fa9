// The keyed state backend contract: working state partitioned by key group, accessed
// synchronously for the current key (and namespace). Implementations: the heap backend
// (memory), and the kv backend that checkpoints the same working state into Deno KV.
// Imports nothing from api/ or actors/.
import type { Key, KeyGroupRange } from './key-groups.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState,
  MapStateDescriptor, ReducingState, ReducingStateDescriptor, ValueState, ValueStateDescriptor,
} from './state-descriptors.ts';

/** A namespace separates state of one key, e.g. per window. Primitive so it can be a Map key. */
export type Namespace = string | number;

/** The namespace of state that has none (plain keyed state). */
export const VOID_NAMESPACE: Namespace = '';

/** Internal view of a keyed state: the user-facing API plus namespace control. */
export interface InternalKvState {
  /** Subsequent reads and writes address this namespace of the current key. */
  setCurrentNamespace(namespace: Namespace): void;
}

/** Merging states (list, reducing, aggregating) fold source namespaces into a target (session windows). */
export interface InternalMergingState extends InternalKvState {
  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void;
  /** Folds a partial value combined elsewhere (accumulator, reduced value, list) into the current namespace. */
  addPartial(partial: unknown): void;
  /** Replaces the current namespace's contents with a partial value combined elsewhere (a copy kept current from outside). */
  setPartial(partial: unknown): void;
}

/** A snapshot of the state of some key groups: plain msgpack-encodable data. */
export interface KeyedStateSnapshot {
  readonly maxParallelism: number;
  /** Per key group: per state name: entries [key, namespace, value]. Only non-empty groups appear. */
  readonly keyGroups: Record<number, Record<string, Array<[Key, Namespace, unknown]>>>;
}

/** Working keyed state of one subtask. */
export interface KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Sets the key that subsequent state access addresses (computes its key group). */
  setCurrentKey(key: Key): void;
  getCurrentKey(): Key;
  getCurrentKeyGroup(): number;
  getValueState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> & InternalKvState;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> & InternalMergingState;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> & InternalKvState;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> & InternalMergingState;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> & InternalMergingState;
  /** Every key with state under `stateName` in `namespace` (Flink's getKeys). */
  getKeys(stateName: string, namespace: Namespace): Iterable<Key>;
  /** Copies the state of every owned key group (synchronous part of a snapshot). */
  snapshot(): KeyedStateSnapshot;
  /** Loads the key groups within this backend's range from snapshots (rescaling: any subset). */
  restore(snapshots: readonly KeyedStateSnapshot[]): void;
  /** Releases all state. */
  dispose(): void;
}
