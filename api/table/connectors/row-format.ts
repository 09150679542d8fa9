// Text formats of the filesystem connector: CSV (RFC 4180 quoting, an empty field is NULL) and
// JSON lines (one object per row, keyed by column name). TIMESTAMP values are written as
// `yyyy-MM-dd HH:mm:ss.SSS` and read back from that or from epoch milliseconds. Imports types only.
import { formatTimestamp, parseTimestamp } from '../functions/scalar-runtime.ts';
import { isTemporal, type LogicalType } from '../types/logical-type.ts';
import type { Schema } from '../types/schema.ts';

/** A row's line and back. */
export interface RowFormat {
  format(row: readonly unknown[]): string;
  parse(line: string, lineNumber: number): unknown[];
}

/** A value for a text format (TIMESTAMPs as `yyyy-MM-dd HH:mm:ss.SSS`, TIMESTAMP_LTZ with `+00` when `zoned`). */
export function toText(v: unknown, t: LogicalType, zoned = false): unknown {
  if (v === null || v === undefined) return null;
  if (isTemporal(t)) return t.kind === 'DATE' ? formatTimestamp(v as number, 0).slice(0, 10) : `${formatTimestamp(v as number)}${zoned && t.kind === 'TIMESTAMP_LTZ' ? '+00' : ''}`;
  return v;
}

/** A value of type `t` from text or a JSON value; a clear error (naming `where()`) when it is not one. */
export function fromValue(v: unknown, t: LogicalType, where: () => string): unknown {
  if (v === null || v === undefined || v === '') return t.kind === 'STRING' && v === '' ? '' : null;
  switch (t.kind) {
    case 'BOOLEAN': {
      if (typeof v === 'boolean') return v;
      const s = String(v).toLowerCase();
      if (s === 'true' || s === 'false') return s === 'true';
      break;
    }
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': case 'FLOAT': case 'DOUBLE': case 'DECIMAL': {
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isNaN(n)) return n;
      break;
    }
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': case 'DATE': {
      if (typeof v === 'number') return v;
      const ms = parseTimestamp(String(v));
      if (ms !== null) return ms;
      // With a zone, as PostgreSQL prints timestamptz: '2024-01-01 10:00:00.5+01'.
      const zoned = /^(\d{4}-\d\d-\d\d)[ T]([\d:.]+)([+-]\d\d)(?::?(\d\d))?$/.exec(String(v).trim());
      if (zoned) return Date.parse(`${zoned[1]}T${zoned[2]}${zoned[3]}:${zoned[4] ?? '00'}`);
      break;
    }
    case 'STRING': return String(v);
    default: return v;
  }
  throw new Error(`${where()}: cannot read ${JSON.stringify(v)} as ${t.kind}`);
}

function csvField(v: unknown): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Splits one CSV line into fields; `null` marks an unquoted empty field. */
function splitCsv(line: string): Array<string | null> {
  const out: Array<string | null> = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') { if (line[i + 1] === '"') { s += '"'; i += 2; continue; } i++; break; }
        s += line[i++];
      }
      out.push(s);
      i++; // the comma
    } else {
      let j = line.indexOf(',', i);
      if (j < 0) j = line.length;
      const s = line.slice(i, j);
      out.push(s === '' ? null : s);
      i = j + 1;
    }
  }
  return out;
}

/** The CSV format of `schema`. */
export function csvFormat(schema: Schema, file: string): RowFormat {
  const types = schema.columns.map((c) => c.type);
  return {
    format: (row) => row.map((v, i) => csvField(toText(v, types[i]))).join(','),
    parse: (line, n) => {
      const fields = splitCsv(line);
      if (fields.length !== types.length) throw new Error(`${file}:${n}: expected ${types.length} CSV fields, got ${fields.length}`);
      return fields.map((f, i) => (f === null ? null : fromValue(f, types[i], () => `${file}:${n} column ${schema.columns[i].name}`)));
    },
  };
}

/** The JSON lines format of `schema`. */
export function jsonFormat(schema: Schema, file: string): RowFormat {
  const cols = schema.columns;
  return {
    format: (row) => {
      const o: Record<string, unknown> = {};
      cols.forEach((c, i) => { o[c.name] = toText(row[i], c.type); });
      return JSON.stringify(o);
    },
    parse: (line, n) => {
      let o: Record<string, unknown>;
      try { o = JSON.parse(line) as Record<string, unknown>; } catch (e) { throw new Error(`${file}:${n}: not a JSON object: ${(e as Error).message}`); }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error(`${file}:${n}: not a JSON object`);
      return cols.map((c) => fromValue(o[c.name] ?? null, c.type, () => `${file}:${n} field ${c.name}`));
    },
  };
}
