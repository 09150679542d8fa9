// FileSplitEnumerator: the file source's enumerator (Flink's StaticFileSplitEnumerator and
// ContinuousFileSplitEnumerator in one). One split per file; readers pull them one at a time (a
// reader asks when it has nothing to read), so large and small files balance over the readers.
// Bounded: the files found at the start, then "no more splits". Monitoring: when a reader asks and
// nothing is pending, the paths are listed again and files not seen before become splits; the
// readers of an unbounded source ask again every discovery interval while idle, so new files are
// found within about one interval, on the job's clock, without a timer here. The files seen so
// far and the splits not yet handed out are the enumerator's checkpointed state: after a restore no
// file is read twice or skipped. Imports api/sources only.
import { listFiles } from './file-access.ts';
import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from './source.ts';

/** One file to read from a byte offset (the position of the next line not yet emitted). */
export interface FileSplit extends SourceSplit {
  /** The file's absolute path (also its split id). */
  readonly path: string;
  /** Byte offset of the next line to read. */
  readonly offset: number;
}

/** The enumerator's checkpointed state. */
export interface FileEnumeratorState {
  /** Splits found but not handed out (or handed back after a failure). */
  readonly pending: FileSplit[];
  /** Every file seen so far (monitoring only: a file is read once even if it changes later). */
  readonly seen: string[];
}

/** A file's split from its start. */
export function fileSplit(path: string): FileSplit {
  return { splitId: path, path, offset: 0 };
}

/** Hands out one file split per request; with `continuous`, discovers new files when asked. */
export class FileSplitEnumerator implements SplitEnumerator<FileSplit, FileEnumeratorState> {
  private pending: FileSplit[];
  private readonly seen: Set<string>;

  constructor(
    private readonly context: SplitEnumeratorContext<FileSplit>,
    private readonly paths: readonly string[],
    private readonly continuous: boolean,
    restored?: FileEnumeratorState,
  ) {
    this.pending = restored ? restored.pending.map((s) => ({ ...s })) : [];
    this.seen = new Set(restored?.seen ?? []);
    // The first listing happens here, where the job is scheduled: a missing path fails the job
    // with a clear message instead of failing every reader later.
    if (!restored) this.discover(false);
  }

  start(): void {}

  addReader(): void {}

  handleSplitRequest(subtaskIndex: number): void {
    if (this.pending.length === 0 && this.continuous) this.discover(true);
    const split = this.pending.shift();
    if (split !== undefined) this.context.assignSplit(split, subtaskIndex);
    else if (!this.continuous) this.context.signalNoMoreSplits(subtaskIndex);
    // Monitoring with nothing new: the reader asks again after the discovery interval.
  }

  addSplitsBack(splits: FileSplit[]): void {
    this.pending.unshift(...splits);
  }

  snapshotState(): FileEnumeratorState {
    return { pending: this.pending.map((s) => ({ ...s })), seen: [...this.seen] };
  }

  close(): void {}

  /** Lists the paths; files not seen before become pending splits (in path order). */
  private discover(missingOk: boolean): void {
    let files: string[];
    try {
      files = listFiles(this.paths, missingOk);
    } catch (error) {
      if (!missingOk) throw error;
      return; // monitoring: an unreadable directory now may be readable at the next request
    }
    for (const path of files) {
      if (this.seen.has(path)) continue;
      this.seen.add(path);
      this.pending.push(fileSplit(path));
    }
  }
}
