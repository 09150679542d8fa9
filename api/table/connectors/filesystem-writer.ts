// The filesystem table sink's writer (Flink's StreamingFileWriter with the TableRollingPolicy):
// each subtask writes rows into in-progress part files, one open file per partition (bucket),
// streamed to disk under a hidden name `.part-<run>-<subtask>-<n>.inprogress`. A part file rolls
// (is closed; the next row of its bucket opens a new one) when it has grown past
// 'sink.rolling-policy.file-size', when it is older than the rollover interval or idle longer than
// the inactivity interval (both checked every check interval on processing time), and at every
// checkpoint: the files closed within one checkpoint's transaction are renamed to their visible
// names once that checkpoint completes (two-phase commit), so every row becomes visible once.
//
// The writer operator also tells the partition committer (filesystem-committer.ts) which files
// and partitions each checkpoint's transaction holds: it emits that commit info in snapshotState,
// ahead of the barrier, so the committer's snapshot of the same checkpoint has it.
//
// The run id keeps runs apart and survives restarts (union state), as FileSink's; a restarted
// attempt first removes the hidden files its run and subtask left. Uses node:fs synchronously.
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { NO_TIMESTAMP } from '../../stream-elements.ts';
import type { SinkWriterContext } from '../../sinks/sink.ts';
import { TwoPhaseCommitSinkOperator, type TransactionWriteContext, type TwoPhaseCommitSink } from '../../sinks/two-phase-commit-sink.ts';
import type { OperatorStateSnapshot } from '../../operators/stream-operator.ts';
import type { Change } from '../types/row.ts';
import type { FileSystemSinkOptions } from './filesystem-options.ts';

/** One part file of a transaction: its bucket (partition directory, '' for the table's) and visible name. */
export interface PartFile { readonly bucket: string; readonly name: string }

/** A transaction: the part files it opened, in order. */
export interface PartTxn { readonly run: string; readonly subtask: number; readonly id: number; readonly files: PartFile[] }

/** What a writer subtask tells the committer about one checkpoint's transaction. */
export interface PartitionCommitInfo {
  /** The checkpoint whose completion makes the files visible (0: committed already, no checkpoints). */
  readonly checkpointId: number;
  readonly subtask: number;
  readonly files: readonly PartFile[];
  /** The partitions (buckets) the transaction wrote into. */
  readonly partitions: readonly string[];
}

/** An open part file. */
interface OpenPart {
  readonly file: PartFile;
  readonly fd: number;
  bytes: number;
  readonly createdAt: number;
  lastWriteAt: number;
  buffered: string[];
  bufferedBytes: number;
}

/** Bytes buffered per open part file before they are written out. */
const WRITE_BUFFER_BYTES = 64 * 1024;

/** The hidden name of a part file while it is in progress or waits for its checkpoint. */
export function inProgressName(name: string): string { return `.${name}.inprogress`; }

/** Writes changes' rows as lines into rolling part files; one instance serves every subtask of the sink. */
export class RollingPartFileSink implements TwoPhaseCommitSink<Change, PartTxn> {
  private readonly runs = new Map<number, { run: string; nextPart: number; nextTxn: number }>();
  /** Open part files of each subtask, by bucket. */
  private readonly open = new Map<number, Map<string, OpenPart>>();
  private readonly toSweep = new Set<number>();
  /** The transaction each subtask pre-committed last (taken by the operator to tell the committer). */
  private readonly preCommitted = new Map<number, PartTxn>();

  constructor(
    readonly directory: string,
    private readonly options: FileSystemSinkOptions,
    private readonly line: (row: readonly unknown[]) => string,
    private readonly bucketOf: (row: readonly unknown[]) => string,
  ) {}

