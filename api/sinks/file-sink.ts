// FileSink: exactly-once text files, one line per record. Each subtask writes part files named
// `part-<runId>-<subtaskIndex>-<n>` (Flink's `part-<uid>-<subtaskIndex>-<n>`); a transaction's
// lines are buffered, written to a hidden `.part-<runId>-<subtaskIndex>-<n>.pending` file at
// pre-commit, and renamed to the visible name at commit. Files whose names start with `.` are in
// progress or pending; readers ignore them.
//
// The run id keeps two runs writing into one directory apart (a later run never replaces an
// earlier one's files). A job's first attempt (attemptNumber 0: a new job, also one started from
// a savepoint) draws a fresh random id per subtask; restarts of the job keep it (from the
// checkpoint's union state, or from memory when they restart before the first checkpoint), so
// recovery commits, and cleans the pending files of, the very names the failed attempt used. A
// transaction carries its run id, so pending files restored from a savepoint commit under their
// own names. Uses node:fs synchronously (pre-commit runs at the barrier).
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkWriterContext } from './sink.ts';
import type { TwoPhaseCommitSink } from './two-phase-commit-sink.ts';

/** Options of a FileSink. */
export interface FileSinkOptions<T> {
  /** Turns a record into its line (default: strings as they are, others as JSON). */
  format?: (value: T) => string;
}

/**
 * One part file's transaction: its run, subtask and number (`run` is absent in transactions of
 * checkpoints written before part files carried a run id; they keep their old names).
 */
export interface FileTxn { readonly run?: string; readonly subtask: number; readonly part: number }

/** What a subtask keeps in union state: its run id and the next part number. */
interface SubtaskRun { readonly subtask: number; readonly run?: string; readonly nextPart: number }

/** Writes records as lines into exactly-once part files in `directory`. */
export class FileSink<T> implements TwoPhaseCommitSink<T, FileTxn> {
  private readonly format: (value: T) => string;
  /** Lines of open transactions, by part file name. */
  private readonly buffers = new Map<string, string[]>();
  /** Run id and next part number per subtask index. */
  private readonly runs = new Map<number, { run: string; nextPart: number }>();

  constructor(readonly directory: string, options: FileSinkOptions<T> = {}) {
    this.format = options.format ?? ((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }

  restoreSubtaskState(context: SinkWriterContext, union: readonly unknown[]): void {
    const subtask = context.subtaskIndex;
    const own = (union as SubtaskRun[]).find((entry) => entry?.subtask === subtask);
    const previous = this.runs.get(subtask);
    if (context.attemptNumber > 0 && own?.run !== undefined) {
      // A restart from a checkpoint: continue its run after the highest number it may have used.
      const nextPart = previous?.run === own.run ? Math.max(previous.nextPart, own.nextPart) : own.nextPart;
      this.runs.set(subtask, { run: own.run, nextPart });
    } else if (context.attemptNumber > 0 && previous !== undefined && own === undefined) {
      // A restart before the first checkpoint completed, in the process of the failed attempt.
    } else {
      this.runs.set(subtask, { run: FileSink.newRunId(), nextPart: 0 });
    }
  }

  subtaskState(context: SinkWriterContext): unknown {
    const own = this.runOf(context.subtaskIndex);
    return { subtask: context.subtaskIndex, run: own.run, nextPart: own.nextPart } satisfies SubtaskRun;
  }

  beginTransaction(context: SinkWriterContext): FileTxn {
    mkdirSync(this.directory, { recursive: true });
    const subtask = context.subtaskIndex;
    const own = this.runOf(subtask);
    const txn = { run: own.run, subtask, part: own.nextPart++ };
    // A pending file of this name can only be left over from an attempt that failed before its
    // checkpoint completed: it must never become visible.
    rmSync(this.pendingPath(txn), { force: true });
    this.buffers.set(FileSink.partName(txn), []);
    return txn;
  }

  write(txn: FileTxn, value: T): void {
    this.buffers.get(FileSink.partName(txn))!.push(this.format(value));
  }

  preCommit(txn: FileTxn): void {
    const lines = this.buffers.get(FileSink.partName(txn));
    this.buffers.delete(FileSink.partName(txn));
    if (!lines || lines.length === 0) return; // nothing to publish: no part file
    const fd = openSync(this.pendingPath(txn), 'w');
    try {
      writeSync(fd, lines.join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  commit(txn: FileTxn): void {
    const pending = this.pendingPath(txn);
    // Idempotent: after a recovery the file may already carry its final name.
    if (existsSync(pending)) renameSync(pending, join(this.directory, FileSink.partName(txn)));
  }

  abort(txn: FileTxn): void {
    this.buffers.delete(FileSink.partName(txn));
    rmSync(this.pendingPath(txn), { force: true });
  }

  /** The subtask's run (one is drawn if no attempt announced itself, e.g. a sink driven directly). */
  private runOf(subtask: number): { run: string; nextPart: number } {
    let own = this.runs.get(subtask);
    if (own === undefined) this.runs.set(subtask, own = { run: FileSink.newRunId(), nextPart: 0 });
    return own;
  }

  private pendingPath(txn: FileTxn): string {
    return join(this.directory, `.${FileSink.partName(txn)}.pending`);
  }

  /** The visible name of a transaction's part file. */
  static partName(txn: FileTxn): string {
    return txn.run === undefined ? `part-${txn.subtask}-${txn.part}` : `part-${txn.run}-${txn.subtask}-${txn.part}`;
  }

  /** A run id: random, as Flink's part file uid, so that runs never share names. */
  private static newRunId(): string {
    return randomUUID();
  }
}
