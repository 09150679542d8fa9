// Schema: the named, typed columns of a table, a view or an operator's output, plus which
// column is the event-time attribute and the primary key. Imports only logical types.
import { typeToString, type LogicalType } from './logical-type.ts';

/** One column. */
export interface Column { readonly name: string; readonly type: LogicalType }

/** The columns of a table or of an operator's output. */
export class Schema {
  constructor(readonly columns: readonly Column[], readonly primaryKey?: readonly string[]) {}

  /** The column names in order. */
  get names(): string[] { return this.columns.map((c) => c.name); }

  /** The index of column `name`, or -1. */
  indexOf(name: string): number { return this.columns.findIndex((c) => c.name === name); }

  /** The index of the rowtime attribute, or -1. */
  rowtimeIndex(): number { return this.columns.findIndex((c) => c.type.timeAttribute === 'rowtime'); }

  /** `(a BIGINT, b STRING)`, as Flink prints a schema in plans and DESCRIBE. */
  toString(): string { return `(${this.columns.map((c) => `\`${c.name}\` ${typeToString(c.type)}`).join(', ')})`; }
}
