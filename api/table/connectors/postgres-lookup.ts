// The lookup side of the 'jdbc' / 'postgres' table connector (Flink's JDBC lookup source): the
// rows of the PostgreSQL table whose key columns equal a lookup key, fetched with one
// `SELECT ... WHERE k1 = $1 AND ...` per key missing from the cache. Lookups are synchronous (they
// run in an operator's processElement): the query goes to the connector's worker thread
// (PostgresBridge) and this thread waits for the answer. Flink's cache options:
// 'lookup.cache.max-rows' (keys kept, least recently used evicted; no cache without it),
// 'lookup.cache.ttl' (expiry after the write, on the job's processing-time clock),
// 'lookup.cache.caching-missing-key' (remember keys with no rows, default true) and
// 'lookup.max-retries' (retries of a failed query, default 3). Imports api/ connectors and types.
import { PostgresBridge } from '../../connectors/postgres/postgres-bridge.ts';
import { quoteName } from '../../connectors/postgres/postgres-statements.ts';
import { fromValue } from './row-format.ts';
import type { ConnectorContext, LookupFunction } from './table-connector.ts';

/** Lookup options of the jdbc connector. */
export const LOOKUP_OPTIONS = ['lookup.cache.max-rows', 'lookup.cache.ttl', 'lookup.cache.caching-missing-key', 'lookup.max-retries'];

const DURATION_UNITS: Readonly<Record<string, number>> = {
  '': 1, ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1, s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** '10s', '5 min', '2 h', '500 ms' or plain milliseconds, as Flink writes durations. */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? DURATION_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new Error(`${what} must be a duration such as '10s' or '5 min', got '${text}'`);
  return Number(m[1]) * factor;
}

/** A PostgreSQL lookup function over `table` by the physical columns `keys`. */
export function postgresLookup(ctx: ConnectorContext, url: string, table: string, keys: readonly string[], now: () => number): LookupFunction {
  const where = `table ${ctx.tableName}`;
  const cols = ctx.physical.columns;
  for (const k of keys) if (!cols.some((c) => c.name === k)) throw new Error(`${where}: lookup key ${k} is not a column`);
  const int = (key: string, dflt: number): number => {
    const v = ctx.options[key];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!(Number.isInteger(n) && n >= 0)) throw new Error(`${where}: option '${key}' must be a non-negative integer, got '${v}'`);
    return n;
  };
  const maxRows = int('lookup.cache.max-rows', 0);
  const ttl = ctx.options['lookup.cache.ttl'] !== undefined ? parseDuration(ctx.options['lookup.cache.ttl'], `${where}: 'lookup.cache.ttl'`) : Infinity;
  const missing = ctx.options['lookup.cache.caching-missing-key'] ?? 'true';
  if (missing !== 'true' && missing !== 'false') throw new Error(`${where}: 'lookup.cache.caching-missing-key' must be 'true' or 'false', got '${missing}'`);
  const retries = int('lookup.max-retries', 3);
  const sql = `SELECT ${cols.map((c) => quoteName(c.name)).join(', ')} FROM ${quoteName(table)} WHERE ${keys.map((k, i) => `${quoteName(k)} = $${i + 1}`).join(' AND ')}`;
  const cache = new Map<string, { rows: unknown[][]; at: number }>();
  let bridge: PostgresBridge | undefined;

  const query = (key: readonly unknown[]): unknown[][] => {
    bridge ??= new PostgresBridge(url);
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = bridge.querySync<Record<string, unknown>>('lookup', sql, [...key]);
        return rows.map((r) => cols.map((c) => {
          const v = r[c.name];
          return fromValue(v instanceof Date ? v.getTime() : v ?? null, c.type, () => `${where} column ${c.name}`);
        }));
      } catch (error) {
        if (attempt >= retries) throw new Error(`${where}: lookup in PostgreSQL table ${table} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  };

  return {
    lookup(key) {
      if (maxRows === 0) return query(key);
      const k = JSON.stringify(key);
      const hit = cache.get(k);
      if (hit !== undefined && now() - hit.at < ttl) {
        cache.delete(k); // most recently used last
        cache.set(k, hit);
        return hit.rows;
      }
      const rows = query(key);
      cache.delete(k);
      if (rows.length > 0 || missing === 'true') {
        cache.set(k, { rows, at: now() });
        if (cache.size > maxRows) cache.delete(cache.keys().next().value!);
      }
      return rows;
    },
    async close() {
      const b = bridge;
      bridge = undefined;
      cache.clear();
      await b?.terminate();
    },
  };
}
