// PostgresSink: writes records as rows of a PostgreSQL table, batched into multi-row statements,
// as a two-phase-commit sink.
//
// exactly-once (default): each checkpoint interval's rows go into one database transaction of the
// subtask; at the checkpoint barrier it is prepared (PREPARE TRANSACTION, durable but invisible;
// the barrier waits for it), and committed (COMMIT PREPARED) when the checkpoint completes. The
// global transaction id is `<prefix>:<subtask>:<run>:<n>`. After a failure, transactions prepared
// for the restored checkpoint are committed (committing one that is gone counts as done), and
// every other prepared transaction of this prefix is rolled back: those are left by the failed
// attempt (or by an earlier run of the job, on a fresh start). The prefix must be unique per job.
// Needs max_prepared_transactions > 0 on the server; prepared transactions hold locks until the
// checkpoint completes.
//
// at-least-once: rows are written in autocommit batches; at the barrier the sink waits until every
// batch sent is done. After a failure rows since the last checkpoint are written again: with a key
// (an upsert by primary key) that is idempotent, so the table ends up as if written once.
// Imports api/ only (the connections live in a worker thread, see postgres-bridge.ts).
import { randomUUID } from 'node:crypto';
import type { SinkWriterContext } from '../../sinks/sink.ts';
import type { TwoPhaseCommitSink } from '../../sinks/two-phase-commit-sink.ts';
import { PostgresBridge, PostgresError } from './postgres-bridge.ts';
import { columnsQuery, deleteStatement, insertStatement, rowsPerStatement, uniqueKeysQuery } from './postgres-statements.ts';

/** Delivery guarantee of a PostgresSink. */
export type PostgresSinkGuarantee = 'exactly-once' | 'at-least-once';

/** Options of a PostgresSink. */
export interface PostgresSinkOptions<T> {
  /** Connection string, e.g. 'postgres://user@127.0.0.1:5432/db'. */
  readonly url: string;
  /** The table (optionally `schema.table`). */
  readonly table: string;
  /** The columns written, in the order of `toRow`'s values. */
  readonly columns: readonly string[];
  /** Primary key (or unique) columns: rows are upserted by them; required for at-least-once. */
  readonly key?: readonly string[];
  /** Record to column values (default: the record's properties named by `columns`). */
  readonly toRow?: (value: T) => readonly unknown[];
  /** Default 'exactly-once'. */
  readonly guarantee?: PostgresSinkGuarantee;
  /** Start of the prepared transactions' ids, unique per job (default `actorflow_<table>`). */
  readonly transactionPrefix?: string;
  /** Rows per statement (default 500). */
  readonly batchSize?: number;
  /** Records for which this is true delete the row with their key (needs `key`), e.g. a changelog's -D. */
  readonly isDelete?: (value: T) => boolean;
}

/**
 * A transaction of one subtask (msgpack-encodable: it lives in checkpoints). `rows`: an upsert
 * transaction deferred at its barrier (an earlier one was still uncommitted), written at commit.
 */
export interface PostgresTxn { readonly gid: string; readonly subtask: number; prepared: boolean; rows?: Array<{ row: unknown[]; del: boolean }> }

/** What a subtask keeps in union state: its prepared, not yet committed transactions. */
interface SubtaskPending { readonly subtask: number; readonly pending: string[] }

/** One subtask attempt's writing state in this process. */
interface Writer {
  readonly attempt: number;
  readonly run: string;
  readonly lane: string;
  next: number;
  params: unknown[];
  rows: number;
  /** With a key: the batch's rows by key (one statement may not upsert a key twice; the last write wins), and whether each deletes. */
  byKey: Map<string, { row: readonly unknown[]; del: boolean }> | undefined;
  /** A database transaction is open on the lane (exactly-once). */
  began: boolean;
  /** Batches were sent since the lane last answered (at-least-once). */
  unchecked: boolean;
  current: string | undefined;
  readonly pending: Set<string>;
}

/** Writes rows to PostgreSQL: exactly-once with prepared transactions, or at-least-once upserts. */
export class PostgresSink<T> implements TwoPhaseCommitSink<T, PostgresTxn> {
  readonly guarantee: PostgresSinkGuarantee;
  private readonly toRow: (value: T) => readonly unknown[];
  private readonly prefix: string;
  private readonly perStatement: number;
  private bridge: PostgresBridge | undefined;
  private readonly writers = new Map<number, Writer>();
  private validated = false;
  /** Positions of the key columns in a row, when upserting. */
  private readonly keyIndexes: number[] | undefined;

