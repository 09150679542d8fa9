// PostgresCdcSource: change data capture from a logical replication slot (the test_decoding
// plugin's text, or pgoutput's binary messages read with a publication: pgoutput-decoder.ts), emitting a changelog: `+I` for an insert, `-U` then `+U` for an update, `-D` for a delete, each
// with the table and the row. Reads through SQL functions on a plain connection
// (pg_logical_slot_peek_changes, or its _binary_ form for pgoutput), so it works with the same client on Node and Deno; whole
// transactions are emitted within one poll, so the position is the commit LSN of the last
// transaction emitted, and a checkpoint never splits a transaction. The slot's confirmed position
// advances (pg_replication_slot_advance) only when a checkpoint holding a later position
// completes: recovery neither loses nor repeats a change. Completion reaches the reader through a
// pass-through operator chained to the source: build the stream with `PostgresCdcSource.stream`.
// With `startup: 'initial'` the tables' existing rows come first, as `+I`, from a snapshot exported
// when the slot is created (postgres-cdc-snapshot.ts), then the changes after it.
// Limits: one split (parallelism 1, the snapshot too); updates and deletes carry whole old rows only under REPLICA IDENTITY FULL, which the source
// checks for the tables it is given; every poll re-reads the slot from its confirmed position,
// so long checkpoint intervals at high change rates cost re-reading. Imports api/ and pg only.
import pg from 'pg';
import { AbstractStreamOperator } from '../../operators/abstract-stream-operator.ts';
import type { OneInputStreamOperator } from '../../operators/stream-operator.ts';
import { StaticSplitEnumerator } from '../../sources/static-split-enumerator.ts';
import type { Boundedness, InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '../../sources/source.ts';
import type { StreamExecutionEnvironment } from '../../environment/stream-execution-environment.ts';
import type { DataStream } from '../../datastream/data-stream.ts';
import { createSlotWithSnapshot, heldSnapshot, releaseSnapshot, SnapshotReader, type SnapshotPosition } from './postgres-cdc-snapshot.ts';
import { lsnValue, parseChange, type DecodedChange } from './test-decoding-parser.ts';
import { PgoutputDecoder } from './pgoutput-decoder.ts';
import { ensurePublication, type ResolvedTable } from './pgoutput-publication.ts';

/** A changelog operation (Flink's RowKind). */
export type ChangeOp = '+I' | '-U' | '+U' | '-D';

/** One change of one row. */
export interface ChangeRecord { readonly op: ChangeOp; readonly table: string; readonly row: Record<string, unknown> }

/** Options of a PostgresCdcSource. */
export interface PostgresCdcSourceOptions {
  readonly url: string;
  /** The logical replication slot (created with the decoding plugin if missing). */
  readonly slot: string;
  /**
   * The slot's output plugin: 'test_decoding' (default) or 'pgoutput' (PostgreSQL's own, read
   * with a publication; Flink CDC's 'decoding.plugin.name').
   */
  readonly decodingPluginName?: 'test_decoding' | 'pgoutput';
  /**
   * pgoutput's publication (default 'actorflow_pub'): created FOR TABLE `tables` if missing, and
   * extended by a missing table, before the slot is created; checked when the slot exists.
   */
  readonly publicationName?: string;
  /** Only these tables ('schema.table'; default: every table). Each must have REPLICA IDENTITY FULL. */
  readonly tables?: readonly string[];
  /** Stop at the WAL position current when the job starts (default false). */
  readonly bounded?: boolean;
  /** How often an idle reader looks for changes (default 200 ms). */
  readonly pollIntervalMs?: number;
  /** Changes read per query at most (default 10,000; whole transactions are kept together). */
  readonly fetchSize?: number;
  /**
   * 'latest' (default): the changes after the slot's position (the slot is created if missing).
   * 'initial': first the existing rows of `tables` from a snapshot exported as the slot is
   * created (the slot must not exist yet), then the changes after it: no gap, no duplicate.
   */
  readonly startup?: 'initial' | 'latest';
  /** Heap pages read per snapshot query (default 64). */
  readonly snapshotChunkPages?: number;
}

/**
 * The slot's split: the commit LSN of the last transaction emitted ('' before the first) and,
 * while the initial snapshot is read, its position (name '' before it is exported).
 */
export interface CdcSplit extends SourceSplit { readonly slot: string; readonly lsn: string; readonly end?: string; readonly snapshot?: SnapshotPosition }

/** A transaction, or a chunk of the snapshot with the snapshot's next position (null: the snapshot is done). */
interface Txn { readonly commit: string; readonly changes: ChangeRecord[]; readonly snapshot?: SnapshotPosition | null }

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
  /** Positions of the snapshots taken, by checkpoint id, until their completion (and whether the initial snapshot was still being read). */
  private readonly snapshots = new Map<number, { lsn: string; reading: boolean }>();
  private snapshotReader: SnapshotReader | undefined;
  private closed = false;
  /** Changes read per peek: grows while the emitted part since the slot's position fills it. */
  private window: number;
  /** pgoutput's relations, kept across peeks (each peek sends them again before their first change). */
  private readonly pgoutput = new PgoutputDecoder();
  private readonly plugin: 'test_decoding' | 'pgoutput';

  constructor(private readonly options: PostgresCdcSourceOptions, private readonly context: SourceReaderContext) {
    this.window = options.fetchSize ?? 10_000;
    this.plugin = options.decodingPluginName ?? DEFAULT_PLUGIN;
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
      if (txn.snapshot === undefined) this.split = { ...this.split, lsn: txn.commit };
      else if (txn.snapshot === null) { const { snapshot: _done, ...rest } = this.split; this.split = rest; }
      else this.split = { ...this.split, snapshot: txn.snapshot };
    }
    if (this.buffer.length > 0) return 'more-available';
    if (this.finished) {
      this.split = undefined;
      void releaseSnapshot(this.options.slot);
      return 'end-of-input';
    }
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
    this.snapshots.set(checkpointId, { lsn: this.split.lsn, reading: this.split.snapshot !== undefined });
    return [{ ...this.split }];
  }

  /** Checkpoint `checkpointId` completed: the slot may forget what it held before that position. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const taken = this.snapshots.get(checkpointId);
    for (const id of this.snapshots.keys()) if (id <= checkpointId) this.snapshots.delete(id);
    // A restore now starts after the initial snapshot: its export is no longer needed.
    if (taken !== undefined && !taken.reading && this.options.startup === 'initial') await releaseSnapshot(this.options.slot);
    const lsn = taken?.lsn;
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
    await this.snapshotReader?.close();
    await this.client?.end().catch(() => {});
  }

  private fetch(): void {
    if (this.fetching || this.closed || this.context.clock.now() - this.lastFetchAt < (this.options.pollIntervalMs ?? 200)) return;
    this.fetching = true;
    this.lastFetchAt = this.context.clock.now();
    this.read().then(
      () => {
        this.fetching = false;
        if (this.split?.snapshot !== undefined) this.lastFetchAt = -Infinity; // the snapshot reads on without waiting
        this.wakeUp();
      },
      (error: Error) => { this.fetching = false; this.failure ??= new Error(`PostgresCdcSource (slot '${this.options.slot}'): ${error.message}`, { cause: error }); this.wakeUp(); },
    );
  }

  private async read(): Promise<void> {
    this.ready ??= this.open();
    await this.ready;
    if (this.split!.snapshot !== undefined) return this.readSnapshot(this.split!.snapshot);
    const split = this.split!;
    const after = split.lsn ? lsnValue(split.lsn) : -1n;
    const end = split.end ? lsnValue(split.end) : undefined;
    // Peeking starts at the slot's confirmed position: skip what was emitted since.
    const binary = this.plugin === 'pgoutput';
    const { rows } = binary
      ? await this.client!.query<{ lsn: string; data: Uint8Array }>(
        "SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_binary_changes($1, NULL, $2, 'proto_version', '1', 'publication_names', $3)",
        [this.options.slot, this.window, this.options.publicationName ?? DEFAULT_PUBLICATION]).catch((error: Error) => {
        if (!/publication .* does not exist/.test(error.message)) throw error;
        throw new Error(`${error.message}: the slot has changes from before the publication was created, which pgoutput cannot decode with it (create the publication first, then drop and recreate the slot)`, { cause: error });
      })
      : await this.client!.query<{ lsn: string; data: string }>(
        "SELECT lsn::text AS lsn, data FROM pg_logical_slot_peek_changes($1, NULL, $2, 'include-xids', '0', 'skip-empty-xacts', '1')",
        [this.options.slot, this.window]);
    const tables = this.options.tables ? new Set(this.options.tables.map(qualified)) : undefined;
    let changes: ChangeRecord[] = [];
    let fresh = 0;
    for (const { lsn, data } of rows) {
      // Every message is decoded, also in transactions emitted before: pgoutput's Relation messages are among them.
      const event = binary ? this.pgoutput.next(data as Uint8Array) : textEvent(data as string);
      if (event === undefined) continue;
      if (event.kind === 'BEGIN') { changes = []; continue; }
      if (event.kind === 'COMMIT') {
        const at = lsnValue(lsn);
        if (at <= after || (this.buffer.length > 0 && at <= lsnValue(this.buffer[this.buffer.length - 1].commit))) continue;
        if (end !== undefined && at > end) { this.finished = true; break; }
        this.buffer.push({ commit: lsn, changes });
        fresh++;
        continue;
      }
      const change = event;
      if (tables && !tables.has(change.table)) continue;
      if (change.kind === 'INSERT') changes.push({ op: '+I', table: change.table, row: change.new! });
      else if (change.kind === 'DELETE') changes.push({ op: '-D', table: change.table, row: change.old ?? {} });
      else {
        if (change.old) {
          // test_decoding leaves null columns out of the old row; under REPLICA IDENTITY FULL every column the new row names is in it.
          if (!binary) for (const name of Object.keys(change.new!)) if (!(name in change.old)) change.old[name] = null;
          changes.push({ op: '-U', table: change.table, row: change.old });
        }
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
    const plugin = this.plugin;
    // Bad input fails before anything is created: the tables first, then the publication, then the slot.
    const resolved: ResolvedTable[] = [];
    for (const table of tables ?? []) {
      const r = await client.query<{ ident: string; schema: string; name: string }>(
        'SELECT c.relreplident AS ident, n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)', [table]);
      if (r.rows.length === 0) throw new Error(`table "${table}" does not exist`);
      if (r.rows[0].ident !== 'f') throw new Error(`table "${table}" needs REPLICA IDENTITY FULL for whole old rows in updates and deletes (ALTER TABLE ${table} REPLICA IDENTITY FULL)`);
      resolved.push({ given: table, schema: r.rows[0].schema, name: r.rows[0].name });
    }
    const found = await client.query<{ plugin: string }>('SELECT plugin FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    if (found.rows.length > 0 && found.rows[0].plugin !== plugin) throw new Error(`slot '${slot}' uses the ${found.rows[0].plugin} plugin, and this source is set to read ${plugin} (decoding plugin option)`);
    if (plugin === 'pgoutput') await ensurePublication(client, this.options.publicationName ?? DEFAULT_PUBLICATION, tables ? resolved : undefined, found.rows.length > 0);
    const snapshot = this.split?.snapshot;
    if (snapshot !== undefined) {
      if (!tables || tables.length === 0) throw new Error('an initial snapshot needs the tables to read (option tables)');
      let name = snapshot.name;
      if (name === '') {
        // A restart in this process before any checkpoint finds the export it made; else the slot must be new.
        name = heldSnapshot(slot) ?? '';
        if (name === '' && found.rows.length > 0) throw new Error(`slot '${slot}' exists already, and an initial snapshot needs to create it (drop the slot with pg_drop_replication_slot, or start from the latest position)`);
        if (name === '') name = await createSlotWithSnapshot(this.options.url, slot, plugin);
        this.split = { ...this.split!, snapshot: { ...snapshot, name } };
      } else if (heldSnapshot(slot) !== name) {
        throw new Error(`the initial snapshot of slot '${slot}' was interrupted, and its export is gone (the process holding it ended); drop the slot and start the job without its checkpoint`);
      }
      this.snapshotReader = new SnapshotReader(this.options.url, name, this.options.snapshotChunkPages ?? 64);
      await this.snapshotReader.open();
    } else if (found.rows.length === 0) await client.query('SELECT pg_create_logical_replication_slot($1, $2)', [slot, plugin]);
    if (this.split && this.split.end === '') {
      const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      this.split = { ...this.split, end: rows[0].lsn };
    }
  }

  /** Reads the snapshot's next chunk into the buffer. */
  private async readSnapshot(at: SnapshotPosition): Promise<void> {
    const reader = this.snapshotReader!;
    const tables = this.options.tables!.map(qualified);
    const table = tables[at.table];
    const pages = at.pages >= 0 ? at.pages : await reader.pages(table);
    const last = at.page + reader.pagesPerChunk >= pages;
    const rows = await reader.chunk(table, at.page, last);
    const next: SnapshotPosition | null = !last ? { ...at, pages, page: at.page + reader.pagesPerChunk }
      : at.table + 1 < tables.length ? { name: at.name, table: at.table + 1, page: 0, pages: -1 } : null;
    this.buffer.push({ commit: '', changes: rows.map((row) => ({ op: '+I', table, row })), snapshot: next });
    if (next === null) {
      this.snapshotReader = undefined;
      await reader.close();
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
    if (options.startup !== undefined && options.startup !== 'initial' && options.startup !== 'latest') throw new TypeError(`PostgresCdcSource: startup must be 'initial' or 'latest', got ${JSON.stringify(options.startup)}`);
    if (options.startup === 'initial' && !(options.tables && options.tables.length > 0)) throw new TypeError('PostgresCdcSource: an initial snapshot needs the tables to read (option tables)');
    const plugin = options.decodingPluginName;
    if (plugin !== undefined && plugin !== 'test_decoding' && plugin !== 'pgoutput') throw new TypeError(`PostgresCdcSource: decodingPluginName must be 'test_decoding' or 'pgoutput', got ${JSON.stringify(plugin)}`);
    const pub = options.publicationName;
    if (pub !== undefined && (typeof pub !== 'string' || !/^[a-z0-9_]{1,63}$/.test(pub))) throw new TypeError(`PostgresCdcSource: publicationName must be 1-63 lower-case letters, digits or '_', got ${JSON.stringify(pub)}`);
    const chunk = options.snapshotChunkPages ?? 64;
    if (!(Number.isInteger(chunk) && chunk > 0)) throw new RangeError(`PostgresCdcSource: snapshotChunkPages must be a positive integer, got ${chunk}`);
  }

  /** The changelog stream of `source`, with checkpoint completion wired to its reader (use this, not fromSource). */
  static stream(env: StreamExecutionEnvironment, source: PostgresCdcSource, name = 'postgres-cdc'): DataStream<ChangeRecord> {
    return env.fromSource(source, undefined, name).setParallelism(1)
      .transform(`${name} checkpoint ack`, () => new CheckpointAckOperator(source)).setParallelism(1);
  }

  /** @internal the reader of subtask `index` in this process. */
  readerOf(index: number): CdcReader | undefined { return this.readers.get(index); }

  createEnumerator(context: SplitEnumeratorContext<CdcSplit>): SplitEnumerator<CdcSplit, CdcSplit[]> {
    const snapshot = this.options.startup === 'initial' ? { snapshot: { name: '', table: 0, page: 0, pages: -1 } } : {};
    return new StaticSplitEnumerator(context, [{ splitId: this.options.slot, slot: this.options.slot, lsn: '', ...(this.options.bounded ? { end: '' } : {}), ...snapshot }]);
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

/** The decoding plugin unless the options name one. */
const DEFAULT_PLUGIN = 'test_decoding';

/** pgoutput's publication unless the options name one. */
const DEFAULT_PUBLICATION = 'actorflow_pub';

/** A test_decoding line as the change stream's event (undefined: not a row change). */
function textEvent(data: string): { kind: 'BEGIN' } | { kind: 'COMMIT' } | DecodedChange | undefined {
  if (data.startsWith('BEGIN')) return { kind: 'BEGIN' };
  if (data.startsWith('COMMIT')) return { kind: 'COMMIT' };
  return parseChange(data);
}

/** 'accounts' -> 'public.accounts' (test_decoding names tables with their schema). */
function qualified(table: string): string { return table.includes('.') ? table : `public.${table}`; }
