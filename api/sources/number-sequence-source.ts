// NumberSequenceSource: the numbers from..to (inclusive), split into one contiguous range per
// subtask (env.fromSequence). Bounded and replayable: a split's position is its next number.
import { StaticSplitEnumerator } from './static-split-enumerator.ts';
import type {
  InputStatus, ReaderOutput, Source, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext,
} from './source.ts';

/** A range [next, end] of a sequence still to be emitted. */
export interface NumberSequenceSplit extends SourceSplit { readonly next: number; readonly end: number }

/** Splits [from, to] into `count` contiguous ranges of near-equal size (empty ones dropped). */
export function splitRange(from: number, to: number, count: number, idPrefix = 'seq'): NumberSequenceSplit[] {
  const total = to - from + 1;
  const splits: NumberSequenceSplit[] = [];
  if (total <= 0) return splits;
  let start = from;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(total / count) + (i < total % count ? 1 : 0);
    if (size > 0) splits.push({ splitId: `${idPrefix}-${i}`, next: start, end: start + size - 1 });
    start += size;
  }
  return splits;
}

/** Emits the numbers of its splits, up to `batch` per poll. */
export class RangeReader<T> implements SourceReader<T, NumberSequenceSplit> {
  private readonly splits: Array<{ splitId: string; next: number; end: number }> = [];
  private noMoreSplits = false;

  constructor(private readonly map: (n: number) => T, private readonly batch = 1024) {}

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    const split = this.splits[0];
    if (!split) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    const map = this.map;
    const stop = Math.min(split.end, split.next + this.batch - 1);
    for (let n = split.next; n <= stop; n++) output.collect(map(n));
    split.next = stop + 1;
    if (split.next > split.end) this.splits.shift();
    return this.splits.length > 0 || !this.noMoreSplits ? 'more-available' : 'end-of-input';
  }

  isAvailable(): Promise<void> { return new Promise(() => {}); }

  addSplits(splits: NumberSequenceSplit[]): void {
    for (const s of splits) this.splits.push({ splitId: s.splitId, next: s.next, end: s.end });
  }

  notifyNoMoreSplits(): void { this.noMoreSplits = true; }

  snapshotState(): NumberSequenceSplit[] { return this.splits.map((s) => ({ ...s })); }

  close(): void {}
}

/** The numbers from..to, inclusive, in parallel. */
export class NumberSequenceSource implements Source<number, NumberSequenceSplit, NumberSequenceSplit[]> {
  readonly boundedness = 'bounded' as const;
  constructor(readonly from: number, readonly to: number) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new RangeError(`fromSequence(${from}, ${to}): bounds must be safe integers`);
  }

  createEnumerator(context: SplitEnumeratorContext<NumberSequenceSplit>): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    return new StaticSplitEnumerator(context, splitRange(this.from, this.to, context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<NumberSequenceSplit>, state: NumberSequenceSplit[]): SplitEnumerator<NumberSequenceSplit, NumberSequenceSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(): SourceReader<number, NumberSequenceSplit> {
    return new RangeReader<number>((n) => n);
  }
}
