// PostgresCdcSource: change data capture from a logical replication slot (test_decoding output),
// emitting a changelog: `+I` for an insert, `-U` then `+U` for an update, `-D` for a delete, each
// with the table and the row. Reads through SQL functions on a plain connection
// (pg_logical_slot_peek_changes), so it works with the same client on Node and Deno; whole
// transactions are emitted within one poll, so the position is the commit LSN of the last
// transaction emitted, and a checkpoint never splits a transaction. The slot's confirmed position
// advances (pg_replication_slot_advance) only when a checkpoint holding a later position
// completes: recovery neither loses nor repeats a change. Completion reaches the reader through a
// pass-through operator chained to the source: build the stream with `PostgresCdcSource.stream`.
// Limits: one split (parallelism 1); changes after the slot was created (no initial snapshot);
// updates and deletes carry whole old rows only under REPLICA IDENTITY FULL, which the source
// checks for the tables it is given; every poll re-reads the slot from its confirmed position,
// so long checkpoint intervals at high change rates cost re-reading. Imports api/ and pg only.
import pg from 'pg';
import { AbstractStreamOperator } from '../../operators/abstract-stream-operator.ts';
import type { OneInputStreamOperator } from '../../operators/stream-operator.ts';
import { StaticSplitEnumerator } from '../../sources/static-split-enumerator.ts';
import type { Boundedness, InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../sources/source.ts';
import type { StreamExecutionEnvironment } from '../../environment/stream-execution-environment.ts';
import type { DataStream } from '../../datastream/data-stream.ts';
import { lsnValue, parseChange } from './test-decoding-parser.ts';

/** A changelog operation (Flink's RowKind). */
export type ChangeOp = '+I' | '-U' | '+U' | '-D';

/** One change of one row. */
export interface ChangeRecord { readonly op: ChangeOp; readonly table: string; readonly row: Record<string, unknown> }

/** Options of a PostgresCdcSource. */
export interface PostgresCdcSourceOptions {
  readonly url: string;
  /** The logical replication slot (created with test_decoding if missing). */
  readonly slot: string;
  /** Only these tables ('schema.table'; default: every table). Each must have REPLICA IDENTITY FULL. */
  readonly tables?: readonly string[];
  /** Stop at the WAL position current when the job starts (default false). */
  readonly bounded?: boolean;
  /** How often an idle reader looks for changes (default 200 ms). */
  readonly pollIntervalMs?: number;
  /** Changes read per query at most (default 10,000; whole transactions are kept together). */
  readonly fetchSize?: number;
}

/** The slot's split: the commit LSN of the last transaction emitted ('' before the first). */
export interface CdcSplit extends SourceSplit { readonly slot: string; readonly lsn: string; readonly end?: string }

interface Txn { readonly commit: string; readonly changes: ChangeRecord[] }

/** Reads the slot's changes. */
class CdcReader implements SourceReader<ChangeRecord, CdcSplit> {
  private split: CdcSplit | undefined;
  private noMoreSplits = false;
  private client: pg.Client | undefined;
  private ready: Promise<void> | undefined;
  private buffer: Txn[] = [];
  private fetching = false;
  private finished = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private lastFetchAt = -Infinity;
  /** Positions of the snapshots taken, by checkpoint id, until their completion. */
  private readonly snapshots = new Map<number, string>();
  private closed = false;
  /** Changes read per peek: grows while the emitted part since the slot's position fills it. */
  private window: number;

  constructor(private readonly options: PostgresCdcSourceOptions, private readonly context: SourceReaderContext) {
    this.window = options.fetchSize ?? 10_000;
  }

  start(): void {}

  pollNext(output: ReaderOutput<ChangeRecord>): InputStatus {
    if (this.failure) throw this.failure;
    if (this.split === undefined) return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
    let emitted = 0;
    while (this.buffer.length > 0 && emitted < 1024) {
      const txn = this.buffer.shift()!;
      for (const change of txn.changes) output.collect(change);
      emitted += txn.changes.length;
      this.split = { ...this.split, lsn: txn.commit };
    }
    if (this.buffer.length > 0) return 'more-available';
    if (this.finished) { this.split = undefined; return 'end-of-input'; }
    this.fetch();
    return emitted > 0 ? 'more-available' : 'nothing-available';
  }

  isAvailable(): Promise<void> {
    if (this.failure || this.buffer.length > 0 || this.finished) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      if (!this.fetching) {
        const wait = Math.max(0, this.lastFetchAt + (this.options.pollIntervalMs ?? 200) - this.context.clock.now());
        this.context.clock.schedule(wait, () => this.wakeUp());
      }
    });
  }

  addSplits(splits: CdcSplit[]): void {
    this.split = { ...splits[0] };
    this.wakeUp();
  }

  notifyNoMoreSplits(): void { this.noMoreSplits = true; this.wakeUp(); }

  snapshotState(checkpointId: number): CdcSplit[] {
    if (this.split === undefined) return [];
    this.snapshots.set(checkpointId, this.split.lsn);
    return [{ ...this.split }];
  }

  /** Checkpoint `checkpointId` completed: the slot may forget what it held before that position. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const lsn = this.snapshots.get(checkpointId);
    for (const id of this.snapshots.keys()) if (id <= checkpointId) this.snapshots.delete(id);
    if (!lsn || this.closed) return;
    await this.ready;
    this.window = this.options.fetchSize ?? 10_000;
    await this.client!.query('SELECT pg_replication_slot_advance($1, $2::pg_lsn)', [this.options.slot, lsn]).catch((error: Error) => {
      // Advancing to where the slot already is (or behind it) is harmless; anything else fails the job.
      if (!/cannot advance replication slot to .* minimum is/.test(error.message)) throw new Error(`PostgresCdcSource: advancing slot '${this.options.slot}' failed: ${error.message}`, { cause: error });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp();
    await this.ready?.catch(() => {});
    await this.client?.end().catch(() => {});
  }

  private fetch(): void {
    if (this.fetching || this.closed || this.context.clock.now() - this.lastFetchAt < (this.options.pollIntervalMs ?? 200)) return;
    this.fetching = true;
    this.lastFetchAt = this.context.clock.now();
    this.read().then(
      () => { this.fetching = false; this.wakeUp(); },
      (error: Error) => { this.fetching = false; this.failure ??= new Error(`PostgresCdcSource (slot '${this.options.slot}'): ${error.message}`, { cause: error }); this.wakeUp(); },
    );
  }

  private async read(): Promise<void> {
    this.ready ??= this.open();
    await this.ready;
    const split = this.split!;
    const after = split.lsn ? lsnValue(split.lsn) : -1n;
    const end = split.end ? lsnValue(split.end) : undefined;
    // Peeking starts at the slot's confirmed position: skip what was emitted since.
    const { rows } = await this.client!.query<{ lsn: string; data: string }>(
      "SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_changes($1, NULL, $2, 'include-xids', '0', 'skip-empty-xacts', '1')",
      [this.options.slot, this.window]);
    const tables = this.options.tables ? new Set(this.options.tables.map(qualified)) : undefined;
    let changes: ChangeRecord[] = [];
    let fresh = 0;
    for (const { lsn, data } of rows) {
      if (data.startsWith('BEGIN')) { changes = []; continue; }
      if (data.startsWith('COMMIT')) {
        const at = lsnValue(lsn);
        if (at <= after || (this.buffer.length > 0 && at <= lsnValue(this.buffer[this.buffer.length - 1].commit))) continue;
        if (end !== undefined && at > end) { this.finished = true; break; }
        this.buffer.push({ commit: lsn, changes });
        fresh++;
        continue;
      }
      const change = parseChange(data);
      if (change === undefined || (tables && !tables.has(change.table))) continue;
      if (change.kind === 'INSERT') changes.push({ op: '+I', table: change.table, row: change.new! });
      else if (change.kind === 'DELETE') changes.push({ op: '-D', table: change.table, row: change.old ?? {} });
      else {
        if (change.old) changes.push({ op: '-U', table: change.table, row: change.old });
        changes.push({ op: '+U', table: change.table, row: change.new! });
      }
    }
    const full = rows.length >= this.window;
    // Everything peeked was emitted already: look further next time (at once).
    if (fresh === 0 && full) { this.window *= 2; this.lastFetchAt = -Infinity; }
    // Bounded: nothing new below the end means the end is reached.
    if (end !== undefined && fresh === 0 && !full) this.finished = true;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url });
    client.on('error', (error) => { this.failure ??= new Error(`PostgresCdcSource: connection lost: ${error.message}`, { cause: error }); this.wakeUp(); });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot connect to PostgreSQL (${(error as Error).message})`, { cause: error });
    }
    this.client = client;
    const { slot, tables } = this.options;
    const found = await client.query<{ plugin: string }>('SELECT plugin FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (found.rows.length === 0) await client.query("SELECT pg_create_logical_replication_slot($1, 'test_decoding')", [slot]);
    else if (found.rows[0].plugin !== 'test_decoding') throw new Error(`slot '${slot}' uses the ${found.rows[0].plugin} plugin; this source reads test_decoding slots`);
    for (const table of tables ?? []) {
      const r = await client.query<{ ident: string | null }>('SELECT relreplident AS ident FROM pg_class WHERE oid = to_regclass($1)', [table]);
      if (r.rows.length === 0 || r.rows[0].ident === null) throw new Error(`table "${table}" does not exist`);
      if (r.rows[0].ident !== 'f') throw new Error(`table "${table}" needs REPLICA IDENTITY FULL for whole old rows in updates and deletes (ALTER TABLE ${table} REPLICA IDENTITY FULL)`);
    }
    if (this.split && this.split.end === '') {
      const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      this.split = { ...this.split, end: rows[0].lsn };
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Passes records through and tells the source's reader of the same subtask that a checkpoint completed. */
class CheckpointAckOperator extends AbstractStreamOperator<ChangeRecord> implements OneInputStreamOperator<ChangeRecord, ChangeRecord> {
  constructor(private readonly source: PostgresCdcSource) { super(); }
  processElement(value: ChangeRecord, timestamp: number): void { this.output.collect(value, timestamp); }
  notifyCheckpointComplete(checkpointId: number): Promise<void> | void {
    return this.source.readerOf(this.context.subtaskIndex)?.notifyCheckpointComplete(checkpointId);
  }
}

