// Catalog: the tables and views of one table environment (Flink's default_catalog.default_database).
// A table comes from CREATE TABLE (a connector, its options, computed columns and a watermark); a
// view is a query (CREATE VIEW) or a DataStream (createTemporaryView). Names are case-sensitive,
// as in Flink. Imports the SQL AST and types.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { Expr, Query } from '../sql/ast.ts';
import type { Change } from '../types/row.ts';
import type { Schema } from '../types/schema.ts';
import type { PlanNode } from './plan-nodes.ts';

/** A table made by CREATE TABLE. */
export interface CatalogTable {
  readonly kind: 'table';
  readonly name: string;
  /** Every column, physical and computed, in declaration order. */
  readonly schema: Schema;
  /** For each column: undefined (physical) or its computed expression. */
  readonly computed: readonly (Expr | undefined)[];
  /** `WATERMARK FOR column AS expr`. */
  readonly watermark?: { readonly column: string; readonly expr: Expr };
  readonly options: Readonly<Record<string, string>>;
  /** The columns of `PARTITIONED BY`, in order (absent or empty: not partitioned). */
  readonly partitionKeys?: readonly string[];
  /** The DDL text (computed column and watermark expressions point into it). */
  readonly source: string;
}

/** A view over a query. */
export interface CatalogQueryView {
  readonly kind: 'view';
  readonly name: string;
  readonly query: Query;
  readonly columns?: readonly string[];
  readonly source: string;
}

/** A view over a DataStream of changes. */
export interface CatalogStreamView {
  readonly kind: 'stream';
  readonly name: string;
  readonly schema: Schema;
  readonly stream: DataStream<Change>;
  readonly insertOnly: boolean;
}

/** A view over a planned Table (createTemporaryView with a Table). */
export interface CatalogPlannedView {
  readonly kind: 'planned';
  readonly name: string;
  readonly node: PlanNode;
}

/** Anything the catalog holds. */
export type CatalogEntry = CatalogTable | CatalogQueryView | CatalogStreamView | CatalogPlannedView;

/** The tables and views of a table environment. */
export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();

  /** The entry `name`, if any. */
  get(name: string): CatalogEntry | undefined { return this.entries.get(name); }
  /** Whether `name` exists. */
  has(name: string): boolean { return this.entries.has(name); }
  /** Adds an entry; refuses a name in use unless `replace`. */
  add(entry: CatalogEntry, replace = false): void {
    if (!replace && this.entries.has(entry.name)) throw new Error(`a table or view named ${entry.name} already exists`);
    this.entries.set(entry.name, entry);
  }
  /** Removes `name`; true when it existed. */
  drop(name: string): boolean { return this.entries.delete(name); }
  /** The names of tables (kind 'table') or views. */
  list(kind: 'tables' | 'views'): string[] {
    return [...this.entries.values()].filter((e) => (kind === 'tables') === (e.kind === 'table')).map((e) => e.name).sort();
  }
}

/** The plain name of a possibly qualified catalog path (`default_catalog.default_database.t` is `t`). */
export function tableName(path: readonly string[]): string { return path[path.length - 1]; }
