// Parses the text that PostgreSQL's test_decoding output plugin writes per change, e.g.
//   table public.accounts: UPDATE: old-key: id[integer]:1 owner[text]:'ann' new-tuple: id[integer]:1 owner[text]:'bob'
// into the table, the kind of change and the old and new rows, with values typed by their column
// types (integers and floats as numbers, booleans, null; everything else as the text PostgreSQL
// printed). Pure functions.

/** One decoded row change. */
export interface DecodedChange {
  readonly table: string;
  readonly kind: 'INSERT' | 'UPDATE' | 'DELETE';
  /** The row before (updates and deletes, when the table's replica identity provides it). */
  readonly old?: Record<string, unknown>;
  /** The row after (inserts and updates). */
  readonly new?: Record<string, unknown>;
}

const NUMERIC = new Set(['smallint', 'integer', 'real', 'double precision', 'oid']);

/** A value as its column type says. */
export function typed(type: string, text: string | null): unknown {
  if (text === null) return null;
  if (NUMERIC.has(type)) return Number(text);
  if (type === 'bigint') { const n = Number(text); return Number.isSafeInteger(n) ? n : text; }
  // test_decoding prints 'true'; a column's own text form (the snapshot, pgoutput) is 't'.
  if (type === 'boolean') return text === 'true' || text === 't';
  return text;
}

/** Parses `name[type]:value ...` (names may be quoted; values quoted with '' escapes, or bare). */
export function parseColumns(text: string): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (text[i] === ' ') i++;
    if (i >= n) break;
    let name = '';
    if (text[i] === '"') {
      i++;
      for (; i < n; i++) {
        if (text[i] === '"') { if (text[i + 1] === '"') { name += '"'; i++; continue; } i++; break; }
        name += text[i];
      }
    } else {
      const open = text.indexOf('[', i);
      if (open < 0) throw new Error(`cannot parse test_decoding columns at ${JSON.stringify(text.slice(i, i + 40))}`);
      name = text.slice(i, open);
      i = open;
    }
    const close = text.indexOf(']:', i);
    if (text[i] !== '[' || close < 0) throw new Error(`cannot parse test_decoding column type at ${JSON.stringify(text.slice(i, i + 40))}`);
    const type = text.slice(i + 1, close);
    i = close + 2;
    let value: string | null;
    if (text[i] === "'") {
      let v = '';
      for (i++; i < n; i++) {
        if (text[i] === "'") { if (text[i + 1] === "'") { v += "'"; i++; continue; } i++; break; }
        v += text[i];
      }
      value = v;
    } else {
      const end = text.indexOf(' ', i);
      const raw = end < 0 ? text.slice(i) : text.slice(i, end);
      i = end < 0 ? n : end;
      value = raw === 'null' ? null : raw;
      // Unquoted, it is test_decoding's marker of a TOASTed value the update left unchanged (parseChange fills it in).
      if (raw === 'unchanged-toast-datum') { row[name] = UNCHANGED; continue; }
    }
    row[name] = typed(type.replace(/\[\]$/, '[]'), value);
  }
  return row;
}

/** Parses one change line; undefined for BEGIN / COMMIT and messages that are not row changes. */
export function parseChange(data: string): DecodedChange | undefined {
  const m = /^table ([^:]+): (INSERT|UPDATE|DELETE): (.*)$/s.exec(data);
  if (!m) return undefined;
  const table = m[1];
  const rest = m[3];
  const kind = m[2] as DecodedChange['kind'];
  if (rest === '(no-tuple data)') return { table, kind };
  if (kind === 'INSERT') return { table, kind, new: parseColumns(rest) };
  if (kind === 'DELETE') return { table, kind, old: parseColumns(rest) };
  const split = /^old-key: (.*?) new-tuple: (.*)$/s.exec(rest);
  if (!split) return { table, kind, new: complete(table, parseColumns(rest)) };
  const old = parseColumns(split[1]);
  return { table, kind, old, new: complete(table, parseColumns(split[2]), old) };
}

/** Marks a value test_decoding did not print (an unchanged TOASTed value). */
const UNCHANGED: unique symbol = Symbol('unchanged-toast-datum');

/** `row` with its unchanged TOASTed values taken from `old`, or a clear error when there is none to take. */
function complete(table: string, row: Record<string, unknown>, old?: Record<string, unknown>): Record<string, unknown> {
  for (const [name, v] of Object.entries(row)) {
    if (v !== UNCHANGED) continue;
    if (old === undefined || !(name in old) || old[name] === UNCHANGED) throw new Error(`test_decoding: ${table} column ${name}: an unchanged TOASTed value without the old row to take it from (the table needs REPLICA IDENTITY FULL)`);
    row[name] = old[name];
  }
  return row;
}

/** An LSN ('16/B374D848') as a bigint, for comparing positions. */
export function lsnValue(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}
