// FileSink: exactly-once text files, one line per record. Each subtask writes part files named
// `part-<subtaskIndex>-<n>`; a transaction's lines are buffered, written to a hidden
// `.part-<subtaskIndex>-<n>.pending` file at pre-commit, and renamed to the visible name at
// commit. Files whose names start with `.` are in progress or pending; readers ignore them.
// Uses node:fs synchronously (pre-commit runs at the barrier).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkWriterContext } from './sink.ts';
import type { TwoPhaseCommitSink } from './two-phase-commit-sink.ts';

/** Options of a FileSink. */
export interface FileSinkOptions<T> {
  /** Turns a record into its line (default: strings as they are, others as JSON). */
  format?: (value: T) => string;
}

/** One part file's transaction: its number and whether it holds lines. */
export interface FileTxn { readonly subtask: number; readonly part: number }

/** Writes records as lines into exactly-once part files in `directory`. */
export class FileSink<T> implements TwoPhaseCommitSink<T, FileTxn> {
  private readonly format: (value: T) => string;
  /** Lines of open transactions, by part file name. */
  private readonly buffers = new Map<string, string[]>();
  /** Next part number per subtask index. */
  private readonly nextPart = new Map<number, number>();

  constructor(readonly directory: string, options: FileSinkOptions<T> = {}) {
    this.format = options.format ?? ((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }

  restoreSubtaskState(context: SinkWriterContext, union: readonly unknown[]): void {
    for (const entry of union as Array<{ subtask: number; nextPart: number }>) {
      if (entry.subtask === context.subtaskIndex) {
        this.nextPart.set(entry.subtask, Math.max(this.nextPart.get(entry.subtask) ?? 0, entry.nextPart));
      }
    }
  }

  subtaskState(context: SinkWriterContext): unknown {
    return { subtask: context.subtaskIndex, nextPart: this.nextPart.get(context.subtaskIndex) ?? 0 };
  }

  beginTransaction(context: SinkWriterContext): FileTxn {
    mkdirSync(this.directory, { recursive: true });
    const subtask = context.subtaskIndex;
    const part = this.nextPart.get(subtask) ?? 0;
    this.nextPart.set(subtask, part + 1);
    const txn = { subtask, part };
    // A pending file of this number can only be left over from an attempt that failed before
    // its checkpoint completed: it must never become visible.
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

  private pendingPath(txn: FileTxn): string {
    return join(this.directory, `.${FileSink.partName(txn)}.pending`);
  }

  /** The visible name of a transaction's part file. */
  private static partName(txn: FileTxn): string {
    return `part-${txn.subtask}-${txn.part}`;
  }
}
