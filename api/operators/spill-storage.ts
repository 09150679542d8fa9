// SpillStorage: where batch mode's external sort writes the sorted runs that do not fit its
// memory budget. An interface so that operators stay pure: the runtime (actors/) supplies the
// implementation over local temp files; I/O never happens in api/. Imports api/operators only.
import type { SortEntry } from './key-order.ts';

/** A sorted run written to storage. */
export interface SpillRun {
  /** Reads the run back, in the order written, a chunk at a time. */
  read(): Iterator<SortEntry>;
  /** Bytes the run takes in storage. */
  readonly bytes: number;
  /** Removes the run. */
  delete(): void;
}

/** Writes sorted runs. */
export interface SpillStorage {
  /** Writes `entries` (already sorted) as one run. */
  writeRun(entries: readonly SortEntry[]): SpillRun;
}
