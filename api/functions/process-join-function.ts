// ProcessJoinFunction: called for each pair of an interval join (Flink's ProcessJoinFunction).
// Imports api/ only.
import type { OutputTag } from '../output-tag.ts';
import type { Collector } from './collector.ts';
import type { RuntimeContext } from './runtime-context.ts';

/** What processElement sees of a joined pair. */
export interface ProcessJoinContext {
  getLeftTimestamp(): number;
  getRightTimestamp(): number;
  /** The pair's timestamp: the larger of the two. */
  getTimestamp(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Emits results for joined pairs (right.ts within [left.ts + lower, left.ts + upper]); users extend it. */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
  close?(): void | Promise<void>;
}
