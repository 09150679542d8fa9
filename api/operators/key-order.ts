// A total order of keys for batch mode's grouped input: records are sorted by key (then by
// timestamp, then by arrival), so that each key's records are contiguous. Keys compare by type
// (boolean < number < bigint < string < array) and then by value; arrays compare element by
// element. Equal keys compare 0 exactly when the state backend treats them as the same key.
// Also a cheap size estimate of records, for memory budgets. Imports state/key-groups only.
import type { Key } from '../../state/key-groups.ts';

const RANK: Record<string, number> = { boolean: 0, number: 1, bigint: 2, string: 3, object: 4 };

/** Negative, zero or positive as `a` sorts before, with, or after `b`. */
export function compareKeys(a: Key, b: Key): number {
  const ta = typeof a, tb = typeof b;
  if (ta === tb) {
    if (ta !== 'object') return a < b ? -1 : a > b ? 1 : 0;
    const x = a as Key[], y = b as Key[];
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const c = compareKeys(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return RANK[ta] - RANK[tb];
}

/** One record of a sort: its key, timestamp, arrival number, input (1 or 2) and value. */
export interface SortEntry {
  readonly key: Key;
  readonly timestamp: number;
  readonly seq: number;
  readonly input: 1 | 2;
  readonly value: unknown;
}

/** The order of a batch keyed input: key, then timestamp (Flink sorts keyed input by both), then arrival. */
export function compareEntries(a: SortEntry, b: SortEntry): number {
  const c = compareKeys(a.key, b.key);
  if (c !== 0) return c;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * About how many bytes `value` takes on the heap: numbers 8, strings 2 per character, objects and
 * arrays their fields plus a header. Deep structures are cut off (a budget, not an exact figure).
 */
export function estimateBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number': return 8;
    case 'string': return 16 + 2 * value.length;
    case 'boolean': return 4;
    case 'bigint': return 16;
    case 'object': {
      if (value === null) return 4;
      if (depth > 4) return 64;
      let n = 16;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) n += 8 + estimateBytes(value[i], depth + 1);
        return n;
      }
      if (ArrayBuffer.isView(value)) return n + value.byteLength;
      for (const k in value as Record<string, unknown>) n += 8 + estimateBytes((value as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default: return 8;
  }
}