  restoreSubtaskState(context: SinkWriterContext, union: readonly unknown[]): void {
    const subtask = context.subtaskIndex;
    const own = (union as Array<{ subtask: number; run: string; nextPart: number }>).find((e) => e?.subtask === subtask);
    const previous = this.runs.get(subtask);
    if (context.attemptNumber > 0 && own !== undefined) {
      const nextPart = previous?.run === own.run ? Math.max(previous.nextPart, own.nextPart) : own.nextPart;
      this.runs.set(subtask, { run: own.run, nextPart, nextTxn: previous?.nextTxn ?? 0 });
    } else if (!(context.attemptNumber > 0 && previous !== undefined)) {
      this.runs.set(subtask, { run: randomUUID(), nextPart: 0, nextTxn: 0 });
    }
    if (context.attemptNumber > 0) this.toSweep.add(subtask);
    // Files a failed attempt left open: their descriptors are closed; the sweep removes the files.
    for (const part of this.open.get(subtask)?.values() ?? []) closeQuietly(part.fd);
    this.open.set(subtask, new Map());
  }

  subtaskState(context: SinkWriterContext): unknown {
    const own = this.runOf(context.subtaskIndex);
    return { subtask: context.subtaskIndex, run: own.run, nextPart: own.nextPart };
  }

  beginTransaction(context: SinkWriterContext): PartTxn {
    const subtask = context.subtaskIndex;
    const own = this.runOf(subtask);
    if (this.toSweep.delete(subtask)) this.removeHiddenOf(own.run, subtask);
    return { run: own.run, subtask, id: own.nextTxn++, files: [] };
  }

  write(txn: PartTxn, change: Change, _timestamp: number, context?: TransactionWriteContext): void {
    const now = context?.currentProcessingTime() ?? Date.now();
    const bucket = this.bucketOf(change.row);
    const open = this.openOf(txn.subtask);
    let part = open.get(bucket);
    // Flink's TableRollingPolicy.shouldRollOnEvent: a file past the size limit rolls before the next row.
    if (part !== undefined && part.bytes > this.options.fileSizeBytes) {
      this.closePart(part);
      open.delete(bucket);
      part = undefined;
    }
    if (part === undefined) {
      const own = this.runOf(txn.subtask);
      const file: PartFile = { bucket, name: `part-${own.run}-${txn.subtask}-${own.nextPart++}` };
      mkdirSync(join(this.directory, bucket), { recursive: true });
      part = { file, fd: openSync(this.hiddenPath(file), 'w'), bytes: 0, createdAt: now, lastWriteAt: now, buffered: [], bufferedBytes: 0 };
      open.set(bucket, part);
      txn.files.push(file);
    }
    const text = this.line(change.row) + '\n';
    const size = Buffer.byteLength(text);
    part.buffered.push(text);
    part.bufferedBytes += size;
    part.bytes += size;
    part.lastWriteAt = now;
    if (part.bufferedBytes >= WRITE_BUFFER_BYTES) flush(part);
  }

  /** Rolls the subtask's part files that are too old or idle too long (Flink's shouldRollOnProcessingTime). */
  onProcessingTime(subtask: number, now: number): void {
    const open = this.openOf(subtask);
    for (const [bucket, part] of open) {
      if (now - part.createdAt >= this.options.rolloverIntervalMs || now - part.lastWriteAt >= this.options.inactivityIntervalMs) {
        this.closePart(part);
        open.delete(bucket);
      }
    }
  }

  /** How many part files the subtask has open (for tests and metrics). */
  openParts(subtask: number): number { return this.openOf(subtask).size; }

  preCommit(txn: PartTxn): void {
    // Every checkpoint rolls the open files: only closed, synced files are pre-committed.
    const open = this.openOf(txn.subtask);
    for (const part of open.values()) this.closePart(part);
    open.clear();
    this.preCommitted.set(txn.subtask, txn);
  }

  /** The transaction `subtask` pre-committed last, once. */
  takePreCommitted(subtask: number): PartTxn | undefined {
    const txn = this.preCommitted.get(subtask);
    this.preCommitted.delete(subtask);
    return txn;
  }

  commit(txn: PartTxn): void { commitPartFiles(this.directory, txn.files); }

  abort(txn: PartTxn): void {
    const open = this.openOf(txn.subtask);
    for (const file of txn.files) {
      const part = open.get(file.bucket);
      if (part?.file.name === file.name) { closeQuietly(part.fd); open.delete(file.bucket); }
      rmSync(this.hiddenPath(file), { force: true });
    }
  }

