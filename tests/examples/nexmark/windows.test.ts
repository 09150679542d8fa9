// Nexmark q5, q7, q8, q11 and q12 against plain loops that bucket the same generated events into
// epoch-aligned windows (q11: each bidder's sorted bid times cut at gaps over 10 s).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, NexmarkGenerator, StreamExecutionEnvironment, type Bid } from '../../../api/index.ts';
import { nexmarkEvents } from '../../../examples/nexmark/common.ts';
import { q11, q12, q5, q7, q8, type BidderCountRow } from '../../../examples/nexmark/windows.ts';
import { CONFIG, assertSameRows, generated, runQuery } from './support.ts';

test('q5: per 10 s / 2 s hop window, the auctions with the most bids', async () => {
  const counts = new Map<number, Map<number, number>>();
  for (const b of generated().bids) {
    const last = b.dateTime - (b.dateTime % 2000);
    for (let start = last; start > b.dateTime - 10_000; start -= 2000) {
      let w = counts.get(start);
      if (!w) counts.set(start, w = new Map());
      w.set(b.auction, (w.get(b.auction) ?? 0) + 1);
    }
  }
  const expected = [];
  for (const w of counts.values()) {
    const max = Math.max(...w.values());
    for (const [auction, num] of w) if (num === max) expected.push({ auction, num });
  }
  assert.ok(counts.size >= 50, `many windows (${counts.size})`);
  assertSameRows(await runQuery(q5), expected, 'q5');
});

test('q7: per 10 s window, the bids in [end - 10 s, end] with the window\'s highest price', async () => {
  const { bids } = generated();
  const max = new Map<number, number>();
  for (const b of bids) {
    const w = Math.floor(b.dateTime / 10_000) * 10_000;
    max.set(w, Math.max(max.get(w) ?? -1, b.price));
  }
  const expected = [];
  for (const b of bids) {
    for (const [w, m] of max) {
      if (b.price === m && b.dateTime >= w && b.dateTime <= w + 10_000) {
        expected.push({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
      }
    }
  }
  assert.ok(max.size >= 10, `ten windows (${max.size})`);
  assertSameRows(await runQuery(q7), expected, 'q7');
});

test('q8: persons who open an auction in the 10 s window in which they joined', async () => {
  const { persons, auctions } = generated();
  const sellers = new Set(auctions.map((a) => `${a.seller}@${Math.floor(a.dateTime / 10_000)}`));
  const expected = persons.filter((p) => sellers.has(`${p.id}@${Math.floor(p.dateTime / 10_000)}`))
    .map((p) => ({ id: p.id, name: p.name, starttime: Math.floor(p.dateTime / 10_000) * 10_000 }));
  const share = expected.length / persons.length;
  assert.ok(share > 0.05, `enough new users (${share})`);
  assertSameRows(await runQuery(q8), expected, 'q8');
});

test('q11: bids per bidder session (gap 10 s, inclusive)', async () => {
  const times = new Map<number, number[]>();
  for (const b of generated().bids) {
    let list = times.get(b.bidder);
    if (!list) times.set(b.bidder, list = []);
    list.push(b.dateTime);
  }
  const expected: BidderCountRow[] = [];
  for (const [bidder, list] of times) {
    list.sort((a, b) => a - b);
    let start = list[0];
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      if (i > 0 && list[i] - list[i - 1] > 10_000) {
        expected.push({ bidder, bid_count: n, starttime: start, endtime: list[i - 1] + 10_000 });
        start = list[i];
        n = 0;
      }
      n++;
    }
    expected.push({ bidder, bid_count: n, starttime: start, endtime: list[list.length - 1] + 10_000 });
  }
  assert.ok(expected.length > times.size, 'bidders with several sessions');
  assertSameRows(await runQuery(q11), expected, 'q11');
});

test('q12: processing-time windows count the bids of each bidder in aligned 10 s windows', async () => {
  // Processing time comes from a manual clock that the source paces events on (1 ms of clock per
  // event): the windows that end before the input does fire, and they hold every bid of their
  // span. The last window's timers do not fire at the end of input (as in Flink).
  const config = { ...CONFIG, numEvents: 25_000, maxEmitSpeed: false };
  const g = new NexmarkGenerator(config);
  const bids: Bid[] = [];
  for (let k = 0; k < config.numEvents; k++) { const e = g.event(k); if (e.eventType === 2) bids.push(e); }
  const clock = new ManualClock(0);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock });
  env.setParallelism(2);
  let done = false;
  const result = q12(nexmarkEvents(env, config)).executeAndCollect('q12').finally(() => { done = true; });
  while (!done) { clock.advance(5); await new Promise<void>((r) => setTimeout(r, 0)); }
  const rows = await result as BidderCountRow[];
  const perBidder = new Map<number, number>();
  for (const b of bids) perBidder.set(b.bidder, (perBidder.get(b.bidder) ?? 0) + 1);
  const counted = new Map<number, number>();
  let total = 0;
  for (const r of rows) {
    assert.is(r.endtime - r.starttime, 10_000);
    assert.is(r.starttime % 10_000, 0);
    assert.ok(r.bid_count > 0);
    counted.set(r.bidder, (counted.get(r.bidder) ?? 0) + r.bid_count);
    total += r.bid_count;
  }
  for (const [bidder, n] of counted) assert.ok(n <= (perBidder.get(bidder) ?? 0), `bidder ${bidder}: ${n} counted, ${perBidder.get(bidder)} bids`);
  // 25 s of events: the windows [0, 10 s) and [10 s, 20 s) of the clock have fired.
  assert.ok(total >= bids.length * 0.6, `the two complete windows hold most bids (${total} of ${bids.length})`);
});

test.run();
