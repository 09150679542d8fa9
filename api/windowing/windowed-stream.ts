// WindowedStream: a keyed stream cut into windows (KeyedStream.window / countWindow). Collects
// trigger, evictor, lateness and late-data tag, then builds one window operator per subtask:
// incremental state for reduce and aggregate, buffered elements for process and with evictors.
// Each subtask gets its own copy of the user's window function object (fields are per subtask).
// Imports api/ and state/ only (DataStream types only, to avoid an import cycle).
import type { Key } from '../../state/key-groups.ts';
import {
  AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, type AggregateFunction,
} from '../../state/state-descriptors.ts';
import type { DataStream } from '../datastream/data-stream.ts';
import type { KeyedStream } from '../datastream/keyed-stream.ts';
import type { ProcessWindowFunction, WindowFunction } from '../functions/process-window-function.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { CountEvictor } from './count-evictor.ts';
import { CountTrigger } from './count-trigger.ts';
import { EvictingWindowOperator } from './evicting-window-operator.ts';
import type { Evictor } from './evictor.ts';
import { GlobalWindows } from './global-windows.ts';
import {
  AggregateIterableWindowFunction, IterableWindowFunction, ReduceIterableWindowFunction, SingleValueWindowFunction,
  type InternalWindowFunction, type UserWindowFunction,
} from './internal-window-function.ts';
import { PurgingTrigger } from './purging-trigger.ts';
import type { GlobalWindow, Window } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import { requireMergingTrigger, type WindowAssigner } from './window-assigner.ts';
import { WindowOperator, type WindowOperatorOptions } from './window-operator.ts';
import { BufferedWindowOperator, canBufferWindows } from './buffered-window-operator.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import { partialAwareAggregate } from '../operators/batch-combiner.ts';


/** Windows over a keyed stream (Flink's WindowedStream). */
export class WindowedStream<T, K extends Key, W extends Window> {
  private windowTrigger: Trigger<T, W>;
  private windowEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateDataTag: OutputTag<T> | undefined;
  private defaultTrigger = true;

  constructor(readonly input: KeyedStream<T, K>, readonly assigner: WindowAssigner<T, W>) {
    this.windowTrigger = assigner.getDefaultTrigger();
  }

  /** Count windows: tumbling every `size` elements per key, or sliding by `slide` (Flink's countWindow). */
  static countWindow<T, K extends Key>(input: KeyedStream<T, K>, size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const windowed = new WindowedStream<T, K, GlobalWindow>(input, GlobalWindows.create<T>());
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of<T, GlobalWindow>(size)));
    return windowed.evictor(CountEvictor.of<T, GlobalWindow>(size)).trigger(CountTrigger.of<T, GlobalWindow>(slide));
  }

  /** Replaces the assigner's default trigger; merging windows (sessions) need one that can merge. */
  trigger(trigger: Trigger<T, W>): this {
    requireMergingTrigger(this.assigner, trigger);
    this.windowTrigger = trigger;
    this.defaultTrigger = false;
    return this;
  }

  /** Evicts elements before/after the window function (windows then buffer every element). */
  evictor(evictor: Evictor<T, W>): this { this.windowEvictor = evictor; return this; }

  /** Keeps event-time windows `ms` after their end: late elements fire them again. */
  allowedLateness(ms: number): this {
    if (!(ms >= 0)) throw new RangeError(`allowedLateness must be >= 0, got ${ms}`);
    this.lateness = ms;
    return this;
  }

  /** Sends elements too late for every window to the side output `tag`. */
  sideOutputLateData(tag: OutputTag<T>): this { this.lateDataTag = requireOutputTag(tag); return this; }

  /** Reduces each window incrementally; `windowFn` (optional) turns the result into output. */
  reduce(fn: (a: T, b: T) => T): DataStream<T>;
  reduce<R>(fn: (a: T, b: T) => T, windowFn: UserWindowFunction<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: (a: T, b: T) => T, windowFn?: UserWindowFunction<T, R, K, W>): DataStream<R> {
    if (this.windowEvictor) return this.build<R>('Reduce', () => new ReduceIterableWindowFunction<T, R, K, W>(fn, windowFn));
    return this.build<R>('Reduce', () => new SingleValueWindowFunction<T, R, K, W>(windowFn), () => new ReducingStateDescriptor<T>('window-contents', fn));
  }

  /** Aggregates each window incrementally; `windowFn` (optional) turns the result into output. */
  aggregate<ACC, V>(agg: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(agg: AggregateFunction<T, ACC, V>, windowFn: UserWindowFunction<V, R, K, W>): DataStream<R>;
  aggregate<ACC, V, R>(agg: AggregateFunction<T, ACC, V>, windowFn?: UserWindowFunction<V, R, K, W>): DataStream<R> {
    // Each subtask gets its own copy of the aggregate function object, as Flink deserializes one per subtask.
    if (this.windowEvictor) return this.build<R>('Aggregate', () => new AggregateIterableWindowFunction<T, ACC, V, R, K, W>(cloneFunction(agg), windowFn));
    // The state's function also merges the partial accumulators batch mode's combine step sends.
    const out = this.build<R>('Aggregate', () => new SingleValueWindowFunction<V, R, K, W>(windowFn), () => new AggregatingStateDescriptor<T, ACC, V>('window-contents', partialAwareAggregate(cloneFunction(agg)) as AggregateFunction<T, ACC, V>));
    if (this.assigner instanceof GlobalWindows && this.assigner.firesAtEndOfStream && this.defaultTrigger && this.lateness === 0) {
      out.node().wholeKeyAggregate = () => cloneFunction(agg) as AggregateFunction<any, any, any>;
    }
    return out;
  }

  /** Calls `fn` with all elements of each fired window. */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): DataStream<R> {
    return this.build<R>('Process', () => new IterableWindowFunction<T, R, K, W>(fn));
  }

  /** Calls a plain window function `(key, window, elements, out)` per fired window. */
  apply<R>(fn: WindowFunction<T, R, K, W>): DataStream<R> {
    return this.build<R>('Apply', () => new IterableWindowFunction<T, R, K, W>(fn));
  }

  private build<R>(kind: string, windowFunction: () => InternalWindowFunction<any, R, K, W>, contents?: () => ReducingStateDescriptor<T> | AggregatingStateDescriptor<T, any, any> | ListStateDescriptor<T>): DataStream<R> {
    const { assigner, windowTrigger: trigger, windowEvictor: evictor, lateness: allowedLateness, lateDataTag: lateDataOutputTag } = this;
    const name = `Window(${String(assigner)}, ${String(trigger)}${evictor ? ', ' + evictor.constructor.name : ''}, ${kind})`;
    if (evictor) {
      return this.input.transform<R>(name, () => new EvictingWindowOperator<T, R, K, W>({
        assigner, trigger, evictor, allowedLateness, lateDataOutputTag, windowFunction: windowFunction(),
      }));
    }
    return this.input.transform<R>(name, () => {
      const options: WindowOperatorOptions<T, any, R, K, W> = {
        assigner, trigger, allowedLateness, lateDataOutputTag, windowFunction: windowFunction(), contents: contents?.() ?? new ListStateDescriptor<T>('window-contents'),
      };
      return canBufferWindows(options) ? new BufferedWindowOperator(options) : new WindowOperator(options);
    });
  }
}
