// DeltaEvictor: evicts the elements of a window whose delta to the window's last element is at
// least a threshold (Flink's DeltaEvictor), for windows that keep only what is "close" to the
// newest value. Imports api/windowing only.
import type { Evictor, EvictorContext, TimestampedValue } from './evictor.ts';
import type { Window } from './time-window.ts';

/** The distance between two values of a stream (Flink's DeltaFunction): a plain function or an object. */
export type DeltaFunction<T> =
  | ((oldDataPoint: T, newDataPoint: T) => number)
  | { getDelta(oldDataPoint: T, newDataPoint: T): number };

/** `deltaFunction` as a plain function, after checking it and `threshold` (for the errors of `owner`). */
export function checkDelta<T>(owner: string, threshold: number, deltaFunction: DeltaFunction<T>): (oldDataPoint: T, newDataPoint: T) => number {
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new TypeError(`${owner} needs a numeric threshold, got ${String(threshold)}`);
  if (typeof deltaFunction === 'function') return deltaFunction;
  if (deltaFunction !== null && typeof deltaFunction === 'object' && typeof deltaFunction.getDelta === 'function') {
    return (a, b) => deltaFunction.getDelta(a, b);
  }
  throw new TypeError(`${owner} needs a delta function (oldDataPoint, newDataPoint) => number, or an object with getDelta`);
}

/** Evicts elements whose delta to the last element is >= threshold, before the window function (or after). */
export class DeltaEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private readonly delta: (oldDataPoint: T, newDataPoint: T) => number;

  private constructor(readonly threshold: number, deltaFunction: DeltaFunction<T>, readonly doEvictAfter: boolean) {
    this.delta = checkDelta('DeltaEvictor', threshold, deltaFunction);
  }

  /** Evicts by `deltaFunction` against `threshold`; `doEvictAfter` evicts after the window function instead. */
  static of<T = unknown, W extends Window = Window>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T, W> {
    return new DeltaEvictor<T, W>(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void { if (!this.doEvictAfter) this.evict(elements); }
  evictAfter(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void { if (this.doEvictAfter) this.evict(elements); }

  private evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0) return;
    // The last element is compared with itself too: a threshold <= its delta to itself evicts it as well, as in Flink.
    const last = elements[elements.length - 1].value;
    let kept = 0;
    for (const e of elements) if (!(this.delta(e.value, last) >= this.threshold)) elements[kept++] = e;
    elements.length = kept;
  }
}
