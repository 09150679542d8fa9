// TwoPhaseCommitSink and the operator that drives it (Flink's TwoPhaseCommitSinkFunction):
// records go into a transaction; at a checkpoint barrier the transaction is pre-committed and
// remembered in operator state; when the checkpoint completes it is committed. After a failure,
// transactions pre-committed for the restored checkpoint are committed (commit must be
// idempotent) and the rest aborted, so every record becomes visible exactly once.
// Imports api/ only.
import type { SinkWriterContext } from './sink.ts';
import { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorStateSnapshot, StateInitializationContext } from '../operators/stream-operator.ts';

/** What a transactional sink's write may read of its subtask: processing time and watermark. */
export interface TransactionWriteContext {
  currentProcessingTime(): number;
  currentWatermark(): number;
}

/** A transactional sink. Transactions must be msgpack-encodable (they live in checkpoints). */
export interface TwoPhaseCommitSink<T, Txn> {
  /** Starts a transaction for the subtask described by `context`. */
  beginTransaction(context: SinkWriterContext): Txn;
  /** Adds a record to a transaction (the operator always passes `context`; direct callers may not). */
  write(txn: Txn, value: T, timestamp: number, context?: TransactionWriteContext): void;
  /** Makes the transaction durable but not yet visible; synchronous (runs at the barrier). */
  preCommit(txn: Txn): void;
  /** Makes a pre-committed transaction visible; must be idempotent (it may run again after recovery). */
  commit(txn: Txn): void | Promise<void>;
  /** Discards a transaction; must tolerate transactions that were never pre-committed. */
  abort(txn: Txn): void | Promise<void>;
  /**
   * Restores per-subtask bookkeeping (e.g. part counters) from union state; optional. Called once
   * per subtask attempt before its first transaction, with `[]` when nothing is restored (also
   * when the job takes no checkpoints), so a sink may reset what belongs to one run there.
   */
  restoreSubtaskState?(context: SinkWriterContext, union: readonly unknown[]): void;
  /** Per-subtask bookkeeping to keep in union state; optional. */
  subtaskState?(context: SinkWriterContext): unknown;
}

interface PendingTxn<Txn> { readonly checkpointId: number; readonly txn: Txn }

/** Runs a TwoPhaseCommitSink in one subtask. */
export class TwoPhaseCommitSinkOperator<T, Txn> extends AbstractStreamOperator<never> implements OneInputStreamOperator<T, never> {
  private current: Txn | undefined;
  private pending: PendingTxn<Txn>[] = [];
  private writerContext!: SinkWriterContext;
  private lastSnapshotId = 0;
  private restored = false;
  private readonly writeContext: TransactionWriteContext = {
    currentProcessingTime: () => this.context.clock.now(),
    currentWatermark: () => this.currentWatermark,
  };

  constructor(private readonly sink: TwoPhaseCommitSink<T, Txn>) { super(); }

  async initializeState(state: StateInitializationContext): Promise<void> {
    this.writerContext = this.sinkContext();
    this.sink.restoreSubtaskState?.(this.writerContext, state.union);
    this.restored = true;
    for (const entry of state.list as Array<{ pending?: PendingTxn<Txn>; current?: Txn }>) {
      // Pre-committed for a checkpoint that completed (we restore from it): make visible.
      if (entry.pending) await this.sink.commit(entry.pending.txn);
      // Begun after that checkpoint: its records will be replayed.
      if (entry.current !== undefined) await this.sink.abort(entry.current);
    }
  }

  override open(): void {
    this.writerContext ??= this.sinkContext();
    // Without checkpoints initializeState does not run: the sink still learns that an attempt starts.
    if (!this.restored) this.sink.restoreSubtaskState?.(this.writerContext, []);
    this.restored = true;
    this.current = this.sink.beginTransaction(this.writerContext);
  }

  processElement(value: T, timestamp: number): void {
    this.sink.write(this.current!, value, timestamp, this.writeContext);
  }

  snapshotState(checkpointId: number): OperatorStateSnapshot {
    this.lastSnapshotId = Math.max(this.lastSnapshotId, checkpointId);
    if (this.current !== undefined) {
      this.sink.preCommit(this.current);
      this.pending.push({ checkpointId, txn: this.current });
      this.current = this.sink.beginTransaction(this.writerContext);
    }
    const list: unknown[] = this.pending.map((pending) => ({ pending }));
    list.push({ current: this.current });
    const own = this.sink.subtaskState?.(this.writerContext);
    return { list, union: own === undefined ? [] : [own] };
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    while (this.pending.length && this.pending[0].checkpointId <= checkpointId) {
      await this.sink.commit(this.pending.shift()!.txn);
    }
  }

  /** End of a bounded input: without checkpoints the last transaction commits now; with them, at the final checkpoint. */
  endInput(): void | Promise<void> {
    if (this.current === undefined) return;
    this.sink.preCommit(this.current);
    const last = this.current;
    this.current = undefined;
    if (this.context.checkpointingEnabled) {
      // Only a checkpoint taken after the end of input contains this transaction.
      this.pending.push({ checkpointId: this.lastSnapshotId + 1, txn: last });
      return;
    }
    return this.sink.commit(last);
  }

  override async close(): Promise<void> {
    if (this.current !== undefined) await this.sink.abort(this.current);
    this.current = undefined;
  }

  private sinkContext(): SinkWriterContext {
    const c = this.context;
    return { subtaskIndex: c.subtaskIndex, parallelism: c.parallelism, attemptNumber: c.attemptNumber, operatorName: c.operatorName };
  }
}
