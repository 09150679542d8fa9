// CountEvictor: keeps at most `maxCount` elements of a window, the most recent ones (sliding count
// windows). Imports api/windowing only.
import type { Evictor, EvictorContext, TimestampedValue } from './evictor.ts';
import type { Window } from './time-window.ts';

/** Keeps the last `maxCount` elements, evicting before the window function (or after). */
export class CountEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(readonly maxCount: number, readonly doEvictAfter: boolean) {
    if (!(maxCount >= 0)) throw new RangeError(`CountEvictor needs maxCount >= 0, got ${maxCount}`);
  }

  /** Keeps `maxCount` elements; `doEvictAfter` evicts after the window function instead. */
  static of<T = unknown, W extends Window = Window>(maxCount: number, doEvictAfter = false): CountEvictor<T, W> {
    return new CountEvictor<T, W>(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], size: number, _window: W, _ctx: EvictorContext): void { if (!this.doEvictAfter) this.evict(elements, size); }
  evictAfter(elements: TimestampedValue<T>[], size: number, _window: W, _ctx: EvictorContext): void { if (this.doEvictAfter) this.evict(elements, size); }

  private evict(elements: TimestampedValue<T>[], size: number): void {
    if (size > this.maxCount) elements.splice(0, size - this.maxCount);
  }
}
