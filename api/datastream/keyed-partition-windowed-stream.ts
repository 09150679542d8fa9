// KeyedPartitionWindowedStream: the records of each key as one whole partition, processed once
// the input has ended (Flink's KeyedStream.fullWindowPartition, FLIP-380): `aggregate` with an
// AggregateFunction, `reduce`, and `mapPartition` over all of a key's records. It is a window
// over GlobalWindows that fires at the end of input, so it runs in streaming mode over a bounded
// input too (results when the input ends); in batch mode `aggregate` folds each producer's
// records into one accumulator per key before the exchange (the combine step), so a key's
// records never cross it one by one. Imports api/ and state/ only.
import type { Key } from '../../state/key-groups.ts';
import type { AggregateFunction } from '../../state/state-descriptors.ts';
import type { Collector } from '../functions/collector.ts';
import { GlobalWindows } from '../windowing/global-windows.ts';
import type { GlobalWindow } from '../windowing/time-window.ts';
import type { WindowedStream } from '../windowing/windowed-stream.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

/** A function over all records of one key (Flink's MapPartitionFunction). */
export type MapPartitionFunction<T, R> = (values: Iterable<T>, out: Collector<R>) => void;

/** Each key's records as one partition, processed at the end of input (see the file header). */
export class KeyedPartitionWindowedStream<T, K extends Key> {
  constructor(private readonly input: KeyedStream<T, K>) {}

  private windowed(): WindowedStream<T, K, GlobalWindow> {
    return this.input.window(GlobalWindows.createWithEndOfStreamTrigger<T>());
  }

  /** One result per key: `agg` folds the key's records (its accumulator may be updated in place). */
  aggregate<ACC, R>(agg: AggregateFunction<T, ACC, R>): DataStream<R> {
    return this.windowed().aggregate(agg);
  }

  /** One value per key: the key's records folded with `fn`. */
  reduce(fn: (a: T, b: T) => T): DataStream<T> {
    return this.windowed().reduce(fn);
  }

  /** Calls `fn` once per key with all of the key's records. */
  mapPartition<R>(fn: MapPartitionFunction<T, R>): DataStream<R> {
    return this.windowed().apply<R>((_key, _window, values, out) => fn(values, out));
  }
}
