// StaticSplitEnumerator: hands a fixed list of splits out round-robin as readers register, then
// signals that no more will come. The enumerator of every built-in bounded source.
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './source.ts';

/** Assigns split i to reader i mod parallelism when that reader registers. */
export class StaticSplitEnumerator<Split extends SourceSplit> implements SplitEnumerator<Split, Split[]> {
  /** Splits not yet handed out, each with the reader that will own it. */
  private unassigned: Array<{ split: Split; owner: number }>;

  constructor(private readonly context: SplitEnumeratorContext<Split>, splits: Split[]) {
    const p = context.currentParallelism();
    this.unassigned = splits.map((split, i) => ({ split, owner: i % p }));
  }

  start(): void {}

  addReader(subtaskIndex: number): void {
    const mine = this.unassigned.filter((s) => s.owner === subtaskIndex);
    this.unassigned = this.unassigned.filter((s) => s.owner !== subtaskIndex);
    for (const { split } of mine) this.context.assignSplit(split, subtaskIndex);
    this.context.signalNoMoreSplits(subtaskIndex);
  }

  handleSplitRequest(): void {}

  addSplitsBack(splits: Split[], subtaskIndex: number): void {
    for (const split of splits) this.unassigned.push({ split, owner: subtaskIndex });
  }

  snapshotState(): Split[] { return this.unassigned.map((s) => s.split); }

  close(): void {}
}
