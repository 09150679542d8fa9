// StreamFilter: the operator behind DataStream.filter.
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator } from './stream-operator.ts';

/** Keeps the elements for which the predicate holds. */
export class StreamFilter<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
  constructor(/** The user function (the runtime may fuse it with its chained neighbours). */ readonly predicate: (value: T) => boolean) { super(); }
  processElement(value: T, timestamp: number): void {
    if (this.predicate(value)) this.output.collect(value, timestamp);
  }
}
