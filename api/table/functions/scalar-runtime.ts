// The runtime half of the built-in scalar functions: small null-aware helpers that generated
// expression code calls as `h.name(...)`. SQL NULL is `null`; any NULL argument gives NULL unless
// the function says otherwise (three-valued AND/OR, COALESCE, IS ...). Timestamps are epoch ms in
// UTC (the session time zone is UTC). Imports nothing.

type V = unknown;

const MS = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 } as const;

/** A SQL runtime failure (division by zero, a bad CAST): the job fails with this message. */
export class SqlRuntimeError extends Error {
  override readonly name = 'SqlRuntimeError';
}

function pad(n: number, width: number): string { return String(n).padStart(width, '0'); }

/** `yyyy-MM-dd HH:mm:ss.SSS` of epoch ms (Flink's TIMESTAMP(3) text). */
export function formatTimestamp(ms: number, precision = 3): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return precision > 0 ? `${base}.${pad(d.getUTCMilliseconds(), 3).slice(0, Math.min(3, precision))}` : base;
}

/** Epoch ms of `yyyy-MM-dd[ HH:mm[:ss[.fff]]]` (or with `T`), or null when the text is not one. */
export function parseTimestamp(text: string): number | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*$/.exec(text);
  if (!m) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
}

function likeToRegExp(pattern: string, escape: string | null): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (escape !== null && ch === escape && i + 1 < pattern.length) { re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

const likeCache = new Map<string, RegExp>();
const regexCache = new Map<string, RegExp>();
function cachedRegExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** Java SimpleDateFormat letters DATE_FORMAT understands. */
const DATE_FORMAT_TOKENS = /yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|SSS|a|'[^']*'/g;

/** One token of a DATE_FORMAT pattern as text of a UTC date. */
function formatToken(tok: string, d: Date): string {
  switch (tok) {
    case 'yyyy': return pad(d.getUTCFullYear(), 4);
    case 'yy': return pad(d.getUTCFullYear() % 100, 2);
    case 'MM': return pad(d.getUTCMonth() + 1, 2);
    case 'M': return String(d.getUTCMonth() + 1);
    case 'dd': return pad(d.getUTCDate(), 2);
    case 'd': return String(d.getUTCDate());
    case 'HH': return pad(d.getUTCHours(), 2);
    case 'H': return String(d.getUTCHours());
    case 'hh': return pad(d.getUTCHours() % 12 || 12, 2);
    case 'h': return String(d.getUTCHours() % 12 || 12);
    case 'mm': return pad(d.getUTCMinutes(), 2);
    case 'm': return String(d.getUTCMinutes());
    case 'ss': return pad(d.getUTCSeconds(), 2);
    case 's': return String(d.getUTCSeconds());
    case 'SSS': return pad(d.getUTCMilliseconds(), 3);
    case 'a': return d.getUTCHours() < 12 ? 'AM' : 'PM';
    default: return tok.slice(1, -1);
  }
}

/** The unit (ms) below which a token's text does not change: times of one unit format alike. */
function tokenResolution(tok: string): number {
  if (tok === 'SSS') return 1;
  if (tok === 's' || tok === 'ss') return MS.SECOND;
  if (tok === 'm' || tok === 'mm') return MS.MINUTE;
  if ('Hha'.includes(tok[0])) return MS.HOUR;
  return tok.startsWith("'") ? Infinity : MS.DAY;
}

/**
 * A DATE_FORMAT pattern compiled once: its tokens, and the text of the last time unit formatted
 * (stream times mostly move within one day, hour or second, so most rows reuse it).
 */
interface DateFormatter { readonly tokens: string[]; readonly literal: boolean[]; readonly unit: number; lastBucket: number; lastText: string }

const dateFormatters = new Map<string, DateFormatter>();

function dateFormatter(format: string): DateFormatter {
  let f = dateFormatters.get(format);
  if (f !== undefined) return f;
  const tokens: string[] = [];
  const literal: boolean[] = [];
  let at = 0;
  for (const m of format.matchAll(DATE_FORMAT_TOKENS)) {
    if (m.index! > at) { tokens.push(format.slice(at, m.index)); literal.push(true); }
    tokens.push(m[0]);
    literal.push(false);
    at = m.index! + m[0].length;
  }
  if (at < format.length) { tokens.push(format.slice(at)); literal.push(true); }
  const unit = Math.min(MS.DAY, ...tokens.filter((_, i) => !literal[i]).map(tokenResolution));
  f = { tokens, literal, unit, lastBucket: NaN, lastText: '' };
  // Patterns come from query text; a bound keeps computed patterns from growing the cache forever.
  if (dateFormatters.size < 1000) dateFormatters.set(format, f);
  return f;
}