  constructor(private readonly options: PostgresSinkOptions<T>) {
    const where = 'PostgresSink';
    if (typeof options.url !== 'string' || options.url === '') throw new TypeError(`${where}: url must be a connection string`);
    if (typeof options.table !== 'string' || options.table === '') throw new TypeError(`${where}: table must be a non-empty name`);
    const columns = options.columns;
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && c !== '')) throw new TypeError(`${where}: columns must be a non-empty list of column names`);
    if (new Set(columns).size !== columns.length) throw new TypeError(`${where}: columns has duplicates`);
    for (const k of options.key ?? []) if (!columns.includes(k)) throw new TypeError(`${where}: key column "${k}" is not among the columns written`);
    if (options.isDelete !== undefined && !(options.key && options.key.length > 0)) throw new TypeError(`${where}: deletes (isDelete) need a key to delete by`);
    this.guarantee = options.guarantee ?? 'exactly-once';
    if (this.guarantee !== 'exactly-once' && this.guarantee !== 'at-least-once') throw new TypeError(`${where}: guarantee must be 'exactly-once' or 'at-least-once', got ${JSON.stringify(this.guarantee)}`);
    if (this.guarantee === 'at-least-once' && !(options.key && options.key.length > 0)) throw new TypeError(`${where}: at-least-once needs a key (rows written again after a failure are upserted by it)`);
    this.prefix = options.transactionPrefix ?? `actorflow_${options.table.replace(/[^\w]/g, '_')}`;
    if (!/^[\w.-]{1,100}$/.test(this.prefix)) throw new TypeError(`${where}: transactionPrefix must be 1-100 letters, digits, '_', '.' or '-', got ${JSON.stringify(this.prefix)}`);
    const batchSize = options.batchSize ?? 500;
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`${where}: batchSize must be a positive integer`);
    this.perStatement = rowsPerStatement(batchSize, columns.length);
    this.keyIndexes = options.key && options.key.length > 0 ? options.key.map((k) => columns.indexOf(k)) : undefined;
    this.toRow = options.toRow ?? ((value) => columns.map((c) => (value as Record<string, unknown>)[c]));
  }

  restoreSubtaskState(context: SinkWriterContext, union: readonly unknown[]): void {
    if (this.guarantee !== 'exactly-once') return;
    const keep = new Set((union as SubtaskPending[]).flatMap((e) => e?.pending ?? []));
    const bridge = this.connect();
    const rows = this.sync(() => bridge.querySync<{ gid: string }>('admin',
      'SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND left(gid, length($1)) = $1', [`${this.prefix}:`]));
    // Subtask i cleans the transactions of former subtasks f with f mod p = i: no two clean the same.
    for (const { gid } of rows) {
      const former = Number(gid.slice(this.prefix.length + 1).split(':')[0]);
      if (keep.has(gid) || !(former % context.parallelism === context.subtaskIndex)) continue;
      this.rollbackPreparedSync(gid);
    }
  }

  subtaskState(context: SinkWriterContext): unknown {
    const w = this.writers.get(context.subtaskIndex);
    return { subtask: context.subtaskIndex, pending: w ? [...w.pending] : [] } satisfies SubtaskPending;
  }

  beginTransaction(context: SinkWriterContext): PostgresTxn {
    const subtask = context.subtaskIndex;
    let w = this.writers.get(subtask);
    if (w === undefined || w.attempt !== context.attemptNumber) {
      this.validate();
      const run = randomUUID().slice(0, 8);
      w = { attempt: context.attemptNumber, run, lane: `s${subtask}:${run}`, next: 0, params: [], rows: 0, byKey: this.keyIndexes ? new Map() : undefined, began: false, unchecked: false, current: undefined, pending: new Set() };
      this.writers.set(subtask, w);
    }
    const txn: PostgresTxn = { gid: `${this.prefix}:${subtask}:${w.run}:${w.next++}`, subtask, prepared: false };
    w.current = txn.gid;
    return txn;
  }

  write(txn: PostgresTxn, value: T): void {
    const w = this.writers.get(txn.subtask)!;
    const row = this.toRow(value);
    if (row.length !== this.options.columns.length) throw new TypeError(`PostgresSink: a row has ${row.length} values for ${this.options.columns.length} columns (${this.options.columns.join(', ')})`);
    if (w.byKey !== undefined) {
      const k = this.keyIndexes!.length === 1 ? keyText(row[this.keyIndexes![0]]) : this.keyIndexes!.map((i) => keyText(row[i])).join('\u0000');
      w.byKey.delete(k); // re-inserted last: the batch keeps write order
      w.byKey.set(k, { row, del: this.options.isDelete?.(value) === true });
      if (w.byKey.size >= this.perStatement) this.sendBatch(w);
      return;
    }
    for (let i = 0; i < row.length; i++) w.params.push(row[i]);
    if (++w.rows >= this.perStatement) this.sendBatch(w);
  }

  preCommit(txn: PostgresTxn): void {
    const w = this.writers.get(txn.subtask);
    if (w === undefined || w.current !== txn.gid) return;
    if (this.deferring(w)) {
      // Writing now would wait for row locks of the uncommitted earlier transaction, whose commit
      // this thread cannot run while it waits: the rows go into the checkpoint and commit() writes them.
      if (w.byKey!.size > 0) {
        txn.rows = [...w.byKey!.values()].map(({ row, del }) => ({ row: [...row], del }));
        w.byKey!.clear();
        w.pending.add(txn.gid);
      }
      return;
    }
    this.sendBatch(w);
    const bridge = this.bridge!;
    if (this.guarantee === 'at-least-once') {
      // Every batch sent is in the table before the barrier passes (the lane answers in order).
      if (w.unchecked) this.sync(() => bridge.querySync(w.lane, 'SELECT 1'));
      w.unchecked = false;
      return;
    }
    if (!w.began) return; // nothing written: nothing to prepare
    this.sync(() => bridge.querySync(w.lane, `PREPARE TRANSACTION ${literal(txn.gid)}`));
    w.began = false;
    txn.prepared = true;
    w.pending.add(txn.gid);
  }

  async commit(txn: PostgresTxn): Promise<void> {
    const w = this.writers.get(txn.subtask);
    if (txn.rows !== undefined) {
      // A deferred upsert transaction: written again after a failure, which upserts make idempotent.
      // A connection of its own: the shared admin lane takes other subtasks' commits and rollbacks meanwhile.
      const lane = `deferred:${txn.gid}`;
      const bridge = this.connect();
      try {
        await bridge.query(lane, 'BEGIN');
        for (const [sql, params] of this.statements(txn.rows)) await bridge.query(lane, sql, params);
        await bridge.query(lane, 'COMMIT');
      } catch (error) {
        await bridge.query(lane, 'ROLLBACK').catch(() => {});
        throw this.describe(error);
      } finally {
        await bridge.close(lane).catch(() => {});
      }
    } else if (txn.prepared) {
      try {
        await this.connect().query('admin', `COMMIT PREPARED ${literal(txn.gid)}`);
      } catch (error) {
        // Gone: committed by an earlier attempt of this commit (commit is idempotent).
        if (!(error instanceof PostgresError && error.code === '42704')) throw this.describe(error);
      }
    }
    w?.pending.delete(txn.gid);
    if (w !== undefined && w.current === txn.gid) await this.closeWriter(txn.subtask, w);
    // Rows held back while this transaction was uncommitted can go to the database now.
    else if (w !== undefined && this.writers.get(txn.subtask) === w && !this.deferring(w) && (w.byKey?.size ?? 0) >= this.perStatement) this.sendBatch(w);
  }

  async abort(txn: PostgresTxn): Promise<void> {
    const w = this.writers.get(txn.subtask);
    if (w !== undefined && w.current === txn.gid) {
      // This attempt's open transaction: the subtask is closing.
      if (w.began) await this.bridge!.query(w.lane, 'ROLLBACK').catch(() => {});
      await this.closeWriter(txn.subtask, w);
      return;
    }
    // Restored from a checkpoint: it may have been prepared after that checkpoint.
    if (this.guarantee === 'exactly-once') {
      await this.connect().query('admin', `ROLLBACK PREPARED ${literal(txn.gid)}`).catch((error) => {
        if (!(error instanceof PostgresError && error.code === '42704')) throw this.describe(error);
      });
    }
  }

  /**
   * Whether an upsert writer holds its rows back: exactly-once with an earlier transaction of the
   * subtask prepared but not committed (its row locks would block the writes; holding costs at most
   * one row per key).
   */
  private deferring(w: Writer): boolean {
    return this.guarantee === 'exactly-once' && w.byKey !== undefined && w.pending.size > 0;
  }

  /** The statements writing `entries` (one per key): deletes and upserts, at most perStatement rows each. */
  private statements(entries: ReadonlyArray<{ row: readonly unknown[]; del: boolean }>): Array<[string, unknown[]]> {
    const out: Array<[string, unknown[]]> = [];
    const key = this.options.key!;
    for (let i = 0; i < entries.length; i += this.perStatement) {
      const chunk = entries.slice(i, i + this.perStatement);
      const dels = chunk.filter((e) => e.del);
      const ups = chunk.filter((e) => !e.del);
      if (dels.length > 0) out.push([deleteStatement(this.options.table, key, dels.length), dels.flatMap((e) => this.keyIndexes!.map((k) => e.row[k]))]);
      if (ups.length > 0) out.push([insertStatement(this.options.table, this.options.columns, key, ups.length), ups.flatMap((e) => [...e.row])]);
    }
    return out;
  }

  /** Sends the buffered rows as one statement (opening the database transaction first if needed). */
  private sendBatch(w: Writer): void {
    if (this.deferring(w)) return;
    // A batch holds one change per key: its upserts and deletes touch different rows, in either order.
    const deleteParams: unknown[] = [];
    let deletes = 0;
    if (w.byKey !== undefined && w.byKey.size > 0) {
      for (const { row, del } of w.byKey.values()) {
        if (del) {
          for (const i of this.keyIndexes!) deleteParams.push(row[i]);
          deletes++;
        } else {
          for (let i = 0; i < row.length; i++) w.params.push(row[i]);
          w.rows++;
        }
      }
      w.byKey.clear();
    }
    if (w.rows === 0 && deletes === 0) return;
    const bridge = this.connect();
    if (this.guarantee === 'exactly-once' && !w.began) {
      bridge.send(w.lane, 'BEGIN', []);
      w.began = true;
    }
    if (deletes > 0) {
      bridge.send(w.lane, deleteStatement(this.options.table, this.options.key!, deletes), deleteParams);
      w.unchecked = true;
    }
    if (w.rows === 0) return;
    bridge.send(w.lane, insertStatement(this.options.table, this.options.columns, this.options.key, w.rows), w.params);
    w.params = [];
    w.rows = 0;
    w.unchecked = true;
  }

  /** Checks once that the table, its columns and the key exist (and prepared transactions are enabled). */
  private validate(): void {
    if (this.validated) return;
    const bridge = this.connect();
    const { table, columns, key } = this.options;
    const cq = columnsQuery(table);
    const existing = new Set(this.sync(() => bridge.querySync<{ name: string }>('admin', cq.sql, cq.params)).map((r) => r.name));
    if (existing.size === 0) throw new Error(`PostgresSink: table "${table}" does not exist`);
    for (const c of columns) if (!existing.has(c)) throw new Error(`PostgresSink: column "${c}" does not exist in table "${table}"`);
    if (key && key.length > 0) {
      const uq = uniqueKeysQuery(table);
      const keys = this.sync(() => bridge.querySync<{ cols: string[] }>('admin', uq.sql, uq.params)).map((r) => [...r.cols].sort().join(','));
      if (!keys.includes([...key].sort().join(','))) throw new Error(`PostgresSink: key (${key.join(', ')}) of table "${table}" is neither its primary key nor a unique constraint (an upsert needs one)`);
    }
    if (this.guarantee === 'exactly-once') {
      const [{ max_prepared_transactions: max }] = this.sync(() => bridge.querySync<{ max_prepared_transactions: string }>('admin', 'SHOW max_prepared_transactions'));
      if (Number(max) === 0) throw new Error('PostgresSink: exactly-once needs prepared transactions, and the server has max_prepared_transactions = 0 (raise it, or use at-least-once with a key)');
    }
    this.validated = true;
  }

  private rollbackPreparedSync(gid: string): void {
    try {
      this.bridge!.querySync('admin', `ROLLBACK PREPARED ${literal(gid)}`);
    } catch (error) {
      if (!(error instanceof PostgresError && error.code === '42704')) throw this.describe(error);
    }
  }

  private async closeWriter(subtask: number, w: Writer): Promise<void> {
    if (this.writers.get(subtask) === w) this.writers.delete(subtask);
    const bridge = this.bridge;
    if (bridge === undefined) return;
    await bridge.close(w.lane).catch(() => {});
    // The worker never keeps the process alive; it is stopped once nothing uses it.
    if (this.writers.size === 0 && this.bridge === bridge && !bridge.busy) {
      this.bridge = undefined;
      this.validated = false;
      await bridge.terminate();
    }
  }

  private connect(): PostgresBridge {
    return (this.bridge ??= new PostgresBridge(this.options.url));
  }

  /** Runs a blocking call, naming the sink and server in its error. */
  private sync<R>(call: () => R): R {
    try {
      return call();
    } catch (error) {
      throw this.describe(error);
    }
  }

  private describe(error: unknown): Error {
    const e = error as PostgresError;
    const where = `PostgresSink (table "${this.options.table}" at ${redact(this.options.url)})`;
    if (e?.code === '42P01') return new Error(`${where}: table "${this.options.table}" does not exist (${e.message})`, { cause: error });
    if (e?.code === '42703') return new Error(`${where}: ${e.message}`, { cause: error });
    return new Error(`${where}: ${e?.message ?? String(error)}`, { cause: error });
  }
}

/** A key value as text for grouping a batch (types PostgreSQL would compare equal map alike). */
function keyText(value: unknown): string {
  if (value instanceof Date) return `d${value.getTime()}`;
  return typeof value === 'string' ? `s${value}` : `v${String(value)}`;
}

/** A SQL string literal. */
function literal(text: string): string { return `'${text.replace(/'/g, "''")}'`; }

/** The URL without its password. */
function redact(url: string): string { return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@'); }
