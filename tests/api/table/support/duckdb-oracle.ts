// DuckDB as an independent oracle for SQL tests: loads the same rows actorflow reads into an
// in-memory DuckDB table, runs the equivalent query there, and compares the final rows as
// multisets (doubles within a relative tolerance). Also seeded random test data with NULLs,
// duplicates and skew. Timestamps are epoch ms on both sides (DuckDB stores them via epoch_ms).
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Random } from '../../../support/random.ts';

/** A column of a test table: name and SQL type (the same text for actorflow and DuckDB). */
export interface TestColumn { readonly name: string; readonly type: 'BIGINT' | 'INT' | 'DOUBLE' | 'STRING' | 'BOOLEAN' | 'TIMESTAMP' }

/** An open DuckDB connection. */
export async function openDuck(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  return instance.connect();
}

function sqlLiteral(v: unknown, type: TestColumn['type']): string {
  if (v === null || v === undefined) return 'NULL';
  if (type === 'TIMESTAMP') return `epoch_ms(${Number(v)})`;
  if (type === 'STRING') return `'${String(v).replace(/'/g, "''")}'`;
  if (type === 'BOOLEAN') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** Creates table `name` in DuckDB with `rows` (objects keyed by column name). */
export async function loadDuck(conn: DuckDBConnection, name: string, columns: readonly TestColumn[], rows: readonly Record<string, unknown>[]): Promise<void> {
  const duckType = (t: TestColumn['type']): string => (t === 'STRING' ? 'VARCHAR' : t === 'INT' ? 'INTEGER' : t);
  await conn.run(`CREATE OR REPLACE TABLE ${name} (${columns.map((c) => `"${c.name}" ${duckType(c.type)}`).join(', ')})`);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    if (chunk.length === 0) break;
    const values = chunk.map((r) => `(${columns.map((c) => sqlLiteral(r[c.name], c.type)).join(', ')})`).join(', ');
    await conn.run(`INSERT INTO ${name} VALUES ${values}`);
  }
}

/** A DuckDB value as actorflow represents it (bigint -> number, Date -> ms). */
function normalize(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'object' && v !== null && 'micros' in v) return Number((v as { micros: bigint }).micros / 1000n);
  return v;
}

/** Runs `sql` in DuckDB: rows as arrays in column order. */
export async function queryDuck(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowsJS().map((r) => r.map(normalize));
}

function cellKey(v: unknown): string {
  if (typeof v === 'number' && !Number.isInteger(v)) return `~${v.toPrecision(9)}`;
  return JSON.stringify(v);
}

function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

/** Rows sorted canonically (for a readable diff and a tolerant pairwise comparison). */
function canonical(rows: readonly unknown[][]): unknown[][] {
  return [...rows].sort((x, y) => {
    const a = x.map(cellKey).join('|');
    const b = y.map(cellKey).join('|');
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Throws (with both sides) unless the two multisets of rows are equal; doubles within 1e-9 relative. */
export function assertSameRows(actual: readonly unknown[][], expected: readonly unknown[][], context: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  const same = a.length === e.length && a.every((row, i) => row.length === e[i].length && row.every((v, k) => close(v, e[i][k])));
  if (!same) {
    const show = (rows: unknown[][]): string => rows.slice(0, 40).map((r) => JSON.stringify(r)).join('\n');
    throw new Error(`${context}: results differ (${a.length} rows vs DuckDB's ${e.length})\nactorflow:\n${show(a)}\nDuckDB:\n${show(e)}`);
  }
}

/** Seeded random rows with NULLs (about 1 in 8), duplicates and skew (a hot key). */
export function randomRows(random: Random, columns: readonly TestColumn[], count: number, options: { keyCardinality?: number; tsRange?: number } = {}): Record<string, unknown>[] {
  const keys = options.keyCardinality ?? 6;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    // Every fifth row repeats an earlier one: exact duplicates.
    if (i > 0 && random.chance(0.2)) { rows.push({ ...rows[random.int(0, i - 1)] }); continue; }
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      if (c.type !== 'TIMESTAMP' && random.chance(0.125)) { row[c.name] = null; continue; }
      switch (c.type) {
        case 'BIGINT': case 'INT': row[c.name] = random.chance(0.4) ? 0 : random.int(-3, keys); break;
        case 'DOUBLE': row[c.name] = Math.round(random.next() * 10000) / 100; break;
        case 'STRING': row[c.name] = random.chance(0.4) ? 'hot' : `k${random.int(0, keys)}`; break;
        case 'BOOLEAN': row[c.name] = random.chance(0.5); break;
        case 'TIMESTAMP': row[c.name] = Date.UTC(2024, 0, 1) + random.int(0, options.tsRange ?? 60_000); break;
      }
    }
    rows.push(row);
  }
  return rows;
}

export { Random };

/** The actorflow column types of test columns (TIMESTAMP as TIMESTAMP(3)). */
export function viewColumns(columns: readonly TestColumn[]): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c.name, c.type === 'TIMESTAMP' ? 'TIMESTAMP(3)' : c.type]));
}

/** Runs `sql` on actorflow and `duckSql` (default the same) on DuckDB and compares the final rows. */
export async function checkQuery(
  ours: { sqlQuery(sql: string): { execute(): { collect(): Promise<Record<string, unknown>[]> } } },
  duck: DuckDBConnection, sql: string, duckSql: string | undefined, seed: number,
): Promise<void> {
  const actual = (await ours.sqlQuery(sql).execute().collect()).map((r) => Object.values(r));
  const expected = await queryDuck(duck, duckSql ?? sql);
  assertSameRows(actual, expected, `${sql} (seed ${seed})`);
}
