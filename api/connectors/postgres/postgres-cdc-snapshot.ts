// The initial snapshot of PostgresCdcSource (Flink CDC's 'scan.startup.mode' = 'initial'): the
// replication slot is created over a replication connection with EXPORT_SNAPSHOT, which yields the
// snapshot of the database at exactly the slot's starting point; the tables are read in that
// snapshot (imported into a REPEATABLE READ transaction with SET TRANSACTION SNAPSHOT), then the
// changes come from the slot. Every row committed before the slot's start is in the snapshot and
// every change after it is in the slot: no gap and no duplicate.
//
// The snapshot stays importable only while the exporting connection is open and idle, so it is
// held per slot in this process (across restarts of the job's tasks here) until a completed
// checkpoint records the snapshot as finished, or the bounded read ends. Tables are read in chunks
// of heap pages (`ctid` ranges, a TID range scan), and the position within the snapshot is the
// next page, so a restore resumes in the middle of a table. Values are PostgreSQL's text, typed as
// test_decoding's are (the same row reads the same in the snapshot and in the change stream).
// Imports pg only.
import pg from 'pg';
import { typed } from './test-decoding-parser.ts';

/** Progress of a snapshot: the exported snapshot, and the next chunk (table index, first page). */
export interface SnapshotPosition {
  readonly name: string;
  readonly table: number;
  readonly page: number;
  /** The page count of the current table in the snapshot (-1 before it is measured). */
  readonly pages: number;
}

/** A slot's exporting connection, held while its snapshot may still be needed. */
interface Exporter { readonly client: pg.Client; readonly name: string }

const exporters = new Map<string, Exporter>();

/** The exported snapshot of `slot` held in this process, if any. */
export function heldSnapshot(slot: string): string | undefined { return exporters.get(slot)?.name; }

/** Creates `slot` (with the output plugin `plugin`) with an exported snapshot, held until releaseSnapshot. */
export async function createSlotWithSnapshot(url: string, slot: string, plugin: 'test_decoding' | 'pgoutput' = 'test_decoding'): Promise<string> {
  const client = new pg.Client({ connectionString: url, replication: 'database' } as pg.ClientConfig);
  await client.connect();
  try {
    const { rows } = await client.query<{ snapshot_name: string }>(`CREATE_REPLICATION_SLOT "${slot}" LOGICAL ${plugin} EXPORT_SNAPSHOT`);
    // The connection must stay open (and idle) for the snapshot to stay importable; it must not keep the process alive.
    (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    client.on('error', () => exporters.delete(slot));
    exporters.set(slot, { client, name: rows[0].snapshot_name });
    return rows[0].snapshot_name;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/** Closes the exporting connection of `slot` (the snapshot is no longer needed). */
export async function releaseSnapshot(slot: string): Promise<void> {
  const e = exporters.get(slot);
  if (e === undefined) return;
  exporters.delete(slot);
  await e.client.end().catch(() => {});
}

/** A transaction reading the tables in an exported snapshot. */
export class SnapshotReader {
  private client: pg.Client | undefined;
  private readonly types = new Map<string, Map<string, string>>();

  constructor(private readonly url: string, private readonly name: string, private readonly chunkPages: number) {}

  /** Opens the transaction in the snapshot; a clear error when the snapshot is gone. */
  async open(): Promise<void> {
    // Text for every value: typed below by column type, as the change stream's values are.
    const client = new pg.Client({ connectionString: this.url, types: { getTypeParser: () => (v: string) => v } } as pg.ClientConfig);
    await client.connect();
    this.client = client;
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${this.name.replace(/'/g, "''")}'`);
  }

  /** The number of heap pages of `table` (every row of the snapshot lies below it). */
  async pages(table: string): Promise<number> {
    const { rows } = await this.client!.query<{ n: string }>("SELECT ceil(pg_relation_size(to_regclass($1)) / current_setting('block_size')::numeric)::text AS n", [table]);
    return Number(rows[0].n);
  }

  /** The rows of `table` on pages [page, page + chunkPages) (the last chunk reaches to the end), as test_decoding types them. */
  async chunk(table: string, page: number, last: boolean): Promise<Record<string, unknown>[]> {
    const types = await this.columnTypes(table);
    const end = page + this.chunkPages;
    const upper = last ? '' : ` AND ctid < '(${end},0)'::tid`;
    const { rows } = await this.client!.query<Record<string, string | null>>(`SELECT * FROM ${quoted(table)} WHERE ctid >= '(${page},0)'::tid${upper}`);
    return rows.map((r) => {
      const row: Record<string, unknown> = {};
      for (const [name, type] of types) row[name] = typed(type, r[name]);
      return row;
    });
  }

  get pagesPerChunk(): number { return this.chunkPages; }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.query('COMMIT').catch(() => {});
    await c?.end().catch(() => {});
  }

  private async columnTypes(table: string): Promise<Map<string, string>> {
    let t = this.types.get(table);
    if (t === undefined) {
      const { rows } = await this.client!.query<{ name: string; type: string }>(
        'SELECT attname::text AS name, format_type(atttypid, NULL) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum', [table]);
      t = new Map(rows.map((r) => [r.name, r.type]));
      this.types.set(table, t);
    }
    return t;
  }
}

/** 'public.t' quoted part by part. */
function quoted(table: string): string { return table.split('.').map((p) => `"${p.replace(/"/g, '""')}"`).join('.'); }
