// ProcessWindowFunction and friends: the user functions that turn a fired window into results
// (Flink's ProcessWindowFunction, ProcessAllWindowFunction, WindowFunction). Imports api/ and
// state/ contracts only.
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState, MapStateDescriptor,
  ReducingState, ReducingStateDescriptor, ValueState, ValueStateDescriptor,
} from '../../state/state-descriptors.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Window } from '../windowing/time-window.ts';
import type { Collector } from './collector.ts';
import type { RuntimeContext } from './runtime-context.ts';

/** Keyed state in one scope: per window (windowState) or per key across windows (globalState). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** What a window function sees of the window being emitted. */
export interface ProcessWindowContext<W extends Window> {
  /** The window being emitted. */
  readonly window: W;
  readonly currentWatermark: number;
  readonly currentProcessingTime: number;
  /** State of the current key scoped to this window (cleared with the window via clear()). */
  readonly windowState: KeyedStateStore;
  /** State of the current key shared by all its windows. */
  readonly globalState: KeyedStateStore;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Emits results for a fired window of a keyed stream, seeing all its elements; users extend it. */
export abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** Called per firing with the window's elements (or the single pre-aggregated value). */
  abstract process(key: K, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is purged for good: clear per-window state here. */
  clear?(context: ProcessWindowContext<W>): void;
  close?(): void | Promise<void>;
}

/** Emits results for a fired window of a non-keyed stream (windowAll); users extend it. */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  clear?(context: ProcessWindowContext<W>): void;
  close?(): void | Promise<void>;
}

/** The plain-function form of a keyed window function (Flink's WindowFunction.apply). */
export type WindowFunction<IN, OUT, K, W extends Window> = (key: K, window: W, input: Iterable<IN>, out: Collector<OUT>) => void;

/** The plain-function form of a non-keyed window function (Flink's AllWindowFunction.apply). */
export type AllWindowFunction<IN, OUT, W extends Window> = (window: W, input: Iterable<IN>, out: Collector<OUT>) => void;
