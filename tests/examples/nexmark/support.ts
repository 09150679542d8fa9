// Shared by the Nexmark query tests: one bounded configuration (100,000 events at 1,000 events
// per second of event time, so 100 s: ten 10 s tumbling windows, fifty hop windows, a UTC day
// boundary at 50 s), the same events generated once for the plain-loop expectations, a runner
// for a query at parallelism 2, and multiset / upsert comparisons.
import * as assert from 'uvu/assert';
import { NexmarkGenerator, StreamExecutionEnvironment, type Auction, type Bid, type NexmarkConfig, type NexmarkEvent, type Person } from '../../../api/index.ts';
import { nexmarkEvents } from '../../../examples/nexmark/common.ts';
import type { NexmarkQuery } from '../../../examples/nexmark/queries.ts';

/** The configuration every query test runs. */
export const CONFIG: NexmarkConfig = { numEvents: 100_000, firstEventRate: 1000, baseTime: Date.UTC(2026, 0, 1, 23, 59, 10) };

let cached: { events: NexmarkEvent[]; persons: Person[]; auctions: Auction[]; bids: Bid[] } | undefined;

/** The configuration's events, generated directly (not through a job), split by kind. */
export function generated(): { events: NexmarkEvent[]; persons: Person[]; auctions: Auction[]; bids: Bid[] } {
  if (cached === undefined) {
    const g = new NexmarkGenerator(CONFIG);
    const events: NexmarkEvent[] = [];
    for (let k = 0; k < CONFIG.numEvents!; k++) events.push(g.event(k));
    cached = {
      events,
      persons: events.filter((e): e is Person => e.eventType === 0),
      auctions: events.filter((e): e is Auction => e.eventType === 1),
      bids: events.filter((e): e is Bid => e.eventType === 2),
    };
  }
  return cached;
}

/** Runs `query` over the configuration's events in a job at `parallelism`; returns every result row in arrival order. */
export async function runQuery<R>(query: NexmarkQuery, parallelism = 2): Promise<R[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism);
  return await query(nexmarkEvents(env, CONFIG)).executeAndCollect('nexmark-test') as R[];
}

/** A row as a string with its fields in name order (so field order does not matter). */
export function canonical(row: unknown): string {
  return JSON.stringify(row, Object.keys(row as object).sort());
}

/** Asserts that two bags of rows are equal as multisets, naming a few differences when not. */
export function assertSameRows(actual: readonly unknown[], expected: readonly unknown[], label: string): void {
  const count = new Map<string, number>();
  for (const r of expected) { const k = canonical(r); count.set(k, (count.get(k) ?? 0) + 1); }
  const extra: string[] = [];
  for (const r of actual) {
    const k = canonical(r);
    const n = count.get(k);
    if (n === undefined) extra.push(k);
    else if (n === 1) count.delete(k);
    else count.set(k, n - 1);
  }
  const missing = [...count.keys()];
  if (extra.length > 0 || missing.length > 0) {
    assert.unreachable(`${label}: ${actual.length} rows, expected ${expected.length}; ` +
      `${extra.length} unexpected (e.g. ${extra.slice(0, 3).join(' ')}), ${missing.length} missing (e.g. ${missing.slice(0, 3).join(' ')})`);
  }
}

/** The final table of an upsert stream: the last row per key, in arrival order. */
export function fold<R>(rows: readonly R[], key: (r: R) => string | number): Map<string | number, R> {
  const out = new Map<string | number, R>();
  for (const r of rows) out.set(key(r), r);
  return out;
}
