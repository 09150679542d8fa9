// AbstractStreamOperator: the common base of one-input operators: keeps the context and output
// handed over in setup, tracks the current watermark and forwards watermarks and idleness.
// Imports api/ only; never actors/.
import type { OperatorContext, Output } from './stream-operator.ts';

/** Base class of the built-in operators. */
export abstract class AbstractStreamOperator<OUT> {
  protected context!: OperatorContext;
  protected output!: Output<OUT>;
  /** The last watermark this operator received (Flink starts at Long.MIN_VALUE). */
  protected currentWatermark = -Infinity;

  setup(context: OperatorContext, output: Output<OUT>): void {
    this.context = context;
    this.output = output;
  }

  open(): void | Promise<void> {}

  processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.output.emitWatermark(timestamp);
  }

  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }

  close(): void | Promise<void> {}
}
