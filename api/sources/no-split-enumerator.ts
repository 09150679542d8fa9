// NoSplitEnumerator: the enumerator of a source whose readers need no splits (an iteration's
// head, a batch job wrapped as one task): each reader is told at once that none will come.
// Imports api/sources only.
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './source.ts';

/** Assigns nothing; signals "no more splits" to every reader as it registers. */
export class NoSplitEnumerator implements SplitEnumerator<SourceSplit, null> {
  constructor(private readonly context: SplitEnumeratorContext<SourceSplit>) {}
  start(): void {}
  handleSplitRequest(): void {}
  addSplitsBack(): void {}
  addReader(subtaskIndex: number): void { this.context.signalNoMoreSplits(subtaskIndex); }
  snapshotState(): null { return null; }
  close(): void {}
}
