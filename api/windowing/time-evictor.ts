// TimeEvictor: keeps the elements of a window whose timestamp is within `windowSize` ms of the
// newest element. Imports api/windowing only.
import type { Evictor, EvictorContext, TimestampedValue } from './evictor.ts';
import type { Window } from './time-window.ts';

/** Evicts elements older than (newest timestamp - windowSize), before the window function (or after). */
export class TimeEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(readonly windowSize: number, readonly doEvictAfter: boolean) {
    if (!(windowSize >= 0)) throw new RangeError(`TimeEvictor needs windowSize >= 0, got ${windowSize}`);
  }

  /** Keeps `windowSize` ms of elements; `doEvictAfter` evicts after the window function instead. */
  static of<T = unknown, W extends Window = Window>(windowSize: number, doEvictAfter = false): TimeEvictor<T, W> {
    return new TimeEvictor<T, W>(windowSize, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void { if (!this.doEvictAfter) this.evict(elements); }
  evictAfter(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void { if (this.doEvictAfter) this.evict(elements); }

  private evict(elements: TimestampedValue<T>[]): void {
    // Without timestamps there is no time to evict by (Flink does the same).
    if (!elements.some((e) => e.timestamp !== -Infinity)) return;
    let newest = -Infinity;
    for (const e of elements) if (e.timestamp > newest) newest = e.timestamp;
    const cutoff = newest - this.windowSize;
    let kept = 0;
    for (const e of elements) if (e.timestamp > cutoff) elements[kept++] = e;
    elements.length = kept;
  }
}
