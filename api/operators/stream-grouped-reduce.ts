// StreamGroupedReduce: the rolling reduce of a keyed stream (KeyedStream.reduce, sum, min, max,
// minBy, maxBy): keeps one value per key and emits every update. The runtime sets the current
// key before each element. Imports api/ and state/.
import { ValueStateDescriptor, type ValueState } from '../../state/state-descriptors.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { requireKeyedState } from './keyed-process-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from './stream-operator.ts';

/** Folds each key's elements with `reduce` and emits the running value. */
export class StreamGroupedReduce<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
  private state!: ValueState<T>;

  /** `reduce` is public so that batch mode can run the same function as a BatchGroupedReduce. */
  constructor(readonly reduce: (a: T, b: T) => T) { super(); }

  override setup(context: OperatorContext, output: Output<T>): void {
    super.setup(context, output);
    this.state = requireKeyedState(context).getValueState(new ValueStateDescriptor<T>('_reduce_state'));
  }

  processElement(value: T, timestamp: number): void {
    const current = this.state.value();
    const next = current === undefined ? value : this.reduce(current, value);
    this.state.update(next);
    this.output.collect(next, timestamp);
  }
}
