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
//
// Buckets (Flink's BucketAssigner): each record's bucket id names a subdirectory; a transaction
// writes one part file per bucket it touched, all under the transaction's name, and lists its
// buckets so that commit and abort find them after a recovery. The first transaction of a
// restarted attempt removes every pending file its run and subtask left anywhere under the
// directory (the restored pre-committed ones are committed by then), since a failed attempt may
// have pre-committed into buckets the checkpoint does not name.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { bucketIdOf, validateBucketId, type BucketAssigner, type BucketAssignerContext } from './bucket-assigners.ts';
import type { SinkWriterContext } from './sink.ts';
import type { TransactionWriteContext, TwoPhaseCommitSink } from './two-phase-commit-sink.ts';

/** Options of a FileSink. */
export interface FileSinkOptions<T> {
  /** Turns a record into its line (default: strings as they are, others as JSON). */
  format?: (value: T) => string;
  /** Picks each record's bucket (a subdirectory); default: the directory itself. */
  bucketAssigner?: BucketAssigner<T>;
}

/** Builds a FileSink (Flink's `FileSink.forRowFormat(path, encoder).withBucketAssigner(a).build()`). */
export class FileSinkBuilder<T> {
  constructor(private readonly directory: string, private readonly options: FileSinkOptions<T>) {}

  /** Sets the bucket assigner. */
  withBucketAssigner(bucketAssigner: BucketAssigner<T>): FileSinkBuilder<T> {
    return new FileSinkBuilder(this.directory, { ...this.options, bucketAssigner });
  }

  /** The sink. */
  build(): FileSink<T> { return new FileSink(this.directory, this.options); }
}

/**
 * One transaction: its run, subtask and number (`run` is absent in transactions of checkpoints
 * written before part files carried a run id; they keep their old names) and the buckets it wrote
 * into, in order of first record (absent in older checkpoints: the directory itself).
 */
export interface FileTxn { readonly run?: string; readonly subtask: number; readonly part: number; readonly buckets?: string[] }

/** What a subtask keeps in union state: its run id and the next part number. */
interface SubtaskRun { readonly subtask: number; readonly run?: string; readonly nextPart: number }

/** Writes records as lines into exactly-once part files in `directory`. */
export class FileSink<T> implements TwoPhaseCommitSink<T, FileTxn> {
  private readonly format: (value: T) => string;
  private readonly bucketAssigner: BucketAssigner<T> | undefined;
  /** Lines of open transactions, by part file name, then by bucket id. */
  private readonly buffers = new Map<string, Map<string, string[]>>();
  /** Run id and next part number per subtask index. */
  private readonly runs = new Map<number, { run: string; nextPart: number }>();
  /** Subtasks of a restarted attempt whose leftover pending files are still to be removed. */
  private readonly toSweep = new Set<number>();

  constructor(readonly directory: string, options: FileSinkOptions<T> = {}) {
    this.format = options.format ?? ((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    this.bucketAssigner = options.bucketAssigner;
  }

  /** A builder of a sink writing rows into `directory`, each turned into its line by `encoder`. */
  static forRowFormat<T>(directory: string, encoder?: (value: T) => string): FileSinkBuilder<T> {
    return new FileSinkBuilder<T>(directory, encoder ? { format: encoder } : {});
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
    if (context.attemptNumber > 0) this.toSweep.add(subtask);
  }

  subtaskState(context: SinkWriterContext): unknown {
    const own = this.runOf(context.subtaskIndex);
    return { subtask: context.subtaskIndex, run: own.run, nextPart: own.nextPart } satisfies SubtaskRun;
  }

  beginTransaction(context: SinkWriterContext): FileTxn {
    mkdirSync(this.directory, { recursive: true });
    const subtask = context.subtaskIndex;
    const own = this.runOf(subtask);
    if (this.toSweep.delete(subtask)) this.removePendingOf(own.run, subtask);
    const txn: FileTxn = { run: own.run, subtask, part: own.nextPart++, buckets: [] };
    // A pending file of this name can only be left over from an attempt that failed before its
    // checkpoint completed: it must never become visible.
    rmSync(this.pendingPath(txn, ''), { force: true });
    this.buffers.set(FileSink.partName(txn), new Map());
    return txn;
  }

  write(txn: FileTxn, value: T, timestamp = NO_TIMESTAMP, context?: TransactionWriteContext): void {
    const byBucket = this.buffers.get(FileSink.partName(txn))!;
    const bucket = this.bucketAssigner === undefined ? '' : validateBucketId(bucketIdOf(this.bucketAssigner, value, FileSink.assignerContext(timestamp, context)));
    const line = this.format(value);
    let lines = byBucket.get(bucket);
    if (lines === undefined) {
      byBucket.set(bucket, lines = []);
      txn.buckets?.push(bucket);
    }
    lines.push(line);
  }

  preCommit(txn: FileTxn): void {
    const byBucket = this.buffers.get(FileSink.partName(txn));
    this.buffers.delete(FileSink.partName(txn));
    if (!byBucket) return; // nothing to publish: no part file
    for (const [bucket, lines] of byBucket) {
      mkdirSync(join(this.directory, bucket), { recursive: true });
      const fd = openSync(this.pendingPath(txn, bucket), 'w');
      try {
        writeSync(fd, lines.join('\n') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  commit(txn: FileTxn): void {
    for (const bucket of txn.buckets ?? ['']) {
      const pending = this.pendingPath(txn, bucket);
      // Idempotent: after a recovery the file may already carry its final name.
      if (existsSync(pending)) renameSync(pending, join(this.directory, bucket, FileSink.partName(txn)));
    }
  }

  abort(txn: FileTxn): void {
    const name = FileSink.partName(txn);
    const buckets = new Set([...(txn.buckets ?? ['']), ...(this.buffers.get(name)?.keys() ?? [])]);
    this.buffers.delete(name);
    for (const bucket of buckets) rmSync(this.pendingPath(txn, bucket), { force: true });
  }

  /** The subtask's run (one is drawn if no attempt announced itself, e.g. a sink driven directly). */
  private runOf(subtask: number): { run: string; nextPart: number } {
    let own = this.runs.get(subtask);
    if (own === undefined) this.runs.set(subtask, own = { run: FileSink.newRunId(), nextPart: 0 });
    return own;
  }

  private pendingPath(txn: FileTxn, bucket: string): string {
    return join(this.directory, bucket, `.${FileSink.partName(txn)}.pending`);
  }

  /** Removes every pending file of `run` and `subtask` under the directory (a failed attempt's leftovers). */
  private removePendingOf(run: string, subtask: number): void {
    const prefix = `.part-${run}-${subtask}-`;
    const sweep = (dir: string): void => {
      let entries;
      try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        if (e.isDirectory()) sweep(join(dir, e.name));
        else if (e.name.startsWith(prefix) && e.name.endsWith('.pending') && /^\d+$/.test(e.name.slice(prefix.length, -'.pending'.length))) {
          rmSync(join(dir, e.name), { force: true });
        }
      }
    };
    sweep(this.directory);
  }

  /** The assigner's view of one record. */
  private static assignerContext(timestamp: number, context: TransactionWriteContext | undefined): BucketAssignerContext {
    return {
      currentProcessingTime: () => context?.currentProcessingTime() ?? Date.now(),
      currentWatermark: () => context?.currentWatermark() ?? -Infinity,
      timestamp: () => (timestamp === NO_TIMESTAMP || !Number.isFinite(timestamp) ? undefined : timestamp),
    };
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
