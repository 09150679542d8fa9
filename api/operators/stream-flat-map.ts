// StreamFlatMap: the operator behind DataStream.flatMap.
import type { Collector } from '../functions/collector.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Emits any number of elements per input element through a Collector. */
export class StreamFlatMap<IN, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN, OUT> {
  private collector!: TimestampedCollector<OUT>;
  constructor(private readonly fn: (value: IN, out: Collector<OUT>) => void) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.collector = new TimestampedCollector(output);
  }

  processElement(value: IN, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn(value, this.collector);
  }
}
