// ProcessFunction: the low-level function of a non-keyed stream (Flink's ProcessFunction): one
// element in, any number out, side outputs, time. Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { RuntimeContext } from './runtime-context.ts';
import type { TimerService } from './timer-service.ts';

/** What processElement sees of the current element and its operator. */
export interface ProcessContext {
  /** The element's timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits `value` to the side output named by `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Processes each element of a non-keyed stream; users extend it. */
export abstract class ProcessFunction<IN, OUT> {
  /** Called once per subtask before the first element. */
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
  /** Called once per subtask after the last element. */
  close?(): void | Promise<void>;
}
