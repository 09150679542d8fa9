// The schema of a DataStream registered as a table: columns given as SQL type texts, or inferred
// from the elements of a stream made by fromElements/fromCollection (integers -> BIGINT, other
// numbers -> DOUBLE, strings -> STRING, booleans -> BOOLEAN), plus an optional rowtime column
// filled from the stream's record timestamps. Imports the SQL parser (for type texts) and types.
import type { DataStream } from '../datastream/data-stream.ts';
import { CollectionSource } from '../sources/collection-source.ts';
import { parseExpression } from './sql/parser.ts';
import { TableError } from './planner/validation-error.ts';
import { fromDataType, typeOf, type LogicalType } from './types/logical-type.ts';
import { Schema, type Column } from './types/schema.ts';

/** How a DataStream's elements become rows. */
export interface ViewSchema {
  /** Column name -> SQL type text (`{ word: 'STRING', n: 'BIGINT' }`), in column order. */
  columns?: Record<string, string>;
  /** Adds a column of this name (TIMESTAMP_LTZ(3), the event-time attribute) from each record's timestamp. */
  rowtime?: string;
  /** The primary key's columns (NOT NULL then), e.g. of a versioned table for temporal joins. */
  primaryKey?: readonly string[];
}

/** The logical type a SQL type text names. */
export function parseTypeText(text: string): LogicalType {
  const e = parseExpression(`CAST(NULL AS ${text})`);
  if (e.kind !== 'cast') throw new TableError(`not a SQL data type: ${text}`);
  return fromDataType(e.type);
}

function typeOfValue(values: unknown[], name: string, where: string): LogicalType {
  let t: LogicalType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const k: LogicalType = typeof v === 'string' ? typeOf('STRING') : typeof v === 'boolean' ? typeOf('BOOLEAN')
      : typeof v === 'number' ? typeOf(Number.isInteger(v) ? 'BIGINT' : 'DOUBLE') : typeOf('STRING', true, { length: -1 });
    if (k.length === -1) throw new TableError(`${where}: field ${name} holds ${typeof v} values; give its type in the schema's columns`);
    if (t === undefined || (t.kind === 'BIGINT' && k.kind === 'DOUBLE')) t = k;
    else if (t.kind !== k.kind && !(t.kind === 'DOUBLE' && k.kind === 'BIGINT')) throw new TableError(`${where}: field ${name} holds both ${t.kind} and ${k.kind} values; give its type in the schema's columns`);
  }
  if (t === undefined) throw new TableError(`${where}: field ${name} is always null; give its type in the schema's columns`);
  return t;
}

/** The elements of a stream read straight from fromElements/fromCollection, if it is one. */
function collectionElements(stream: DataStream<unknown>): unknown[] | undefined {
  if (stream.inputs.length !== 1) return undefined;
  const source = stream.inputs[0].node.source;
  if (!(source instanceof CollectionSource)) return undefined;
  return (source as unknown as { values: unknown[] }).values;
}

/** The schema of `stream`'s rows; `changelog` reads the rows inside `{ op, row }`. */
export function inferStreamSchema(stream: DataStream<unknown>, schema: ViewSchema | undefined, where: string, changelog = false): Schema {
  let columns: Column[];
  if (schema?.columns) {
    columns = Object.entries(schema.columns).map(([name, text]) => ({ name, type: parseTypeText(text) }));
  } else {
    const elements = collectionElements(stream);
    if (elements === undefined) throw new TableError(`${where}: the column types of a stream cannot be inferred here; pass schema.columns ({ name: 'SQL type', ... })`);
    const rows = elements.map((e) => (changelog ? (e as { row: unknown }).row : e));
    if (rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) throw new TableError(`${where}: elements must be plain objects (columns = fields)`);
    const names: string[] = [];
    for (const r of rows as Record<string, unknown>[]) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
    if (names.length === 0) throw new TableError(`${where}: no fields to make columns of; pass schema.columns`);
    columns = names.map((name) => ({ name, type: typeOfValue((rows as Record<string, unknown>[]).map((r) => r[name]), name, where) }));
  }
  if (schema?.rowtime !== undefined) {
    if (columns.some((c) => c.name === schema.rowtime)) throw new TableError(`${where}: the rowtime column ${schema.rowtime} is also a field`);
    columns.push({ name: schema.rowtime, type: typeOf('TIMESTAMP_LTZ', true, { precision: 3, timeAttribute: 'rowtime' }) });
  }
  if (schema?.primaryKey !== undefined) {
    for (const k of schema.primaryKey) {
      const i = columns.findIndex((c) => c.name === k);
      if (i < 0) throw new TableError(`${where}: the primary key column ${k} is not a column`);
      columns[i] = { ...columns[i], type: { ...columns[i].type, nullable: false } };
    }
    return new Schema(columns, [...schema.primaryKey]);
  }
  return new Schema(columns);
}
