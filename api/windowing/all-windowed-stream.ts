// AllWindowedStream: windows over a whole non-keyed stream (windowAll / countWindowAll). As in
// Flink, it is a keyed window with one constant key, run at parallelism 1.
// Imports api/ and state/ only (DataStream types only, to avoid an import cycle).
import type { AggregateFunction } from '../../state/state-descriptors.ts';
import type { DataStream } from '../datastream/data-stream.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { Collector } from '../functions/collector.ts';
import {
  ProcessWindowFunction, type AllWindowFunction, type ProcessAllWindowFunction, type ProcessWindowContext,
} from '../functions/process-window-function.ts';
import type { RuntimeContext } from '../functions/runtime-context.ts';
import type { OutputTag } from '../output-tag.ts';
import type { Evictor } from './evictor.ts';
import type { UserWindowFunction } from './internal-window-function.ts';
import type { GlobalWindow, Window } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';
import { WindowedStream } from './windowed-stream.ts';

/** The one key of a non-keyed window. */
const ALL = 0;

/** A ProcessAllWindowFunction seen as a keyed one that ignores its key. */
class AllToKeyed<IN, OUT, W extends Window> extends ProcessWindowFunction<IN, OUT, number, W> {
  private fn: ProcessAllWindowFunction<IN, OUT, W>;
  constructor(private readonly userFunction: ProcessAllWindowFunction<IN, OUT, W>) { super(); this.fn = userFunction; }
  /**
   * The window operator copies this adapter per operator instance, which shares the user's object;
   * copying that here gives each instance (and each use of one object in several pipelines) its own fields.
   */
  override async open(ctx: RuntimeContext): Promise<void> {
    this.fn = cloneFunction(this.userFunction);
    await this.fn.open?.(ctx);
  }
  process(_key: number, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void {
    this.fn.process(context, elements, out);
  }
  override clear(context: ProcessWindowContext<W>): void { this.fn.clear?.(context); }
  override async close(): Promise<void> { await this.fn.close?.(); }
}

function toKeyed<IN, OUT, W extends Window>(fn: ProcessAllWindowFunction<IN, OUT, W> | AllWindowFunction<IN, OUT, W>): UserWindowFunction<IN, OUT, number, W> {
  if (typeof fn === 'function') return (_key, window, input, out) => fn(window, input, out);
  return new AllToKeyed(fn);
}

/** Windows over a non-keyed stream (Flink's AllWindowedStream); the window operator runs at parallelism 1. */
export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  /** `windowed` is given by countWindowAll, which configures trigger and evictor itself. */
  constructor(readonly input: DataStream<T>, assigner: WindowAssigner<T, W>, windowed?: WindowedStream<T, number, W>) {
    this.windowed = windowed ?? new WindowedStream<T, number, W>(input.keyBy(() => ALL), assigner);
  }

  /** Count windows over the whole stream: every `size` elements, or sliding by `slide`. */
  static countWindowAll<T>(input: DataStream<T>, size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const windowed = WindowedStream.countWindow(input.keyBy(() => ALL), size, slide);
    return new AllWindowedStream<T, GlobalWindow>(input, windowed.assigner, windowed);
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this { this.windowed.trigger(trigger); return this; }
  /** Evicts elements before/after the window function. */
  evictor(evictor: Evictor<T, W>): this { this.windowed.evictor(evictor); return this; }
  /** Keeps event-time windows `ms` after their end. */
  allowedLateness(ms: number): this { this.windowed.allowedLateness(ms); return this; }
  /** Sends elements too late for every window to `tag`. */
  sideOutputLateData(tag: OutputTag<T>): this { this.windowed.sideOutputLateData(tag); return this; }

  /** Reduces each window; `windowFn` (optional) turns the result into output. */
  reduce(fn: (a: T, b: T) => T): DataStream<T>;
  reduce<R>(fn: (a: T, b: T) => T, windowFn: ProcessAllWindowFunction<T, R, W> | AllWindowFunction<T, R, W>): DataStream<R>;
  reduce<R>(fn: (a: T, b: T) => T, windowFn?: ProcessAllWindowFunction<T, R, W> | AllWindowFunction<T, R, W>): DataStream<R> {
    const stream = windowFn ? this.windowed.reduce<R>(fn, toKeyed(windowFn)) : (this.windowed.reduce(fn) as unknown as DataStream<R>);
    return stream.setParallelism(1);
  }

  /** Aggregates each window; `windowFn` (optional) turns the result into output. */
  aggregate<ACC, V>(agg: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(agg: AggregateFunction<T, ACC, V>, windowFn: ProcessAllWindowFunction<V, R, W> | AllWindowFunction<V, R, W>): DataStream<R>;
  aggregate<ACC, V, R>(agg: AggregateFunction<T, ACC, V>, windowFn?: ProcessAllWindowFunction<V, R, W> | AllWindowFunction<V, R, W>): DataStream<R> {
    const stream = windowFn ? this.windowed.aggregate<ACC, V, R>(agg, toKeyed(windowFn)) : (this.windowed.aggregate(agg) as unknown as DataStream<R>);
    return stream.setParallelism(1);
  }

  /** Calls `fn` with all elements of each fired window. */
  process<R>(fn: ProcessAllWindowFunction<T, R, W>): DataStream<R> {
    return this.windowed.process<R>(new AllToKeyed(fn)).setParallelism(1);
  }

  /** Calls a plain `(window, elements, out)` function per fired window. */
  apply<R>(fn: AllWindowFunction<T, R, W>): DataStream<R> {
    return this.windowed.apply<R>((_key, window, input, out) => fn(window, input, out)).setParallelism(1);
  }
}