/** DATE_FORMAT's text of epoch ms `ms` in `format` (UTC). */
export function formatDate(ms: number, format: string): string {
  const f = dateFormatter(format);
  const bucket = Math.floor(ms / f.unit);
  if (bucket === f.lastBucket) return f.lastText;
  const d = new Date(ms);
  let text = '';
  for (let i = 0; i < f.tokens.length; i++) text += f.literal[i] ? f.tokens[i] : formatToken(f.tokens[i], d);
  f.lastBucket = bucket;
  f.lastText = text;
  return text;
}

function floorTo(ms: number, unit: string): number {
  const d = new Date(ms);
  switch (unit) {
    case 'YEAR': return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'QUARTER': return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
    case 'MONTH': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'WEEK': {
      // Weeks start on Sunday, as Calcite's FLOOR(... TO WEEK).
      const day = Math.floor(ms / MS.DAY) * MS.DAY;
      return day - d.getUTCDay() * MS.DAY;
    }
    case 'DAY': case 'HOUR': case 'MINUTE': case 'SECOND':
      return Math.floor(ms / MS[unit]) * MS[unit];
    case 'MILLISECOND': return ms;
    default: throw new SqlRuntimeError(`FLOOR/CEIL to ${unit} is not supported`);
  }
}

/** The helpers generated code calls (`h`). */
export const scalarRuntime = {
  // ---- arithmetic ----
  add: (a: V, b: V): V => (a === null || b === null ? null : (a as number) + (b as number)),
  sub: (a: V, b: V): V => (a === null || b === null ? null : (a as number) - (b as number)),
  mul: (a: V, b: V): V => (a === null || b === null ? null : (a as number) * (b as number)),
  div: (a: V, b: V): V => (a === null || b === null ? null : (a as number) / (b as number)),
  /** Integer division truncates toward zero; by zero is an error, as in Flink. */
  idiv: (a: V, b: V): V => {
    if (a === null || b === null) return null;
    if (b === 0) throw new SqlRuntimeError('division by zero');
    return Math.trunc((a as number) / (b as number));
  },
  mod: (a: V, b: V): V => {
    if (a === null || b === null) return null;
    if (b === 0) throw new SqlRuntimeError('division by zero');
    return (a as number) % (b as number);
  },
  neg: (a: V): V => (a === null ? null : -(a as number)),
  // INT is 32-bit two's complement and wraps on overflow, as Java's int does in Flink; the
  // compiler calls these only where the result type is INT, so other types pay nothing.
  /** INT + INT, wrapping. */
  iadd: (a: V, b: V): V => (a === null || b === null ? null : ((a as number) + (b as number)) | 0),
  /** INT - INT, wrapping. */
  isub: (a: V, b: V): V => (a === null || b === null ? null : ((a as number) - (b as number)) | 0),
  /** INT * INT, wrapping (Math.imul: the exact low 32 bits, which a double product can lose). */
  imul: (a: V, b: V): V => (a === null || b === null ? null : Math.imul(a as number, b as number)),
  /** INT / INT, truncating; MIN_VALUE / -1 wraps to MIN_VALUE. */
  iidiv: (a: V, b: V): V => {
    if (a === null || b === null) return null;
    if (b === 0) throw new SqlRuntimeError('division by zero');
    return Math.trunc((a as number) / (b as number)) | 0;
  },
  /** -INT, wrapping: -(-2147483648) is -2147483648. */
  ineg: (a: V): V => (a === null ? null : -(a as number) | 0),
  /** Narrows an integer to INT keeping its low 32 bits, as Java's (int) cast of a long. */
  toInt: (a: V): V => (a === null ? null : Number(BigInt.asIntN(32, BigInt(Math.trunc(a as number))))),
  /** Adds a year-month interval (months) to a timestamp. */
  addMonths: (ts: V, months: V): V => {
    if (ts === null || months === null) return null;
    const d = new Date(ts as number);
    const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (months as number), 1));
    const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
    return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), lastDay),
      d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  },
  abs: (a: V): V => (a === null ? null : Math.abs(a as number)),
  round: (a: V, s: V): V => {
    if (a === null || s === null) return null;
    const f = 10 ** (s as number);
    const x = (a as number) * f;
    return (Math.sign(x) * Math.round(Math.abs(x))) / f;
  },
  floor: (a: V): V => (a === null ? null : Math.floor(a as number)),
  ceil: (a: V): V => (a === null ? null : Math.ceil(a as number)),
  power: (a: V, b: V): V => (a === null || b === null ? null : (a as number) ** (b as number)),
  sqrt: (a: V): V => (a === null ? null : Math.sqrt(a as number)),
  ln: (a: V): V => (a === null ? null : Math.log(a as number)),
  log10: (a: V): V => (a === null ? null : Math.log10(a as number)),
  exp: (a: V): V => (a === null ? null : Math.exp(a as number)),

  // ---- comparison and logic (three-valued) ----
  eq: (a: V, b: V): V => (a === null || b === null ? null : a === b),
  ne: (a: V, b: V): V => (a === null || b === null ? null : a !== b),
  lt: (a: V, b: V): V => (a === null || b === null ? null : (a as number) < (b as number)),
  le: (a: V, b: V): V => (a === null || b === null ? null : (a as number) <= (b as number)),
  gt: (a: V, b: V): V => (a === null || b === null ? null : (a as number) > (b as number)),
  ge: (a: V, b: V): V => (a === null || b === null ? null : (a as number) >= (b as number)),
  and: (a: V, b: V): V => (a === false || b === false ? false : a === null || b === null ? null : true),
  or: (a: V, b: V): V => (a === true || b === true ? true : a === null || b === null ? null : false),
  not: (a: V): V => (a === null ? null : !a),
  distinct: (a: V, b: V): boolean => a !== b,
  /** `x IN (list)`: TRUE on a match, NULL when no match but a NULL is around, else FALSE. */
  inList: (x: V, list: readonly V[]): V => {
    if (x === null) return null;
    let sawNull = false;
    for (const v of list) { if (v === x) return true; if (v === null) sawNull = true; }
    return sawNull ? null : false;
  },
  between: (x: V, lo: V, hi: V): V => scalarRuntime.and(scalarRuntime.ge(x, lo), scalarRuntime.le(x, hi)),
  coalesce: (...vs: V[]): V => { for (const v of vs) if (v !== null) return v; return null; },
  nullif: (a: V, b: V): V => (a !== null && a === b ? null : a),
  like: (s: V, pattern: V, escape: V = null): V => {
    if (s === null || pattern === null) return null;
    const key = `${escape ?? ''}\u0000${pattern as string}`;
    let re = likeCache.get(key);
    if (re === undefined) {
      re = likeToRegExp(pattern as string, escape as string | null);
      if (likeCache.size > 1000) likeCache.clear();
      likeCache.set(key, re);
    }
    return re.test(s as string);
  },

  // ---- strings ----
  concat: (...vs: V[]): V => { let s = ''; for (const v of vs) { if (v === null) return null; s += v as string; } return s; },
  concatWs: (sep: V, ...vs: V[]): V => (sep === null ? null : vs.filter((v) => v !== null).join(sep as string)),
  upper: (s: V): V => (s === null ? null : (s as string).toUpperCase()),
  lower: (s: V): V => (s === null ? null : (s as string).toLowerCase()),
  charLength: (s: V): V => (s === null ? null : [...(s as string)].length),
  /** SUBSTRING(s, start[, length]) with SQL's 1-based start (0 and negatives as Flink). */
  substring: (s: V, start: V, len: V = undefined): V => {
    if (s === null || start === null || len === null) return null;
    const str = s as string;
    let from = (start as number) > 0 ? (start as number) - 1 : (start as number) < 0 ? str.length + (start as number) : 0;
    if (from < 0) from = 0;
    if (len === undefined) return str.slice(from);
    if ((len as number) < 0) throw new SqlRuntimeError(`SUBSTRING: negative length ${String(len)}`);
    return str.slice(from, from + (len as number));
  },
  trim: (s: V, side: string, chars: V = ' '): V => {
    if (s === null || chars === null) return null;
    let str = s as string;
    const set = chars as string;
    if (side !== 'TRAILING') { let i = 0; while (i < str.length && set.includes(str[i])) i++; str = str.slice(i); }
    if (side !== 'LEADING') { let j = str.length; while (j > 0 && set.includes(str[j - 1])) j--; str = str.slice(0, j); }
    return str;
  },
  replace: (s: V, from: V, to: V): V => (s === null || from === null || to === null ? null : (s as string).split(from as string).join(to as string)),
  position: (needle: V, s: V): V => (needle === null || s === null ? null : (s as string).indexOf(needle as string) + 1),
  /** REGEXP_EXTRACT(s, regex[, group]): the group's text of the first match, else NULL. */
  regexpExtract: (s: V, re: V, group: V = 0): V => {
    if (s === null || re === null || group === null) return null;
    const m = cachedRegExp(re as string).exec(s as string);
    if (!m) return null;
    return m[group as number] ?? null;
  },
  /** SPLIT_INDEX(s, separator, index): the 0-based piece, else NULL. */
  splitIndex: (s: V, sep: V, index: V): V => {
    if (s === null || sep === null || index === null || (index as number) < 0) return null;
    return (s as string).split(sep as string)[index as number] ?? null;
  },

  // ---- time ----
  extract: (unit: string, ms: V): V => {
    if (ms === null) return null;
    const d = new Date(ms as number);
    switch (unit) {
      case 'YEAR': return d.getUTCFullYear();
      case 'QUARTER': return Math.floor(d.getUTCMonth() / 3) + 1;
      case 'MONTH': return d.getUTCMonth() + 1;
      case 'DAY': return d.getUTCDate();
      case 'HOUR': return d.getUTCHours();
      case 'MINUTE': return d.getUTCMinutes();
      case 'SECOND': return d.getUTCSeconds();
      case 'MILLISECOND': return d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
      case 'DOW': return d.getUTCDay() + 1;
      case 'DOY': return Math.floor(((ms as number) - Date.UTC(d.getUTCFullYear(), 0, 1)) / MS.DAY) + 1;
      case 'WEEK': {
        // ISO week number.
        const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
        const dayNum = t.getUTCDay() || 7;
        t.setUTCDate(t.getUTCDate() + 4 - dayNum);
        return Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / MS.DAY + 1) / 7);
      }
      case 'EPOCH': return Math.floor((ms as number) / 1000);
      default: throw new SqlRuntimeError(`EXTRACT(${unit} ...) is not supported`);
    }
  },
  floorTo: (ms: V, unit: string): V => (ms === null ? null : floorTo(ms as number, unit)),
  ceilTo: (ms: V, unit: string): V => {
    if (ms === null) return null;
    const f = floorTo(ms as number, unit);
    if (f === ms) return f;
    switch (unit) {
      case 'YEAR': return scalarRuntime.addMonths(f, 12);
      case 'QUARTER': return scalarRuntime.addMonths(f, 3);
      case 'MONTH': return scalarRuntime.addMonths(f, 1);
      default: return f + MS[unit as keyof typeof MS];
    }
  },
  /** DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') with Java SimpleDateFormat letters. */
  dateFormat: (ms: V, format: V): V => {
    if (ms === null || format === null) return null;
    return formatDate(ms as number, format as string);
  },
  toTimestamp: (s: V): V => (s === null ? null : parseTimestamp(s as string)),

  // ---- casts ----
  castToInteger: (v: V, safe: boolean): V => {
    if (v === null) return null;
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    const s = String(v).trim();
    if (/^[+-]?\d+$/.test(s)) return Number(s);
    if (safe) return null;
    throw new SqlRuntimeError(`CAST: '${s}' is not an integer`);
  },
  castToDouble: (v: V, safe: boolean): V => {
    if (v === null) return null;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    const s = String(v).trim();
    const n = Number(s);
    if (s !== '' && !Number.isNaN(n)) return n;
    if (safe) return null;
    throw new SqlRuntimeError(`CAST: '${s}' is not a number`);
  },
  castToDecimal: (v: V, scale: number, safe: boolean): V => {
    const n = scalarRuntime.castToDouble(v, safe);
    return n === null ? null : scalarRuntime.round(n, scale);
  },
  castToBoolean: (v: V, safe: boolean): V => {
    if (v === null) return null;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    const s = String(v).trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    if (safe) return null;
    throw new SqlRuntimeError(`CAST: '${String(v)}' is not a boolean`);
  },
  castToTimestamp: (v: V, safe: boolean): V => {
    if (v === null) return null;
    if (typeof v === 'number') return v;
    const ms = parseTimestamp(String(v));
    if (ms !== null) return ms;
    if (safe) return null;
    throw new SqlRuntimeError(`CAST: '${String(v)}' is not a timestamp`);
  },
  castToDate: (v: V, safe: boolean): V => {
    const ms = scalarRuntime.castToTimestamp(v, safe);
    return ms === null ? null : Math.floor((ms as number) / MS.DAY) * MS.DAY;
  },
  /** The text of a value of type `kind` (Flink's CAST(x AS STRING)). */
  castToString: (v: V, kind: string): V => {
    if (v === null) return null;
    switch (kind) {
      case 'BOOLEAN': return v ? 'TRUE' : 'FALSE';
      case 'DOUBLE': case 'FLOAT': return Number.isInteger(v) && Math.abs(v as number) < 1e7 ? `${String(v)}.0` : String(v);
      case 'TIMESTAMP': case 'TIMESTAMP_LTZ': return formatTimestamp(v as number);
      case 'DATE': return formatTimestamp(v as number, 0).slice(0, 10);
      default: return typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  },

  // ---- collections ----
  index: (target: V, i: V): V => {
    if (target === null || i === null) return null;
    if (Array.isArray(target)) return target[(i as number) - 1] ?? null;
    return (target as Record<string, V>)[String(i)] ?? null;
  },
  cardinality: (v: V): V => (v === null ? null : Array.isArray(v) ? v.length : Object.keys(v as object).length),
};

/** The type of the helper object generated code receives. */
export type ScalarRuntime = typeof scalarRuntime;
