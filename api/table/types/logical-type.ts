// Logical types of the Table API and SQL (Flink's LogicalType): what a column or an expression
// holds, whether it may be NULL, and whether it is a time attribute. Values are plain JS values:
// numbers for every numeric type (DECIMAL too: exact only within double precision), strings,
// booleans, TIMESTAMP/TIMESTAMP_LTZ/DATE as epoch milliseconds, INTERVAL as milliseconds (day-time)
// or months (year-month), arrays, maps as plain objects, ROW as arrays; NULL is `null`.
// Imports only the SQL AST's type shapes.
import type { DataType } from '../sql/ast.ts';

/** The type families the planner knows. */
export type TypeKind =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'DECIMAL'
  | 'STRING' | 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'
  | 'INTERVAL_DAY_TIME' | 'INTERVAL_YEAR_MONTH' | 'ARRAY' | 'MAP' | 'ROW' | 'NULL';

/** A logical type; `timeAttribute` marks rowtime / proctime columns (they keep that through projections). */
export interface LogicalType {
  readonly kind: TypeKind;
  readonly nullable: boolean;
  readonly precision?: number;
  readonly scale?: number;
  /** VARCHAR(n)/CHAR(n) length; STRING is VARCHAR without one. */
  readonly length?: number;
  readonly element?: LogicalType;
  readonly key?: LogicalType;
  readonly value?: LogicalType;
  readonly fields?: readonly { readonly name: string; readonly type: LogicalType }[];
  readonly timeAttribute?: 'rowtime' | 'proctime';
}

/** A type of `kind`, nullable unless said otherwise. */
export function typeOf(kind: TypeKind, nullable = true, extra: Partial<LogicalType> = {}): LogicalType {
  return { kind, nullable, ...extra };
}

const INTEGER_KINDS: ReadonlySet<TypeKind> = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT']);
const NUMERIC_RANK: Readonly<Partial<Record<TypeKind, number>>> = {
  TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5, FLOAT: 6, DOUBLE: 7,
};

/** TINYINT, SMALLINT, INT, BIGINT. */
export function isInteger(t: LogicalType): boolean { return INTEGER_KINDS.has(t.kind); }
/** Any numeric type. */
export function isNumeric(t: LogicalType): boolean { return NUMERIC_RANK[t.kind] !== undefined; }
/** CHAR, VARCHAR, STRING. */
export function isString(t: LogicalType): boolean { return t.kind === 'STRING'; }
/** TIMESTAMP, TIMESTAMP_LTZ (and DATE, which is a timestamp at midnight here). */
export function isTemporal(t: LogicalType): boolean { return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'DATE'; }
/** Either INTERVAL family. */
export function isInterval(t: LogicalType): boolean { return t.kind === 'INTERVAL_DAY_TIME' || t.kind === 'INTERVAL_YEAR_MONTH'; }

/** The same type with another nullability (time attributes are dropped when asked). */
export function withNullable(t: LogicalType, nullable: boolean): LogicalType {
  return t.nullable === nullable ? t : { ...t, nullable };
}

/** The same type without its time attribute marker (what a computed value of it is). */
export function withoutTimeAttribute(t: LogicalType): LogicalType {
  if (t.timeAttribute === undefined) return t;
  const { timeAttribute: _drop, ...rest } = t;
  return rest;
}

/** The logical type a DDL or CAST data type names. */
export function fromDataType(d: DataType): LogicalType {
  const nullable = d.nullable;
  switch (d.name) {
    case 'BOOLEAN': case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE': case 'DATE': case 'NULL':
      return typeOf(d.name, nullable);
    case 'STRING': return typeOf('STRING', nullable);
    case 'CHAR': case 'VARCHAR': return typeOf('STRING', nullable, d.length === undefined ? {} : { length: d.length });
    case 'BYTES': case 'BINARY': case 'VARBINARY': return typeOf('STRING', nullable);
    case 'DECIMAL': return typeOf('DECIMAL', nullable, { precision: d.precision ?? 10, scale: d.scale ?? 0 });
    case 'TIME': return typeOf('TIME', nullable);
    case 'TIMESTAMP': return typeOf('TIMESTAMP', nullable, { precision: d.precision ?? 6 });
    case 'TIMESTAMP_LTZ': return typeOf('TIMESTAMP_LTZ', nullable, { precision: d.precision ?? 6 });
    case 'INTERVAL': {
      const ym = d.qualifier.start === 'YEAR' || d.qualifier.start === 'MONTH';
      return typeOf(ym ? 'INTERVAL_YEAR_MONTH' : 'INTERVAL_DAY_TIME', nullable);
    }
    case 'ARRAY': case 'MULTISET': return typeOf('ARRAY', nullable, { element: fromDataType(d.element) });
    case 'MAP': return typeOf('MAP', nullable, { key: fromDataType(d.key), value: fromDataType(d.value) });
    case 'ROW': return typeOf('ROW', nullable, { fields: d.fields.map((f) => ({ name: f.name, type: fromDataType(f.type) })) });
  }
}

