// DataGeneratorSource: records made by a generator function from their index (Flink's
// DataGeneratorSource): `count` records in parallel contiguous ranges, or an endless stream
// (count = Infinity) where subtask i of p generates indices i, i+p, i+2p, ... An optional total
// rate limit is enforced through the injected clock. Replayable: a split's position is its next index.
import { ReaderWakeUp } from './reader-wake-up.ts';
import { splitRange, type NumberSequenceSplit } from './number-sequence-source.ts';
import { StaticSplitEnumerator } from './static-split-enumerator.ts';
import type {
  InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SplitEnumerator, SplitEnumeratorContext,
} from './source.ts';

/** Options of a DataGeneratorSource. */
export interface DataGeneratorOptions {
  /** Records per second over all subtasks; unlimited when absent. */
  ratePerSecond?: number;
}

/** A generator split: indices next, next+stride, ... up to end (inclusive; Infinity for unbounded). */
export interface GeneratorSplit extends NumberSequenceSplit { readonly stride: number }

class GeneratorReader<T> implements SourceReader<T, GeneratorSplit> {
  private readonly splits: Array<{ splitId: string; next: number; end: number; stride: number }> = [];
  private noMoreSplits = false;
  private readonly startedAt: number;
  private emitted = 0;
  private readonly ratePerMs: number;
  /** Resolves the pending isAvailable() promise. */
  /** Resolves isAvailable() when the rate allows more, or when splits arrive. */
  private readonly wakeUp: ReaderWakeUp;

  constructor(private readonly generate: (index: number) => T, rate: number | undefined, private readonly context: SourceReaderContext) {
    this.ratePerMs = rate === undefined ? Infinity : rate / context.parallelism / 1000;
    this.startedAt = context.clock.now();
    this.wakeUp = new ReaderWakeUp(context.clock);
  }

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    const split = this.splits[0];
    if (!split) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    let budget = 1024;
    if (this.ratePerMs !== Infinity) {
      const allowed = Math.floor((this.context.clock.now() - this.startedAt) * this.ratePerMs) - this.emitted;
      if (allowed <= 0) return 'nothing-available';
      budget = Math.min(budget, allowed);
    }
    const generate = this.generate;
    let n = split.next;
    const { end, stride } = split;
    for (; budget > 0 && n <= end; budget--, n += stride) { output.collect(generate(n)); this.emitted++; }
    split.next = n;
    if (n > end) this.splits.shift();
    return this.splits.length > 0 || !this.noMoreSplits ? 'more-available' : 'end-of-input';
  }

  isAvailable(): Promise<void> {
    // Also resolved by addSplits and notifyNoMoreSplits: on a cluster the reader polls before its
    // split arrives, and the runtime waits on this one promise until it resolves.
    if (this.ratePerMs === Infinity || this.splits.length === 0) return this.wakeUp.wait();
    return this.wakeUp.wait(this.startedAt + Math.ceil((this.emitted + 1) / this.ratePerMs));
  }

  addSplits(splits: GeneratorSplit[]): void {
    for (const s of splits) this.splits.push({ splitId: s.splitId, next: s.next, end: s.end, stride: s.stride });
    this.wakeUp.wakeUp();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp.wakeUp();
  }

  snapshotState(): GeneratorSplit[] { return this.splits.map((s) => ({ ...s })); }

  close(): void { this.wakeUp.cancel(); }
}

/** Generates `count` records (or endlessly) from their index. */
export class DataGeneratorSource<T> implements Source<T, GeneratorSplit, GeneratorSplit[]> {
  readonly boundedness: 'bounded' | 'continuous-unbounded';

  constructor(private readonly generate: (index: number) => T, readonly count: number, private readonly options: DataGeneratorOptions = {}) {
    if (!(count >= 0)) throw new RangeError(`DataGeneratorSource count must be >= 0 or Infinity, got ${count}`);
    if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    this.boundedness = count === Infinity ? 'continuous-unbounded' : 'bounded';
  }

  createEnumerator(context: SplitEnumeratorContext<GeneratorSplit>): SplitEnumerator<GeneratorSplit, GeneratorSplit[]> {
    const p = context.currentParallelism();
    const splits: GeneratorSplit[] = this.count === Infinity
      ? Array.from({ length: p }, (_, i) => ({ splitId: `gen-${i}`, next: i, end: Infinity, stride: p }))
      : splitRange(0, this.count - 1, p, 'gen').map((s) => ({ ...s, stride: 1 }));
    return new StaticSplitEnumerator(context, splits);
  }

  restoreEnumerator(context: SplitEnumeratorContext<GeneratorSplit>, state: GeneratorSplit[]): SplitEnumerator<GeneratorSplit, GeneratorSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, GeneratorSplit> {
    return new GeneratorReader(this.generate, this.options.ratePerSecond, context);
  }
}
