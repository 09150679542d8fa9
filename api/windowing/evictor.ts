// Evictor: removes elements from a window's buffer before and/or after the window function runs
// (Flink's Evictor). Evictors change the array they are given in place. Imports api/windowing.
import type { Window } from './time-window.ts';

/** A buffered element of an evicting window. */
export interface TimestampedValue<T> { value: T; timestamp: number }

/** What an evictor may read. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/** Removes elements from a window (in place) around the window function. */
export interface Evictor<T, W extends Window> {
  /** Before the window function; `size` is the number of buffered elements. */
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  /** After the window function. */
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}
