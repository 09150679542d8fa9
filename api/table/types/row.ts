// Rows as users see them (a plain object keyed by column name) and as operators carry them (an
// array in column order, with its change kind), and the conversions between the two.
// Imports only the schema.
import type { Schema } from './schema.ts';

/** A row of a table: a plain object keyed by column name (TIMESTAMP values are ms numbers). */
export type Row = Record<string, unknown>;

/** The kind of change a row makes to a dynamic table (Flink's RowKind). */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/** One change of a dynamic table. */
export interface ChangelogRow { readonly op: RowKind; readonly row: Row }

/** What flows between the operators of a query: the change kind and the values in column order. */
export interface Change { readonly op: RowKind; readonly row: unknown[] }

/** Whether the change adds the row (+I, +U) rather than retracting it (-U, -D). */
export function isAccumulate(op: RowKind): boolean { return op === '+I' || op === '+U'; }

/** The user-facing object of an internal row. */
export function toRow(schema: Schema, values: readonly unknown[]): Row {
  const row: Row = {};
  const columns = schema.columns;
  for (let i = 0; i < columns.length; i++) row[columns[i].name] = values[i] ?? null;
  return row;
}

/** The internal row of a user object (missing fields are NULL). */
export function fromRow(schema: Schema, row: Row): unknown[] {
  const columns = schema.columns;
  const values = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) values[i] = row[columns[i].name] ?? null;
  return values;
}

/**
 * The final rows of a changelog (+I/+U add a row, -U/-D remove one equal row), in the order they
 * were first added; throws when a retraction names a row that is not there (a broken changelog).
 */
export function applyChangelog(changes: readonly Change[]): unknown[][] {
  // An insert-only changelog is its own result.
  if (changes.every((c) => c.op === '+I')) return changes.map((c) => c.row);
  const live = new Map<string, { row: unknown[]; count: number; order: number }>();
  let order = 0;
  for (const c of changes) {
    const key = JSON.stringify(c.row);
    const entry = live.get(key);
    if (isAccumulate(c.op)) {
      if (entry) entry.count++;
      else live.set(key, { row: c.row, count: 1, order: order++ });
    } else {
      if (!entry) throw new Error(`the changelog retracts a row it never added: ${c.op}${key}`);
      if (--entry.count === 0) live.delete(key);
    }
  }
  const out: unknown[][] = [];
  for (const e of [...live.values()].sort((a, b) => a.order - b.order)) for (let i = 0; i < e.count; i++) out.push(e.row);
  return out;
}
