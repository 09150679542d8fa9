// Source: split-based, checkpointable sources in Flink's FLIP-27 shape. The split enumerator runs
// once per job (in the JobMaster) and hands splits to readers; a reader runs in every source
// subtask and its position (the splits it still holds, with their progress) is its checkpointed
// state. Imports api/ only; never actors/.
import type { Clock } from '../time/clock.ts';

/** A unit of work of a source (a file, a range of numbers, a partition). */
export interface SourceSplit { readonly splitId: string }

/** Whether a source ends. */
export type Boundedness = 'bounded' | 'continuous-unbounded';

/** What pollNext reports. */
export type InputStatus = 'more-available' | 'nothing-available' | 'end-of-input';

/** Where a reader emits; a split-specific output gets its own watermark generator. */
export interface ReaderOutput<T> {
  /** Emits a record; `timestamp` is the record's source timestamp if it has one. */
  collect(value: T, timestamp?: number): void;
  /** The output of one split (per-split watermarks, Flink's SourceOutput). */
  createOutputForSplit(splitId: string): ReaderOutput<T>;
  /** The split is done: its watermark no longer holds the source back. */
  releaseOutputForSplit(splitId: string): void;
  /** Marks this output idle until it emits again. */
  markIdle(): void;
}

/** What a reader knows of its subtask. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly clock: Clock;
  /** Asks the enumerator for a split (answered through addSplits / notifyNoMoreSplits). */
  sendSplitRequest(): void;
}

/** Reads the splits assigned to one subtask. */
export interface SourceReader<T, Split extends SourceSplit> {
  start(): void | Promise<void>;
  /**
   * Emits what is available now (a few records up to about one batch; never blocks) and tells
   * whether more is available, nothing is (wait for isAvailable), or the input ended (no splits
   * left and no more will come).
   */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /** Resolves when pollNext may have data again after 'nothing-available'. */
  isAvailable(): Promise<void>;
  addSplits(splits: Split[]): void;
  notifyNoMoreSplits(): void;
  /** The splits still held, with their progress: the reader's checkpointed position. */
  snapshotState(checkpointId: number): Split[];
  /**
   * Optional: checkpoint `checkpointId` completed (Flink's CheckpointListener). A reader may now
   * acknowledge upstream what the checkpoint covers; a rejection fails the subtask.
   */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close(): void | Promise<void>;
}

/** What the enumerator can do (in the JobMaster). */
export interface SplitEnumeratorContext<Split extends SourceSplit> {
  currentParallelism(): number;
  /** Subtasks whose reader has registered. */
  registeredReaders(): number[];
  assignSplit(split: Split, subtaskIndex: number): void;
  signalNoMoreSplits(subtaskIndex: number): void;
}

/** Discovers splits and assigns them to readers. */
export interface SplitEnumerator<Split extends SourceSplit, EnumState> {
  start(): void;
  handleSplitRequest(subtaskIndex: number): void;
  /** A reader failed: its splits since the last checkpoint come back. */
  addSplitsBack(splits: Split[], subtaskIndex: number): void;
  addReader(subtaskIndex: number): void;
  snapshotState(checkpointId: number): EnumState;
  close(): void;
}

/** A FLIP-27 source. Plain objects may implement it. */
export interface Source<T, Split extends SourceSplit = SourceSplit, EnumState = unknown> {
  readonly boundedness: Boundedness;
  createEnumerator(context: SplitEnumeratorContext<Split>): SplitEnumerator<Split, EnumState>;
  restoreEnumerator(context: SplitEnumeratorContext<Split>, state: EnumState): SplitEnumerator<Split, EnumState>;
  createReader(context: SourceReaderContext): SourceReader<T, Split>;
  /** Sources that cannot run in parallel (fromElements) say 1. */
  readonly maxParallelism?: number;
}
