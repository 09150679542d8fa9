// Nexmark q4, q6 and q9 (auction ⋈ bid within the auction's lifetime) against plain loops over
// the same generated events: per auction its best bid, then per category / per seller.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Auction, Bid } from '../../../api/index.ts';
import { q4, q6, q9, type Q4Row, type Q9Row } from '../../../examples/nexmark/auction-bids.ts';
import { assertSameRows, fold, generated, runQuery } from './support.ts';

/** Per auction, its best bid inside [dateTime, expires]: highest price, then earliest. */
function winners(): Array<{ a: Auction; best: Bid }> {
  const { auctions, bids } = generated();
  const byAuction = new Map<number, Bid[]>();
  for (const b of bids) {
    let list = byAuction.get(b.auction);
    if (!list) byAuction.set(b.auction, list = []);
    list.push(b);
  }
  const out = [];
  for (const a of auctions) {
    const inside = (byAuction.get(a.id) ?? []).filter((b) => b.dateTime >= a.dateTime && b.dateTime <= a.expires);
    if (inside.length === 0) continue;
    inside.sort((x, y) => y.price - x.price || x.dateTime - y.dateTime);
    out.push({ a, best: inside[0] });
  }
  return out;
}

test('q4: per category, the truncated average of the auctions\' winning prices', async () => {
  const sums = new Map<number, { sum: number; n: number }>();
  const ws = winners();
  assert.ok(ws.length > 0.9 * generated().auctions.length, `most auctions get a bid (${ws.length})`);
  for (const { a, best } of ws) {
    const s = sums.get(a.category) ?? { sum: 0, n: 0 };
    s.sum += best.price;
    s.n++;
    sums.set(a.category, s);
  }
  const expected = [...sums].map(([category, s]) => ({ category, avg: Math.trunc(s.sum / s.n) }));
  assert.is(expected.length, 5);
  const rows = await runQuery<Q4Row>(q4);
  assertSameRows([...fold(rows, (r) => r.category).values()], expected, 'q4');
});

test('q9: each auction with its winning bid (ties on price and time compared by value only)', async () => {
  const expected = winners().map(({ a, best }) => ({
    id: a.id, itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve, dateTime: a.dateTime,
    expires: a.expires, seller: a.seller, category: a.category, extra: a.extra, auction: best.auction, price: best.price, bid_dateTime: best.dateTime,
  }));
  const rows = await runQuery<Q9Row>(q9);
  const final = [...fold(rows, (r) => r.id).values()].map(({ bidder: _b, bid_extra: _e, ...rest }) => rest);
  assertSameRows(final, expected, 'q9');
});

test('q6: per seller, the truncated average of the last 11 closed auctions\' prices, in order of expiry', async () => {
  const bySeller = new Map<number, Array<{ expires: number; id: number; price: number }>>();
  for (const { a, best } of winners()) {
    let list = bySeller.get(a.seller);
    if (!list) bySeller.set(a.seller, list = []);
    list.push({ expires: a.expires, id: a.id, price: best.price });
  }
  const expected: Array<{ seller: number; avg: number }> = [];
  for (const [seller, list] of bySeller) {
    list.sort((x, y) => x.expires - y.expires || x.id - y.id);
    for (let i = 0; i < list.length; i++) {
      const window = list.slice(Math.max(0, i - 10), i + 1);
      expected.push({ seller, avg: Math.trunc(window.reduce((s, c) => s + c.price, 0) / window.length) });
    }
  }
  assert.ok(expected.some((r, i) => i > 0 && expected[i - 1].seller === r.seller), 'sellers with several auctions');
  assertSameRows(await runQuery(q6), expected, 'q6');
});

test.run();
