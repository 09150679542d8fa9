// Nexmark q3 and q20 (regular joins) against hash joins over the same generated events.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Auction, Person } from '../../../api/index.ts';
import { q20, q3 } from '../../../examples/nexmark/joins.ts';
import { assertSameRows, generated, runQuery } from './support.ts';

test('q3 joins category-10 auctions with their sellers from OR, ID and CA', async () => {
  const { persons, auctions } = generated();
  const local = new Map<number, Person>();
  for (const p of persons) if (['OR', 'ID', 'CA'].includes(p.state)) local.set(p.id, p);
  const expected = [];
  for (const a of auctions) {
    const p = a.category === 10 ? local.get(a.seller) : undefined;
    if (p) expected.push({ name: p.name, city: p.city, state: p.state, id: a.id });
  }
  assert.ok(expected.length > 100, `enough q3 rows (${expected.length})`);
  assertSameRows(await runQuery(q3), expected, 'q3');
});

test('q20 joins bids with their category-10 auction', async () => {
  const { auctions, bids } = generated();
  const byId = new Map<number, Auction>();
  for (const a of auctions) if (a.category === 10) byId.set(a.id, a);
  const expected = [];
  for (const b of bids) {
    const a = byId.get(b.auction);
    if (!a) continue;
    expected.push({
      auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, url: b.url, bid_dateTime: b.dateTime, bid_extra: b.extra,
      itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve, auction_dateTime: a.dateTime,
      expires: a.expires, seller: a.seller, category: a.category, auction_extra: a.extra,
    });
  }
  const share = expected.length / bids.length;
  assert.ok(share > 0.1 && share < 0.3, `about 20 % of bids (${share})`);
  assertSameRows(await runQuery(q20), expected, 'q20');
});

test.run();