/** Change data capture from a PostgreSQL logical replication slot, as a changelog stream. */
export class PostgresCdcSource implements Source<ChangeRecord, CdcSplit, CdcSplit[]> {
  readonly boundedness: Boundedness;
  readonly maxParallelism = 1;
  private readonly readers = new Map<number, CdcReader>();

  constructor(private readonly options: PostgresCdcSourceOptions) {
    if (typeof options.url !== 'string' || options.url === '') throw new TypeError('PostgresCdcSource: url must be a connection string');
    if (typeof options.slot !== 'string' || !/^[a-z0-9_]{1,63}$/.test(options.slot)) throw new TypeError(`PostgresCdcSource: slot must be 1-63 lower-case letters, digits or '_', got ${JSON.stringify(options.slot)}`);
    this.boundedness = options.bounded ? 'bounded' : 'continuous-unbounded';
  }

  /** The changelog stream of `source`, with checkpoint completion wired to its reader (use this, not fromSource). */
  static stream(env: StreamExecutionEnvironment, source: PostgresCdcSource, name = 'postgres-cdc'): DataStream<ChangeRecord> {
    return env.fromSource(source, undefined, name).setParallelism(1)
      .transform(`${name} checkpoint ack`, () => new CheckpointAckOperator(source)).setParallelism(1);
  }

  /** @internal the reader of subtask `index` in this process. */
  readerOf(index: number): CdcReader | undefined { return this.readers.get(index); }

  createEnumerator(context: SplitEnumeratorContext<CdcSplit>): SplitEnumerator<CdcSplit, CdcSplit[]> {
    return new StaticSplitEnumerator(context, [{ splitId: this.options.slot, slot: this.options.slot, lsn: '', ...(this.options.bounded ? { end: '' } : {}) }]);
  }

  restoreEnumerator(context: SplitEnumeratorContext<CdcSplit>, state: CdcSplit[]): SplitEnumerator<CdcSplit, CdcSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<ChangeRecord, CdcSplit> {
    const reader = new CdcReader(this.options, context);
    this.readers.set(context.subtaskIndex, reader);
    return reader;
  }
}

/** 'accounts' -> 'public.accounts' (test_decoding names tables with their schema). */
function qualified(table: string): string { return table.includes('.') ? table : `public.${table}`; }
