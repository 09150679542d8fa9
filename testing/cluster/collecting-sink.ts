// A transactional sink into an external system that every process of a simulated cluster
// shares (as a database outside the cluster would be): a transaction's records are staged there
// at its pre-commit and become visible at its commit, once, however often the commit is retried;
// records of aborted transactions or of a process that died before its pre-commit are never seen.
// Transaction ids come from the store, so they are unique across attempts and JobManager leaders.
// Exactly-once output through the real two-phase-commit operator. Imports api/ only.
import type { SinkWriterContext } from '../../api/sinks/sink.ts';
import type { TwoPhaseCommitSink } from '../../api/sinks/two-phase-commit-sink.ts';

/** The shared external system: staged transactions and committed records. */
export class CollectingStore<T> {
  /** Records of committed transactions, in commit order. */
  readonly committed: T[] = [];
  /** Pre-committed transactions, by id, not yet committed. */
  readonly staged = new Map<string, T[]>();
  /** Ids of committed transactions. */
  readonly committedIds = new Set<string>();
  /** Commits that found their transaction already committed (retries after recovery). */
  repeatedCommits = 0;
  /** Commits of transactions that were never staged: records lost (a checker fails on any). */
  unknownCommits = 0;
  private nextId = 0;

  /** A fresh transaction id. */
  newTransaction(): string { return `txn-${this.nextId++}`; }
}

/** A transaction of a CollectingSink. */
export interface CollectingTxn { readonly id: string }

/** Writes records through transactions into a CollectingStore. */
export class CollectingSink<T> implements TwoPhaseCommitSink<T, CollectingTxn> {
  /** Records of open transactions: in the writing process only, lost with it. */
  private readonly open = new Map<string, T[]>();

  constructor(readonly store: CollectingStore<T>) {}

  beginTransaction(_context: SinkWriterContext): CollectingTxn {
    const txn = { id: this.store.newTransaction() };
    this.open.set(txn.id, []);
    return txn;
  }

  write(txn: CollectingTxn, value: T): void {
    const records = this.open.get(txn.id);
    if (records === undefined) throw new Error(`transaction ${txn.id} is not open in this process`);
    records.push(value);
  }

  preCommit(txn: CollectingTxn): void {
    const records = this.open.get(txn.id) ?? [];
    this.open.delete(txn.id);
    this.store.staged.set(txn.id, records);
  }

  commit(txn: CollectingTxn): void {
    const records = this.store.staged.get(txn.id);
    if (records === undefined) {
      if (this.store.committedIds.has(txn.id)) this.store.repeatedCommits++; else this.store.unknownCommits++;
      return;
    }
    this.store.staged.delete(txn.id);
    this.store.committedIds.add(txn.id);
    for (const r of records) this.store.committed.push(r);
  }

  abort(txn: CollectingTxn): void {
    this.open.delete(txn.id);
    this.store.staged.delete(txn.id);
  }
}
