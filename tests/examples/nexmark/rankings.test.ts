// Nexmark q18 (last bid per bidder and auction) and q19 (top ten bids per auction) against plain
// loops over the same generated bids. Ties follow arrival order, which parallel subtasks do not
// fix, so rows are compared by key and sort value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bid } from '../../../api/index.ts';
import { q18, q19, type Q19Row } from '../../../examples/nexmark/rankings.ts';
import { assertSameRows, fold, generated, runQuery } from './support.ts';

test('q18: per (bidder, auction) the latest bid time', async () => {
  const last = new Map<string, number>();
  for (const b of generated().bids) {
    const k = `${b.bidder}|${b.auction}`;
    last.set(k, Math.max(last.get(k) ?? -Infinity, b.dateTime));
  }
  const rows = await runQuery<Bid>(q18);
  const final = [...fold(rows, (r) => `${r.bidder}|${r.auction}`).values()].map((b) => ({ key: `${b.bidder}|${b.auction}`, dateTime: b.dateTime }));
  assertSameRows(final, [...last].map(([key, dateTime]) => ({ key, dateTime })), 'q18');
});

test('q19: per auction the ten highest prices, ranked', async () => {
  const prices = new Map<number, number[]>();
  for (const b of generated().bids) {
    let list = prices.get(b.auction);
    if (!list) prices.set(b.auction, list = []);
    list.push(b.price);
  }
  const expected = [];
  for (const [auction, list] of prices) {
    list.sort((a, b) => b - a);
    for (let i = 0; i < Math.min(10, list.length); i++) expected.push({ auction, rank_number: i + 1, price: list[i] });
  }
  const rows = await runQuery<Q19Row>(q19);
  assert.ok(rows.length > expected.length, 'updates re-rank earlier rows');
  const final = [...fold(rows, (r) => `${r.auction}|${r.rank_number}`).values()].map((r) => ({ auction: r.auction, rank_number: r.rank_number, price: r.price }));
  assertSameRows(final, expected, 'q19');
});

test.run();