/** Flink's summary string of a type: `BIGINT NOT NULL`, `TIMESTAMP(3) *ROWTIME*`, `DECIMAL(10, 2)`. */
export function typeToString(t: LogicalType): string {
  let s: string;
  switch (t.kind) {
    case 'DECIMAL': s = `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`; break;
    case 'STRING': s = t.length === undefined ? 'STRING' : `VARCHAR(${t.length})`; break;
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': s = `${t.kind}(${t.precision ?? 6})`; break;
    case 'INTERVAL_DAY_TIME': s = 'INTERVAL SECOND(3)'; break;
    case 'INTERVAL_YEAR_MONTH': s = 'INTERVAL YEAR TO MONTH'; break;
    case 'ARRAY': s = `ARRAY<${typeToString(t.element!)}>`; break;
    case 'MAP': s = `MAP<${typeToString(t.key!)}, ${typeToString(t.value!)}>`; break;
    case 'ROW': s = `ROW<${t.fields!.map((f) => `${f.name} ${typeToString(f.type)}`).join(', ')}>`; break;
    default: s = t.kind;
  }
  if (!t.nullable) s += ' NOT NULL';
  if (t.timeAttribute === 'rowtime') s += ' *ROWTIME*';
  if (t.timeAttribute === 'proctime') s += ' *PROCTIME*';
  return s;
}

/**
 * The common type of two types for comparison, CASE, COALESCE, UNION and arithmetic (Flink's
 * implicit widening: integers widen to the larger integer, then DECIMAL, then DOUBLE; TIMESTAMP
 * and DATE meet at TIMESTAMP); undefined when there is none (the caller reports the mismatch).
 */
export function commonType(a: LogicalType, b: LogicalType): LogicalType | undefined {
  const nullable = a.nullable || b.nullable;
  if (a.kind === 'NULL') return withNullable(withoutTimeAttribute(b), true);
  if (b.kind === 'NULL') return withNullable(withoutTimeAttribute(a), true);
  const ra = NUMERIC_RANK[a.kind];
  const rb = NUMERIC_RANK[b.kind];
  if (ra !== undefined && rb !== undefined) {
    const wider = ra >= rb ? a : b;
    if (wider.kind === 'DECIMAL') {
      const scale = Math.max(a.scale ?? 0, b.scale ?? 0);
      return typeOf('DECIMAL', nullable, { precision: Math.min(38, Math.max(a.precision ?? 19, b.precision ?? 19)), scale });
    }
    return typeOf(wider.kind, nullable);
  }
  if (a.kind === b.kind) {
    if (a.kind === 'STRING') return typeOf('STRING', nullable);
    if (a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ') return typeOf(a.kind, nullable, { precision: Math.max(a.precision ?? 6, b.precision ?? 6) });
    if (a.kind === 'ARRAY') {
      const e = commonType(a.element!, b.element!);
      return e === undefined ? undefined : typeOf('ARRAY', nullable, { element: e });
    }
    return withNullable(withoutTimeAttribute(a), nullable);
  }
  if (isTemporal(a) && isTemporal(b)) {
    const ts = a.kind === 'DATE' ? b : a;
    return typeOf(ts.kind, nullable, { precision: ts.precision ?? 3 });
  }
  return undefined;
}

/** Whether a value of `from` may be assigned to a column of `to` without an explicit CAST (INSERT INTO). */
export function isAssignable(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isTemporal(from) && isTemporal(to)) return true;
  return from.kind === to.kind;
}
