// StreamMap: the operator behind DataStream.map. Keeps the input timestamp.
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator } from './stream-operator.ts';

/** Applies a function to every element. */
export class StreamMap<IN, OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<IN, OUT> {
  constructor(/** The user function (the runtime may fuse it with its chained neighbours). */ readonly fn: (value: IN) => OUT) { super(); }
  processElement(value: IN, timestamp: number): void {
    this.output.collect(this.fn(value), timestamp);
  }
}
