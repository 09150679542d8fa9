// CoProcessFunction and KeyedCoProcessFunction: low-level functions over two connected streams
// (Flink's): one method per input, side outputs, and timers when keyed. Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { TimeDomain } from './keyed-process-function.ts';
import type { RuntimeContext } from './runtime-context.ts';
import type { TimerService } from './timer-service.ts';

/** What processElement1/2 see: the element's timestamp, time, side outputs. */
export interface CoProcessContext {
  /** The element's (or firing timer's) timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What onTimer of a CoProcessFunction sees. */
export interface CoOnTimerContext extends CoProcessContext {
  timeDomain(): TimeDomain;
}

/** The keyed variant: also the current key. */
export interface KeyedCoProcessContext<K> extends CoProcessContext {
  getCurrentKey(): K;
}

/** What onTimer of a KeyedCoProcessFunction sees. */
export interface KeyedCoOnTimerContext<K> extends KeyedCoProcessContext<K> {
  timeDomain(): TimeDomain;
}

/** Processes the elements of two connected streams; users extend it. */
export abstract class CoProcessFunction<IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract processElement1(value: IN1, ctx: CoProcessContext, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: CoProcessContext, out: Collector<OUT>): void;
  /** Called when a timer fires (timers need keyed inputs). */
  onTimer?(timestamp: number, ctx: CoOnTimerContext, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}

/** Processes two connected keyed streams with keyed state and timers per key; users extend it. */
export abstract class KeyedCoProcessFunction<K, IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract processElement1(value: IN1, ctx: KeyedCoProcessContext<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedCoProcessContext<K>, out: Collector<OUT>): void;
  /** Called when a timer registered through ctx.timerService() fires, with its key set. */
  onTimer?(timestamp: number, ctx: KeyedCoOnTimerContext<K>, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}
