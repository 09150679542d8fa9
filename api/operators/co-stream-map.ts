// CoStreamMap: the operator behind ConnectedStreams.map (Flink's); each element keeps its
// timestamp. Imports api/ only.
import type { CoMapFunction } from '../functions/co-map-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { TwoInputStreamOperator } from './stream-operator.ts';

/** Runs a CoMapFunction: map1 for input 1, map2 for input 2. */
export class CoStreamMap<IN1, IN2, OUT> extends AbstractStreamOperator<OUT> implements TwoInputStreamOperator<IN1, IN2, OUT> {
  constructor(private readonly fn: CoMapFunction<IN1, IN2, OUT>) { super(); }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }

  processElement1(value: IN1, timestamp: number): void { this.output.collect(this.fn.map1(value), timestamp); }

  processElement2(value: IN2, timestamp: number): void { this.output.collect(this.fn.map2(value), timestamp); }

  override async close(): Promise<void> { await this.fn.close?.(); }
}
