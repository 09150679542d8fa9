// Internal window functions: adapt what the user gave (nothing, a ProcessWindowFunction, a plain
// WindowFunction, a reduce or aggregate over buffered elements) to the one shape the window
// operator calls: contents of a fired window in, results out. Imports api/ only.
import { cloneFunction } from '../functions/clone-function.ts';
import type { Collector } from '../functions/collector.ts';
import {
  ProcessWindowFunction, type ProcessWindowContext, type WindowFunction,
} from '../functions/process-window-function.ts';
import type { RuntimeContext } from '../functions/runtime-context.ts';
import type { AggregateFunction, ReduceFunction } from '../../state/state-descriptors.ts';
import type { Window } from './time-window.ts';

/** What the window operator calls when a window fires or is purged for good. */
export interface InternalWindowFunction<C, OUT, K, W extends Window> {
  open(ctx: RuntimeContext): void | Promise<void>;
  process(key: K, window: W, context: ProcessWindowContext<W>, contents: C, out: Collector<OUT>): void;
  clear(window: W, context: ProcessWindowContext<W>): void;
  close(): void | Promise<void>;
}

/** A user window function in either form. */
export type UserWindowFunction<IN, OUT, K, W extends Window> = ProcessWindowFunction<IN, OUT, K, W> | WindowFunction<IN, OUT, K, W>;

/** Runs a user window function over an iterable of elements. */
export class IterableWindowFunction<IN, OUT, K, W extends Window> implements InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  private readonly fn: UserWindowFunction<IN, OUT, K, W>;
  /** Function objects are copied: each operator instance (subtask) owns its fields. */
  constructor(fn: UserWindowFunction<IN, OUT, K, W>) { this.fn = typeof fn === 'function' ? fn : cloneFunction(fn); }
  async open(ctx: RuntimeContext): Promise<void> { if (typeof this.fn !== 'function') await this.fn.open?.(ctx); }
  process(key: K, window: W, context: ProcessWindowContext<W>, contents: Iterable<IN>, out: Collector<OUT>): void {
    if (typeof this.fn === 'function') this.fn(key, window, contents, out);
    else this.fn.process(key, context, contents, out);
  }
  clear(_window: W, context: ProcessWindowContext<W>): void { if (typeof this.fn !== 'function') this.fn.clear?.(context); }
  async close(): Promise<void> { if (typeof this.fn !== 'function') await this.fn.close?.(); }
}

/** Emits a pre-aggregated value: as is, or through a user window function as a one-element input. */
export class SingleValueWindowFunction<V, OUT, K, W extends Window> implements InternalWindowFunction<V, OUT, K, W> {
  private readonly inner: IterableWindowFunction<V, OUT, K, W> | undefined;
  constructor(fn: UserWindowFunction<V, OUT, K, W> | undefined) { this.inner = fn && new IterableWindowFunction(fn); }
  async open(ctx: RuntimeContext): Promise<void> { await this.inner?.open(ctx); }
  process(key: K, window: W, context: ProcessWindowContext<W>, contents: V, out: Collector<OUT>): void {
    if (this.inner) this.inner.process(key, window, context, [contents], out);
    else (out as unknown as Collector<V>).collect(contents);
  }
  clear(window: W, context: ProcessWindowContext<W>): void { this.inner?.clear(window, context); }
  async close(): Promise<void> { await this.inner?.close(); }
}

/** Reduces buffered elements at firing time (evicting windows), then emits like SingleValue. */
export class ReduceIterableWindowFunction<T, OUT, K, W extends Window> implements InternalWindowFunction<Iterable<T>, OUT, K, W> {
  private readonly next: SingleValueWindowFunction<T, OUT, K, W>;
  constructor(private readonly reduce: ReduceFunction<T>, fn: UserWindowFunction<T, OUT, K, W> | undefined) {
    this.next = new SingleValueWindowFunction(fn);
  }
  async open(ctx: RuntimeContext): Promise<void> { await this.next.open(ctx); }
  process(key: K, window: W, context: ProcessWindowContext<W>, contents: Iterable<T>, out: Collector<OUT>): void {
    let acc: T | undefined;
    let first = true;
    for (const v of contents) { acc = first ? v : this.reduce(acc as T, v); first = false; }
    if (!first) this.next.process(key, window, context, acc as T, out);
  }
  clear(window: W, context: ProcessWindowContext<W>): void { this.next.clear(window, context); }
  async close(): Promise<void> { await this.next.close(); }
}

/** Aggregates buffered elements at firing time (evicting windows), then emits like SingleValue. */
export class AggregateIterableWindowFunction<IN, ACC, V, OUT, K, W extends Window> implements InternalWindowFunction<Iterable<IN>, OUT, K, W> {
  private readonly next: SingleValueWindowFunction<V, OUT, K, W>;
  constructor(private readonly agg: AggregateFunction<IN, ACC, V>, fn: UserWindowFunction<V, OUT, K, W> | undefined) {
    this.next = new SingleValueWindowFunction(fn);
  }
  async open(ctx: RuntimeContext): Promise<void> { await this.next.open(ctx); }
  process(key: K, window: W, context: ProcessWindowContext<W>, contents: Iterable<IN>, out: Collector<OUT>): void {
    let acc = this.agg.createAccumulator();
    for (const v of contents) acc = this.agg.add(v, acc);
    this.next.process(key, window, context, this.agg.getResult(acc), out);
  }
  clear(window: W, context: ProcessWindowContext<W>): void { this.next.clear(window, context); }
  async close(): Promise<void> { await this.next.close(); }
}
