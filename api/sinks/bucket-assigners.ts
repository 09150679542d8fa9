// Bucket assigners of the FileSink (Flink's BucketAssigner): which subdirectory of the sink's
// directory a record's part file goes into. A bucket id is a relative path ('' = the directory
// itself); ids are validated so that no record is written outside the directory or into a hidden
// directory that readers skip. Imports nothing from actors/.
import { isAbsolute } from 'node:path';

/** What an assigner may look at besides the record (Flink's BucketAssigner.Context). */
export interface BucketAssignerContext {
  /** The subtask's processing time (its clock), in epoch milliseconds. */
  currentProcessingTime(): number;
  /** The sink's current watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** The record's timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
}

/** Picks a record's bucket: an object with getBucketId (Flink's shape) or a plain function. */
export type BucketAssigner<T> =
  | { getBucketId(value: T, context: BucketAssignerContext): string }
  | ((value: T, context: BucketAssignerContext) => string);

/** Calls an assigner of either shape. */
export function bucketIdOf<T>(assigner: BucketAssigner<T>, value: T, context: BucketAssignerContext): string {
  return typeof assigner === 'function' ? assigner(value, context) : assigner.getBucketId(value, context);
}

/**
 * Checks a bucket id and returns it normalised ('a/b', no trailing '/'); throws a clear error for
 * an id that is not a string, is absolute, or has an empty, '.', '..' or hidden segment.
 */
export function validateBucketId(id: unknown): string {
  if (typeof id !== 'string') throw new Error(`a bucket id must be a string, got ${typeof id}`);
  if (id === '') return id;
  if (id.includes('\0')) throw new Error(`bucket id ${JSON.stringify(id)} contains a NUL character`);
  if (isAbsolute(id) || /^[A-Za-z]:/.test(id) || id.startsWith('\\')) {
    throw new Error(`bucket id ${JSON.stringify(id)} is an absolute path; bucket ids are relative to the sink's directory`);
  }
  const segments = id.replace(/\/+$/, '').split('/');
  for (const s of segments) {
    if (s === '..' || s === '.') throw new Error(`bucket id ${JSON.stringify(id)} has a '${s}' segment; bucket ids must stay inside the sink's directory`);
    if (s === '') throw new Error(`bucket id ${JSON.stringify(id)} has an empty segment`);
    if (s.includes('\\')) throw new Error(`bucket id ${JSON.stringify(id)} contains a backslash`);
    if (s.startsWith('.') || s.startsWith('_')) {
      throw new Error(`bucket id ${JSON.stringify(id)} has a segment starting with '${s[0]}', which readers skip as hidden`);
    }
  }
  return segments.join('/');
}

/** Every record into the sink's directory itself (Flink's BasePathBucketAssigner). */
export class BasePathBucketAssigner<T> {
  getBucketId(_value: T, _context: BucketAssignerContext): string { return ''; }
}

/** Which time a DateTimeBucketAssigner formats. */
export type BucketTime = 'processing-time' | 'record-timestamp';

/**
 * Buckets by the time formatted with a Java DateTimeFormatter pattern (Flink's
 * DateTimeBucketAssigner: by default the current processing time when the record arrives, pattern
 * 'yyyy-MM-dd--HH'). Flink formats in the JVM's zone; here the zone defaults to UTC so that
 * buckets do not depend on the machine. `time: 'record-timestamp'` buckets by the record's
 * timestamp instead (a record without one is an error).
 */
export class DateTimeBucketAssigner<T> {
  private readonly format: (ms: number) => string;

  constructor(readonly formatString = 'yyyy-MM-dd--HH', readonly zone = 'UTC', readonly time: BucketTime = 'processing-time') {
    this.format = dateTimeFormatter(formatString, zone);
  }

  getBucketId(_value: T, context: BucketAssignerContext): string {
    if (this.time === 'processing-time') return this.format(context.currentProcessingTime());
    const ts = context.timestamp();
    if (ts === undefined || !Number.isFinite(ts)) {
      throw new Error('DateTimeBucketAssigner on record timestamps got a record without a timestamp (assign timestamps before the sink)');
    }
    return this.format(ts);
  }
}

/** The calendar fields of an instant in a zone. */
interface Fields { y: number; M: number; d: number; H: number; m: number; s: number; S: number }

function fieldsIn(zone: string): (ms: number) => Fields {
  if (zone === 'UTC' || zone === 'Z') {
    return (ms) => {
      const t = new Date(ms);
      return { y: t.getUTCFullYear(), M: t.getUTCMonth() + 1, d: t.getUTCDate(), H: t.getUTCHours(), m: t.getUTCMinutes(), s: t.getUTCSeconds(), S: t.getUTCMilliseconds() };
    };
  }
  let intl: Intl.DateTimeFormat;
  try {
    intl = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw new Error(`unknown time zone '${zone}'`);
  }
  return (ms) => {
    const p: Record<string, number> = {};
    for (const part of intl.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return { y: p.year, M: p.month, d: p.day, H: p.hour % 24, m: p.minute, s: p.second, S: ((ms % 1000) + 1000) % 1000 };
  };
}

/** A formatter for the Java pattern letters y, M, d, H, m, s, S, with 'quoted' literals. */
export function dateTimeFormatter(pattern: string, zone = 'UTC'): (ms: number) => string {
  const parts: Array<string | { letter: keyof Fields; width: number }> = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`date-time pattern '${pattern}' has an unclosed quote`);
      parts.push(end === i + 1 ? "'" : pattern.slice(i + 1, end));
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!'yMdHmsS'.includes(c)) throw new Error(`date-time pattern '${pattern}': letter '${c}' is not supported (use y, M, d, H, m, s, S)`);
      parts.push({ letter: c as keyof Fields, width: j - i });
      i = j;
    } else {
      parts.push(c);
      i++;
    }
  }
  const fields = fieldsIn(zone);
  return (ms) => {
    const f = fields(ms);
    return parts.map((p) => {
      if (typeof p === 'string') return p;
      const v = f[p.letter];
      if (p.letter === 'y' && p.width === 2) return String(v % 100).padStart(2, '0');
      return String(v).padStart(p.width, '0');
    }).join('');
  };
}