  private closePart(part: OpenPart): void {
    flush(part);
    fsyncSync(part.fd);
    closeSync(part.fd);
  }

  private openOf(subtask: number): Map<string, OpenPart> {
    let open = this.open.get(subtask);
    if (open === undefined) this.open.set(subtask, open = new Map());
    return open;
  }

  private runOf(subtask: number): { run: string; nextPart: number; nextTxn: number } {
    let own = this.runs.get(subtask);
    if (own === undefined) this.runs.set(subtask, own = { run: randomUUID(), nextPart: 0, nextTxn: 0 });
    return own;
  }

  private hiddenPath(file: PartFile): string { return join(this.directory, file.bucket, inProgressName(file.name)); }

  /** Removes every hidden part file of `run` and `subtask` under the directory (a failed attempt's). */
  private removeHiddenOf(run: string, subtask: number): void {
    const prefix = `.part-${run}-${subtask}-`;
    const sweep = (dir: string): void => {
      let entries;
      try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        if (e.isDirectory()) sweep(join(dir, e.name));
        else if (e.name.startsWith(prefix) && e.name.endsWith('.inprogress')) rmSync(join(dir, e.name), { force: true });
      }
    };
    sweep(this.directory);
  }
}

/** Renames pre-committed part files to their visible names; idempotent (the writer and the committer both may). */
export function commitPartFiles(directory: string, files: readonly PartFile[]): void {
  for (const file of files) {
    try {
      renameSync(join(directory, file.bucket, inProgressName(file.name)), join(directory, file.bucket, file.name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // renamed before
    }
  }
}

function flush(part: OpenPart): void {
  if (part.buffered.length === 0) return;
  writeSync(part.fd, part.buffered.join(''));
  part.buffered = [];
  part.bufferedBytes = 0;
}

function closeQuietly(fd: number): void {
  try { closeSync(fd); } catch { /* closed before */ }
}

/**
 * Runs a RollingPartFileSink in one subtask: the two-phase commit of TwoPhaseCommitSinkOperator,
 * plus the rolling check on processing time and the commit info for the partition committer.
 */
export class FileSystemWriterOperator extends TwoPhaseCommitSinkOperator<Change, PartTxn> {
  private lastCheckpointId = 0;
  private cancelTimer?: () => void;

  constructor(private readonly parts: RollingPartFileSink, private readonly checkIntervalMs: number) { super(parts); }

  override open(): void {
    super.open();
    this.scheduleCheck();
  }

  override snapshotState(checkpointId: number): OperatorStateSnapshot {
    this.lastCheckpointId = Math.max(this.lastCheckpointId, checkpointId);
    const snapshot = super.snapshotState(checkpointId);
    this.emitInfo(checkpointId);
    return snapshot;
  }

  override endInput(): void | Promise<void> {
    const done = super.endInput();
    // With checkpoints the last transaction commits at the checkpoint after the end of input.
    this.emitInfo(this.context.checkpointingEnabled ? this.lastCheckpointId + 1 : 0);
    return done;
  }

  override async close(): Promise<void> {
    this.cancelTimer?.();
    await super.close();
  }

  private emitInfo(checkpointId: number): void {
    const txn = this.parts.takePreCommitted(this.context.subtaskIndex);
    if (txn === undefined || txn.files.length === 0) return;
    const info: PartitionCommitInfo = {
      checkpointId, subtask: this.context.subtaskIndex, files: txn.files, partitions: [...new Set(txn.files.map((f) => f.bucket))],
    };
    (this.output as unknown as { collect(v: PartitionCommitInfo, t: number): void }).collect(info, NO_TIMESTAMP);
  }

  private scheduleCheck(): void {
    const at = this.context.clock.now() + this.checkIntervalMs;
    this.cancelTimer = this.context.registerProcessingTimer(at, (time) => {
      this.parts.onProcessingTime(this.context.subtaskIndex, time);
      this.scheduleCheck();
    });
  }
}
