// CoStreamFlatMap: the operator behind ConnectedStreams.flatMap (Flink's); what a function emits
// carries the timestamp of the element it came from. Imports api/ only.
import type { CoFlatMapFunction } from '../functions/co-map-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext, Output, TwoInputStreamOperator } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Runs a CoFlatMapFunction: flatMap1 for input 1, flatMap2 for input 2. */
export class CoStreamFlatMap<IN1, IN2, OUT> extends AbstractStreamOperator<OUT> implements TwoInputStreamOperator<IN1, IN2, OUT> {
  private collector!: TimestampedCollector<OUT>;

  constructor(private readonly fn: CoFlatMapFunction<IN1, IN2, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.collector = new TimestampedCollector(output);
  }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.flatMap1(value, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.flatMap2(value, this.collector);
  }

  override async close(): Promise<void> { await this.fn.close?.(); }
}
