// BroadcastProcessFunction and KeyedBroadcastProcessFunction: the functions of Flink's broadcast
// state pattern. One input is broadcast to every subtask and may write the broadcast state; the
// other input only reads it, so that every subtask's copy stays identical (the broadcast side
// must update it deterministically). Imports api/ and state/ types only.
import type { Key } from '../../state/key-groups.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState, MapStateDescriptor,
  ReducingState, ReducingStateDescriptor, StateDescriptor, ValueState, ValueStateDescriptor,
} from '../../state/state-descriptors.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { TimeDomain } from './keyed-process-function.ts';
import type { RuntimeContext } from './runtime-context.ts';
import type { TimerService } from './timer-service.ts';

/** Broadcast state as the non-broadcast side sees it: reads only. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** The entries (Flink's immutableEntries); the pairs are copies. */
  immutableEntries(): IterableIterator<[K, V]>;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  size(): number;
}

/** Broadcast state as the broadcast side sees it: reads and writes. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]>): void;
  remove(key: K): void;
  clear(): void;
}

/** What both sides of a (keyed) broadcast function see: the element's timestamp, time, side outputs. */
export interface BroadcastBaseContext {
  /** The element's (or firing timer's) timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  currentProcessingTime(): number;
  currentWatermark(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What processElement of a BroadcastProcessFunction sees: read-only broadcast state. */
export interface BroadcastReadOnlyContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** What processBroadcastElement sees: writable broadcast state. */
export interface BroadcastContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** What processElement of a KeyedBroadcastProcessFunction sees: also the key and timers. */
export interface KeyedBroadcastReadOnlyContext<K> extends BroadcastReadOnlyContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** Called once per key that has state under the descriptor (applyToKeyedState). */
export type KeyedStateFunction<K, S> = (key: K, state: S) => void;

/** The state a descriptor describes, as applyToKeyedState hands it over. */
export type StateOf<D> =
  D extends ValueStateDescriptor<infer T> ? ValueState<T>
  : D extends MapStateDescriptor<infer MK, infer MV> ? MapState<MK, MV>
  : D extends ListStateDescriptor<infer T> ? ListState<T>
  : D extends ReducingStateDescriptor<infer T> ? ReducingState<T>
  : D extends AggregatingStateDescriptor<infer IN, any, infer OUT> ? AggregatingState<IN, OUT>
  : never;

/** What processBroadcastElement of a KeyedBroadcastProcessFunction sees: writable broadcast state and every key's state. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /** Runs `fn` for every key of this subtask with state under `descriptor`, that key current. */
  applyToKeyedState<D extends StateDescriptor>(descriptor: D, fn: KeyedStateFunction<Key, StateOf<D>>): void;
}

/** What onTimer of a KeyedBroadcastProcessFunction sees. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedBroadcastReadOnlyContext<K> {
  timeDomain(): TimeDomain;
}

/** Processes a non-keyed stream connected with a broadcast stream; users extend it. */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** An element of the non-broadcast input: the broadcast state is read-only here. */
  abstract processElement(value: IN1, ctx: BroadcastReadOnlyContext, out: Collector<OUT>): void;
  /** An element of the broadcast input (every subtask sees it): the broadcast state is writable. */
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

/** Processes a keyed stream connected with a broadcast stream: keyed state and timers on the keyed side; users extend it. */
export abstract class KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** An element of the keyed input, its key current: keyed state, timers, read-only broadcast state. */
  abstract processElement(value: IN1, ctx: KeyedBroadcastReadOnlyContext<K>, out: Collector<OUT>): void;
  /** An element of the broadcast input: writable broadcast state, every key's state through applyToKeyedState. */
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<OUT>): void;
  /** Called when a timer registered in processElement fires, with its key current. */
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

/** Flink's nested names: `BroadcastProcessFunction.ReadOnlyContext` and `.Context`. */
export declare namespace BroadcastProcessFunction {
  /** What processElement sees. */
  type ReadOnlyContext = BroadcastReadOnlyContext;
  /** What processBroadcastElement sees. */
  type Context = BroadcastContext;
}

/** Flink's nested names: `KeyedBroadcastProcessFunction.ReadOnlyContext`, `.Context` and `.OnTimerContext`. */
export declare namespace KeyedBroadcastProcessFunction {
  /** What processElement sees. */
  type ReadOnlyContext<K> = KeyedBroadcastReadOnlyContext<K>;
  /** What processBroadcastElement sees. */
  type Context = KeyedBroadcastContext;
  /** What onTimer sees. */
  type OnTimerContext<K> = KeyedBroadcastOnTimerContext<K>;
}
