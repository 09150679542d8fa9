// NexmarkGenerator: the event model of NEXMARK.md (kinds by event id, id numbering, hot targets,
// price and lifetime ranges, padding sizes, channels and urls, timestamps) and reproducibility
// (an event depends only on its number and the configuration).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NexmarkGenerator, reversedChannelId, resolveNexmarkConfig, type Auction, type Bid, type NexmarkEvent, type Person } from '../../../../api/index.ts';

const N = 50_000;
const generator = new NexmarkGenerator({ firstEventRate: 10_000 });
const events: NexmarkEvent[] = Array.from({ length: N }, (_, k) => generator.event(k));
const persons = events.filter((e): e is Person => e.eventType === 0);
const auctions = events.filter((e): e is Auction => e.eventType === 1);
const bids = events.filter((e): e is Bid => e.eventType === 2);

test('kinds follow the event id: 1 person, 3 auctions, 46 bids in every 50', () => {
  // Event k has id k + 2: ids 2 and 3 are auctions, id 50 the first person.
  assert.is(events[0].eventType, 1);
  assert.is(events[1].eventType, 1);
  assert.is(events[2].eventType, 2);
  assert.is(events[48].eventType, 0);
  assert.is(persons.length, N / 50);
  assert.is(auctions.length, (N / 50) * 3);
  assert.is(bids.length, (N / 50) * 46);
});

test('person and auction ids count up from 1001 without gaps; 1000 never exists', () => {
  persons.forEach((p, i) => assert.is(p.id, 1001 + i));
  auctions.forEach((a, i) => assert.is(a.id, 1001 + i));
});

test('sellers, bidders and auctions of bids point at recent or hot ids', () => {
  for (const a of auctions) {
    assert.ok(a.seller >= 1000 && a.category >= 10 && a.category < 15);
    assert.ok(a.expires > a.dateTime && a.reserve > a.initialBid);
  }
  let hotAuction = 0;
  let lastAuction = 1000;
  let i = 0;
  for (const e of events) {
    if (e.eventType === 1) lastAuction = e.id;
    if (e.eventType !== 2) continue;
    i++;
    assert.ok(e.bidder >= 2000, 'bidders carry the first person id twice');
    assert.ok(e.auction <= lastAuction + 10 && e.auction >= Math.max(1000, lastAuction - 101), `bid ${i}: auction ${e.auction} near ${lastAuction}`);
    if (e.auction % 100 === 0) hotAuction++;
    assert.ok(e.price >= 100 && e.price <= 1e8 && Number.isInteger(e.price));
  }
  const share = hotAuction / bids.length;
  assert.ok(share > 0.45 && share < 0.6, `about half the bids go to the hot auction (${share})`);
});

test('prices are log-uniform: about a third each below 10^4, 10^4 to 10^6, from 10^6', () => {
  const low = bids.filter((b) => b.price < 1e4).length / bids.length;
  const high = bids.filter((b) => b.price >= 1e6).length / bids.length;
  assert.ok(Math.abs(low - 1 / 3) < 0.02 && Math.abs(high - 1 / 3) < 0.02, `${low} / ${high}`);
});

test('padding brings events to about 200 / 500 / 100 bytes', () => {
  const size = (p: Person) => 8 + p.name.length + p.emailAddress.length + p.creditCard.length + p.city.length + p.state.length + p.extra.length;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean(persons.map(size)) - 200) < 5);
  assert.ok(Math.abs(mean(auctions.map((a) => 48 + a.itemName.length + a.description.length + a.extra.length)) - 500) < 5);
  assert.ok(Math.abs(mean(bids.map((b) => 32 + b.extra.length)) - 100) < 2);
  assert.ok(bids.every((b) => b.extra.length >= 54 && b.extra.length < 82), 'bid padding in [t - d, t + d)');
});

test('channels: hot ones by name without channel_id, the others with their reversed id 9 in 10', () => {
  const hot = bids.filter((b) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(b.channel));
  assert.ok(Math.abs(hot.length / bids.length - 0.5) < 0.02);
  assert.ok(hot.every((b) => !b.url.includes('channel_id')));
  let withId = 0;
  for (const b of bids) {
    if (hot.includes(b)) continue;
    const i = Number(b.channel.slice('channel-'.length));
    assert.ok(i >= 0 && i < 10_000);
    assert.match(b.url, /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1/);
    if (b.url.includes('&channel_id=')) { withId++; assert.ok(b.url.endsWith(`&channel_id=${reversedChannelId(i)}`)); }
  }
  assert.ok(withId / (bids.length - hot.length) > 0.85);
  assert.is(reversedChannelId(1), -2147483648);
  assert.is(reversedChannelId(2), 1073741824);
});

test('timestamps: rate events per second from baseTime, never decreasing; lifetimes span ~2 x 100 auctions', () => {
  const base = resolveNexmarkConfig({}).baseTime;
  assert.is(events[0].dateTime, base);
  assert.is(events[N - 1].dateTime, base + Math.floor((N * 100) / 1000));
  for (let i = 1; i < N; i++) assert.ok(events[i].dateTime >= events[i - 1].dateTime);
  // h = ts(n + 1666) - ts(n) = 166 ms at 10,000 events/s: lifetimes 1 .. 333 ms.
  for (const a of auctions) assert.ok(a.expires - a.dateTime >= 1 && a.expires - a.dateTime <= 334);
});

test('an event depends only on its number and the configuration', () => {
  const again = new NexmarkGenerator({ firstEventRate: 10_000 });
  for (const k of [0, 1, 48, 4999, N - 1]) assert.equal(again.event(k), events[k]);
  const other = new NexmarkGenerator({ firstEventRate: 10_000, seed: 7 });
  assert.not.equal(other.event(2), events[2]);
  assert.is((other.event(2) as Bid).dateTime, (events[2] as Bid).dateTime);
});

test('bad configurations are refused with the option named', () => {
  assert.throws(() => resolveNexmarkConfig({ numEvents: -1 }), /numEvents/);
  assert.throws(() => resolveNexmarkConfig({ firstEventRate: 0 }), /firstEventRate/);
  assert.throws(() => resolveNexmarkConfig({ bidProportion: 1.5 }), /bidProportion/);
  assert.throws(() => resolveNexmarkConfig({ numEvent: 5 } as never), /unknown Nexmark option "numEvent"/);
});

test.run();
