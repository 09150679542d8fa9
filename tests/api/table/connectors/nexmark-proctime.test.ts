// Nexmark q12 in SQL (bids per bidder in 10 s windows of processing time) on a manual clock: every
// bid the scan read before the clock moved carries the first window's processing time, and they
// are a prefix of the generated stream at parallelism 1, so the first window's counts per bidder
// must equal a plain count over that prefix of the generator's events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, StreamExecutionEnvironment, StreamTableEnvironment, type Bid } from '../../../../api/index.ts';
import { NexmarkGenerator } from '../../../../api/sources/nexmark/nexmark-generator.ts';
import { splitStatements } from '../../../../api/table/sql/parser.ts';
import type { Row } from '../../../../api/table/types/row.ts';
import { NEXMARK_DDL, NEXMARK_QUERIES } from '../sql/nexmark-queries.ts';

const T0 = 1_000_000;
const ticks = async (n: number): Promise<void> => { for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0)); };

test('q12 counts each bidder\'s bids of the first processing-time window exactly', async () => {
  const clock = new ManualClock(T0);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock });
  env.setParallelism(1);
  const tEnv = StreamTableEnvironment.create(env);
  // An unbounded stream ('events.num' = 0), generated as fast as the job runs.
  for (const p of splitStatements(NEXMARK_DDL.replace("'events.num' = '100000000'", "'events.num' = '0'"))) await tEnv.executeSql(p.sql);
  const parts = splitStatements(NEXMARK_QUERIES.q12).map((p) => p.sql);
  for (const d of parts.slice(0, -1)) await tEnv.executeSql(d);
  const select = parts[parts.length - 1].replace(/^INSERT INTO \w+\s*/, '');
  assert.match(tEnv.explainSql(select), /WindowAggregate\(groupBy=\[bidder, window_start, window_end\], proctime=\[true\]/);
  const rows: Row[] = [];
  tEnv.toDataStream(tEnv.sqlQuery(select)).addSink((r: Row) => { rows.push(r); });
  const client = await env.executeAsync('q12');
  for (let round = 0; rows.length === 0 && round < 500; round++) {
    await ticks(20);
    // Two windows' worth: the first fires, and bids still in flight with its time fire at the next step.
    if (clock.now() < T0 + 30_000) clock.advance(10_000);
  }
  await ticks(20);
  clock.advance(10_000);
  await ticks(20);
  await client.cancel();
  await client.getJobExecutionResult().catch(() => {});
  const first = rows.filter((r) => r.starttime === T0);
  assert.ok(first.length > 0, 'the first window fired');
  for (const r of rows) assert.is((r.endtime as number) - (r.starttime as number), 10_000);
  // Per bidder, summed (a bid in flight when the window fired is counted in a second row of it).
  const counted = new Map<number, number>();
  for (const r of first) counted.set(r.bidder as number, (counted.get(r.bidder as number) ?? 0) + (r.bid_count as number));
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  const generator = new NexmarkGenerator({ firstEventRate: 10_000_000 });
  const expected = new Map<number, number>();
  for (let k = 0, bids = 0; bids < total; k++) {
    const e = generator.event(k);
    if (e.eventType !== 2) continue;
    const bidder = (e as unknown as Bid).bidder;
    expected.set(bidder, (expected.get(bidder) ?? 0) + 1);
    bids++;
  }
  const sorted = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
  assert.equal(sorted(counted), sorted(expected), `the first ${total} bids`);
});

test.run();
