// CollectSink: gathers every record into an in-process array (what executeAndCollect reads in
// the embedded mini cluster, where sink and client share one process). ExactlyOnceCollectSink is
// its transactional form for jobs with checkpoints: a transaction's records are appended when its
// checkpoint completes, so records replayed after a failure are never collected twice.
import type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';
import type { TwoPhaseCommitSink } from './two-phase-commit-sink.ts';

/** Appends every record to `results`. */
export class CollectSink<T> implements Sink<T> {
  /** The collected records, in arrival order per subtask. */
  readonly results: T[];
  constructor(results: T[] = []) { this.results = results; }

  createWriter(): SinkWriter<T> {
    const results = this.results;
    return { write: (value) => { results.push(value); } };
  }
}

/** A transaction of ExactlyOnceCollectSink: its id (records stay in the sink, in this process). */
export interface CollectTxn { readonly id: string }

let collectSinks = 0;

/** Appends the records of each transaction to `results` when its checkpoint completes. */
export class ExactlyOnceCollectSink<T> implements TwoPhaseCommitSink<T, CollectTxn> {
  readonly results: T[];
  private readonly open = new Map<string, T[]>();
  private readonly precommitted = new Map<string, T[]>();
  /**
   * Unique in the process, and of one length (base 36, six digits), so that how many sinks were
   * made before never changes the size of the state this one writes: two simulation runs of one
   * seed in one process then write equally long checkpoints.
   */
  private readonly sinkId = (collectSinks++).toString(36).padStart(6, '0');
  private nextTxn = 0;
  constructor(results: T[] = []) { this.results = results; }

  beginTransaction(context: SinkWriterContext): CollectTxn {
    // Ids are unique across attempts: a restored checkpoint names transactions of earlier attempts.
    const txn = { id: `${this.sinkId}-${context.subtaskIndex}-${context.attemptNumber}-${this.nextTxn++}` };
    this.open.set(txn.id, []);
    return txn;
  }

  write(txn: CollectTxn, value: T): void { this.open.get(txn.id)!.push(value); }

  preCommit(txn: CollectTxn): void {
    const records = this.open.get(txn.id);
    this.open.delete(txn.id);
    if (records) this.precommitted.set(txn.id, records);
  }

  commit(txn: CollectTxn): void {
    const records = this.precommitted.get(txn.id);
    if (records === undefined) return; // committed before (commit is idempotent)
    this.precommitted.delete(txn.id);
    for (let i = 0; i < records.length; i++) this.results.push(records[i]);
  }

  abort(txn: CollectTxn): void {
    this.open.delete(txn.id);
    this.precommitted.delete(txn.id);
  }
}
