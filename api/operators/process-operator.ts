// ProcessOperator: runs a ProcessFunction on a non-keyed stream.
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import type { ProcessContext, ProcessFunction } from '../functions/process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { NonKeyedTimerService } from '../functions/timer-service.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Calls processElement for each element with a reusable context. */
export class ProcessOperator<IN, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN, OUT> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: ProcessContext;

  constructor(private readonly fn: ProcessFunction<IN, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.collector = new TimestampedCollector(output);
    const timers = new NonKeyedTimerService(() => context.clock.now(), () => this.currentWatermark);
    const collector = this.collector;
    this.ctx = {
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
    };
  }

  override async open(): Promise<void> {
    await this.fn.open?.(createRuntimeContext(this.context));
  }

  processElement(value: IN, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement(value, this.ctx, this.collector);
  }

  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
