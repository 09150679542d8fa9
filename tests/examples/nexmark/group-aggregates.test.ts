// Nexmark q15, q16 and q17 (grouped counts, distinct counts and price statistics per UTC day)
// against plain loops over the same generated bids; results are the upsert streams folded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bid } from '../../../api/index.ts';
import { q15, q16, q17, type Q15Row, type Q16Row, type Q17Row } from '../../../examples/nexmark/group-aggregates.ts';
import { assertSameRows, fold, generated, runQuery } from './support.ts';

const rankOf = (p: number): number => (p < 10_000 ? 1 : p < 1_000_000 ? 2 : 3);
const dayOf = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/** COUNT(*), COUNT(DISTINCT bidder), COUNT(DISTINCT auction), each in total and FILTERed by rank. */
function dailyCounts(bids: Bid[]): Record<string, number> {
  const row: Record<string, number> = {};
  for (const [label, rank] of [['total', 0], ['rank1', 1], ['rank2', 2], ['rank3', 3]] as const) {
    const sel = rank === 0 ? bids : bids.filter((b) => rankOf(b.price) === rank);
    row[`${label}_bids`] = sel.length;
    row[`${label}_bidders`] = new Set(sel.map((b) => b.bidder)).size;
    row[`${label}_auctions`] = new Set(sel.map((b) => b.auction)).size;
  }
  return row;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    let list = out.get(k);
    if (!list) out.set(k, list = []);
    list.push(t);
  }
  return out;
}

test('q15: per day, bids, bidders and auctions in total and per price rank', async () => {
  const expected = [...groupBy(generated().bids, (b) => dayOf(b.dateTime))].map(([day, bs]) => ({ day, ...dailyCounts(bs) }));
  assert.is(expected.length, 2);
  const rows = await runQuery<Q15Row>(q15);
  assertSameRows([...fold(rows, (r) => r.day).values()], expected, 'q15');
});

test('q16: q15 per channel and day, with the latest minute', async () => {
  const groups = groupBy(generated().bids, (b) => `${b.channel}|${dayOf(b.dateTime)}`);
  const expected = [...groups].map(([key, bs]) => {
    const [channel, day] = key.split('|');
    const minute = bs.map((b) => new Date(b.dateTime).toISOString().slice(11, 16)).sort().pop()!;
    return { channel, day, minute, ...dailyCounts(bs) };
  });
  assert.ok(expected.length > 1000, `many channels (${expected.length})`);
  const rows = await runQuery<Q16Row>(q16);
  assertSameRows([...fold(rows, (r) => `${r.channel}|${r.day}`).values()], expected, 'q16');
});

test('q17: per auction and day, bid counts per rank and min, max, avg, sum of prices', async () => {
  const groups = groupBy(generated().bids, (b) => `${b.auction}|${dayOf(b.dateTime)}`);
  const expected = [...groups].map(([key, bs]) => {
    const prices = bs.map((b) => b.price);
    const sum = prices.reduce((s, p) => s + p, 0);
    return {
      auction: Number(key.split('|')[0]), day: key.split('|')[1], total_bids: bs.length,
      rank1_bids: prices.filter((p) => rankOf(p) === 1).length, rank2_bids: prices.filter((p) => rankOf(p) === 2).length,
      rank3_bids: prices.filter((p) => rankOf(p) === 3).length,
      min_price: Math.min(...prices), max_price: Math.max(...prices), avg_price: Math.trunc(sum / bs.length), sum_price: sum,
    };
  });
  const rows = await runQuery<Q17Row>(q17);
  assertSameRows([...fold(rows, (r) => `${r.auction}|${r.day}`).values()], expected, 'q17');
});

test.run();
