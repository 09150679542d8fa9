// Every Nexmark query by name, for the runner, the benchmark and the tests: each takes the event
// stream and returns its result stream. `updating` names the queries whose result is an upsert
// stream (the latest row per key is the current result); the others are append-only.
import type { DataStream, NexmarkEvent } from '../../api/index.ts';
import { q4, q6, q9 } from './auction-bids.ts';
import { q15, q16, q17 } from './group-aggregates.ts';
import { q3, q20 } from './joins.ts';
import { q18, q19 } from './rankings.ts';
import { q0, q1, q10, q13, q14, q2, q21, q22 } from './stateless.ts';
import { q11, q12, q5, q7, q8 } from './windows.ts';

export { q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15, q16, q17, q18, q19, q20, q21, q22 };

/** A Nexmark query: the event stream in, the result stream out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DataStream is invariant in its element type.
export type NexmarkQuery = (events: DataStream<NexmarkEvent>) => DataStream<any>;

/** Every query, q0 to q22, by name. */
export const QUERIES: Readonly<Record<string, NexmarkQuery>> = {
  q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13: (events) => q13(events), q14,
  q15, q16, q17, q18, q19, q20, q21, q22,
};

/** The queries whose result is updating (an upsert stream). */
export const UPDATING_QUERIES: ReadonlySet<string> = new Set(['q4', 'q9', 'q15', 'q16', 'q17', 'q18', 'q19']);

/** The query `name`, or a clear error listing the known ones. */
export function nexmarkQuery(name: string): NexmarkQuery {
  const query = QUERIES[name];
  if (query === undefined) throw new Error(`unknown Nexmark query "${name}": one of ${Object.keys(QUERIES).join(', ')}`);
  return query;
}
