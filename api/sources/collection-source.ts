// CollectionSource: the elements of an in-memory collection (fromElements, fromCollection).
// Non-parallel (one split, like Flink's FromElementsFunction); its position is an index, so it
// is replayable.
import { RangeReader, type NumberSequenceSplit } from './number-sequence-source.ts';
import { StaticSplitEnumerator } from './static-split-enumerator.ts';
import type { Source, SourceReader, SplitEnumerator, SplitEnumeratorContext } from './source.ts';

/** Emits the given values in order from a single subtask. */
export class CollectionSource<T> implements Source<T, NumberSequenceSplit, NumberSequenceSplit[]> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  private readonly values: readonly T[];

  constructor(values: Iterable<T>) {
    this.values = Array.isArray(values) ? values : Array.from(values);
  }

  createEnumerator(context: SplitEnumeratorContext<NumberSequenceSplit>): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    const splits = this.values.length > 0 ? [{ splitId: 'collection', next: 0, end: this.values.length - 1 }] : [];
    return new StaticSplitEnumerator(context, splits);
  }

  restoreEnumerator(context: SplitEnumeratorContext<NumberSequenceSplit>, state: NumberSequenceSplit[]): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(): SourceReader<T, NumberSequenceSplit> {
    const values = this.values;
    return new RangeReader<T>((i) => values[i]);
  }
}
