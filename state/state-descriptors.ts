// State descriptors and the user-facing state interfaces (Flink's ValueState, ListState, ...).
// Access is synchronous. Imports nothing from api/ or actors/.

/** Options every state descriptor accepts. */
export interface StateOptions {
  /** Time-to-live in ms of processing time since the last write; expired values read as absent. */
  ttlMs?: number;
}

/** Combines two values of a ReducingState. */
export type ReduceFunction<T> = (a: T, b: T) => T;

/** Incremental aggregation (Flink's AggregateFunction). */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Describes a single value per key (and namespace). */
export class ValueStateDescriptor<T> {
  readonly kind = 'value' as const;
  constructor(readonly name: string, readonly options: StateOptions & { defaultValue?: T } = {}) {}
}

/** Describes a list per key. */
export class ListStateDescriptor<T> {
  readonly kind = 'list' as const;
  declare readonly __element?: T;
  constructor(readonly name: string, readonly options: StateOptions = {}) {}
}

/** Describes a map per key. */
export class MapStateDescriptor<K, V> {
  readonly kind = 'map' as const;
  declare readonly __entry?: [K, V];
  constructor(readonly name: string, readonly options: StateOptions = {}) {}
}

/** Describes a value per key folded with a reduce function. */
export class ReducingStateDescriptor<T> {
  readonly kind = 'reducing' as const;
  constructor(readonly name: string, readonly reduceFn: ReduceFunction<T>, readonly options: StateOptions = {}) {}
}

/** Describes an accumulator per key driven by an AggregateFunction. */
export class AggregatingStateDescriptor<IN, ACC, OUT> {
  readonly kind = 'aggregating' as const;
  constructor(readonly name: string, readonly aggregateFn: AggregateFunction<IN, ACC, OUT>, readonly options: StateOptions = {}) {}
}

/** Any state descriptor. */
export type StateDescriptor =
  | ValueStateDescriptor<any> | ListStateDescriptor<any> | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any> | AggregatingStateDescriptor<any, any, any>;

/** A single value for the current key. */
export interface ValueState<T> { value(): T | undefined; update(value: T): void; clear(): void }

/** A list for the current key. `get()` returns an empty array when there is none. */
export interface ListState<T> {
  get(): T[]; add(value: T): void; addAll(values: T[]): void; update(values: T[]): void; clear(): void;
}

/** A map for the current key. */
export interface MapState<K, V> {
  get(key: K): V | undefined; put(key: K, value: V): void; putAll(entries: Iterable<[K, V]>): void;
  contains(key: K): boolean; remove(key: K): void;
  entries(): IterableIterator<[K, V]>; keys(): IterableIterator<K>; values(): IterableIterator<V>;
  isEmpty(): boolean; clear(): void;
}

/** A reduced value for the current key. */
export interface ReducingState<T> { get(): T | undefined; add(value: T): void; clear(): void }

/** An aggregate for the current key. */
export interface AggregatingState<IN, OUT> { get(): OUT | undefined; add(value: IN): void; clear(): void }
