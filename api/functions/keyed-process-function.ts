// KeyedProcessFunction: the low-level function of a keyed stream (Flink's KeyedProcessFunction):
// keyed state through the RuntimeContext, event- and processing-time timers per key.
// Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { RuntimeContext } from './runtime-context.ts';
import type { TimerService } from './timer-service.ts';

/** What processElement sees: the current key, the element's timestamp, timers, side outputs. */
export interface KeyedContext<K> {
  getCurrentKey(): K;
  /** The element's (or firing timer's) timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The time domain of a firing timer. */
export type TimeDomain = 'event-time' | 'processing-time';

/** What onTimer sees: the keyed context plus the timer's time domain. */
export interface OnTimerContext<K> extends KeyedContext<K> {
  timeDomain(): TimeDomain;
}

/** Processes each element of a keyed stream, with keyed state and timers; users extend it. */
export abstract class KeyedProcessFunction<K, IN, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract processElement(value: IN, ctx: KeyedContext<K>, out: Collector<OUT>): void;
  /** Called when a timer registered through ctx.timerService() fires, with the timer's key set. */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}
