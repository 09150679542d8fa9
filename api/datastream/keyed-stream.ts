// KeyedStream: a stream partitioned by key (keyBy). Operators reading it get keyed state for
// their key-group range and timers per key: rolling reduce and field aggregations, keyed process
// functions, windows, interval joins. Imports api/ only.
import type { Key } from '../../state/key-groups.ts';
import { cloneFunction } from '../functions/clone-function.ts';
import type { KeyedProcessFunction } from '../functions/keyed-process-function.ts';
import { fieldAggregator, type FieldAggregation, type FieldSelector } from '../operators/field-aggregations.ts';
import { KeyedProcessOperator } from '../operators/keyed-process-operator.ts';
import { StreamGroupedReduce } from '../operators/stream-grouped-reduce.ts';
import type { OneInputStreamOperator } from '../operators/stream-operator.ts';
import type { GlobalWindow, Window } from '../windowing/time-window.ts';
import { IntervalJoin } from '../windowing/interval-join.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import { WindowedStream } from '../windowing/windowed-stream.ts';
import { DataStream } from './data-stream.ts';
import { KeyedPartitionWindowedStream } from './keyed-partition-windowed-stream.ts';
import { streamExtensions } from './stream-extensions.ts';

/** A stream partitioned by the key `selector` extracts. */
export class KeyedStream<T, K extends Key> extends DataStream<T> {
  constructor(stream: DataStream<T>, /** The key selector. */ readonly keySelector: (value: T) => K) {
    super(stream.environment, stream.inputs.map((i) => ({ ...i, partitioner: { kind: 'hash' as const, keySelector } })));
  }

  /** Adds a keyed one-input operator: it gets keyed state and timers for its key groups. */
  override transform<R>(name: string, operatorFactory: () => OneInputStreamOperator<T, R>): DataStream<R> {
    return new DataStream<R>(this.environment, [{ node: this.addOperator(name, operatorFactory, false, this.keySelector) }]);
  }

  /** Rolling reduce: emits the running value of the key after every element. */
  reduce(fn: (a: T, b: T) => T): DataStream<T> {
    return this.transform('Keyed Reduce', () => new StreamGroupedReduce<T>(fn));
  }

  /** Rolling sum of `field` (other fields from the key's first element). */
  sum(field: FieldSelector): DataStream<T> { return this.aggregate('sum', field); }
  /** Rolling minimum of `field` (other fields from the key's first element). */
  min(field: FieldSelector): DataStream<T> { return this.aggregate('min', field); }
  /** Rolling maximum of `field` (other fields from the key's first element). */
  max(field: FieldSelector): DataStream<T> { return this.aggregate('max', field); }
  /** The element with the smallest `field` so far (the first on ties). */
  minBy(field: FieldSelector): DataStream<T> { return this.aggregate('minBy', field); }
  /** The element with the largest `field` so far (the first on ties). */
  maxBy(field: FieldSelector): DataStream<T> { return this.aggregate('maxBy', field); }

  /** Runs a KeyedProcessFunction: keyed state and timers per key. */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    return this.transform('Keyed Process', () => new KeyedProcessOperator<K, T, R>(cloneFunction(fn)));
  }

  /** Windows per key. */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** Count windows per key: every `size` elements, or sliding by `slide`. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    return WindowedStream.countWindow(this, size, slide);
  }

  /** Each key's records as one partition, processed when the input has ended (Flink's fullWindowPartition). */
  fullWindowPartition(): KeyedPartitionWindowedStream<T, K> {
    return new KeyedPartitionWindowedStream<T, K>(this);
  }

  /** Joins with `other` on equal keys within a time interval: `.between(lower, upper).process(fn)`. */
  intervalJoin<U>(other: KeyedStream<U, K>): IntervalJoin<T, U, K> {
    return new IntervalJoin<T, U, K>(this, other);
  }

  private aggregate(kind: FieldAggregation, field: FieldSelector): DataStream<T> {
    const reduce = fieldAggregator<T>(kind, field);
    return this.transform(`Keyed Aggregation (${kind} ${String(field)})`, () => new StreamGroupedReduce<T>(reduce));
  }
}

streamExtensions.keyed = (stream, selector) => new KeyedStream(stream, selector);
