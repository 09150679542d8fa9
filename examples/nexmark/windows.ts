// The windowed Nexmark queries: q5 (hot items over sliding windows), q7 (highest bid per tumbling
// window), q8 (new users: persons who open an auction in the window they joined), q11 (bidder
// sessions) and q12 (bids per bidder per processing-time window). Windows are epoch-aligned on
// dateTime (q12: on processing time). Append-only results.
import {
  KeyedCoProcessFunction, KeyedProcessFunction, ListStateDescriptor, MapStateDescriptor, ProcessFunction, SlidingEventTimeWindows,
  TumblingProcessingTimeWindows, ValueStateDescriptor,
  type AggregateFunction, type Auction, type Bid, type Collector, type DataStream, type KeyedContext,
  type KeyedCoOnTimerContext, type KeyedCoProcessContext, type ListState, type MapState, type NexmarkEvent, type OnTimerContext,
  type Person, type RuntimeContext, type TimeWindow, type ValueState,
} from '../../api/index.ts';
import { auctions, bidColumns, bids, persons, type BidColumns } from './common.ts';

/** Counts elements (COUNT(*)). */
function counter<T>(): AggregateFunction<T, number, number> {
  return { createAccumulator: () => 0, add: (_v, n) => n + 1, getResult: (n) => n, merge: (a, b) => a + b };
}

/** An auction's bid count in the hop window ending at windowEnd. */
interface AuctionCount { auction: number; num: number; windowEnd: number }

/** q5's row. */
export interface Q5Row { auction: number; num: number }

/** Per window: the auctions whose count equals the window's largest, emitted when the window is complete. */
class HottestInWindow extends KeyedProcessFunction<number, AuctionCount, Q5Row> {
  private top!: ValueState<{ max: number; auctions: number[] }>;
  open(ctx: RuntimeContext): void { this.top = ctx.getState(new ValueStateDescriptor<{ max: number; auctions: number[] }>('top')); }
  processElement(c: AuctionCount, ctx: KeyedContext<number>, _out: Collector<Q5Row>): void {
    const t = this.top.value();
    if (t === undefined) {
      this.top.update({ max: c.num, auctions: [c.auction] });
      // Every count of this window arrives before the watermark passes its last millisecond.
      ctx.timerService().registerEventTimeTimer(c.windowEnd - 1);
    } else if (c.num >= t.max) {
      if (c.num > t.max) { t.max = c.num; t.auctions = [c.auction]; } else t.auctions.push(c.auction);
      this.top.update(t);
    }
  }
  onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    const t = this.top.value();
    if (t === undefined) return;
    for (const auction of t.auctions) out.collect({ auction, num: t.max });
    this.top.clear();
  }
}

/** q5 hot items: per 10 s window sliding by 2 s, the auctions with the most bids (all of them on a tie). */
export function q5(events: DataStream<NexmarkEvent>): DataStream<Q5Row> {
  // Only the auction id crosses the exchange (the bid's time travels as the record's timestamp).
  return bids(events).map((b) => b.auction).name('q5-auction')
    .keyBy((auction) => auction)
    .window(SlidingEventTimeWindows.of<number>(10_000, 2_000))
    .aggregate(counter<number>(), (auction: number, w: TimeWindow, counts: Iterable<number>, out: Collector<AuctionCount>) => {
      for (const num of counts) out.collect({ auction, num, windowEnd: w.end });
    })
    .keyBy((c) => c.windowEnd).process(new HottestInWindow()).name('q5');
}

/** q7's tumbling window size. */
const Q7_WINDOW = 10_000;

/** A bid that may carry the highest price of the window starting at `window`. */
interface Q7Candidate { window: number; bid: Bid }

/**
 * Local pre-filter (Flink's local/global aggregation idea): a bid below the highest price this
 * subtask has seen in its window cannot be the window's maximum, so it never crosses the
 * exchange. A bid exactly at a window's end may also match the previous window (the join's range
 * is inclusive at both ends), so it goes as a candidate for that window too. Dropping state on a
 * restart only lets more bids through, so the filter needs none.
 */
class LocalMaxFilter extends ProcessFunction<Bid, Q7Candidate> {
  private readonly max = new Map<number, number>();
  private latest = -Infinity;
  processElement(b: Bid, _ctx: unknown, out: Collector<Q7Candidate>): void {
    const ts = b.dateTime;
    const window = ts - (ts % Q7_WINDOW);
    if (window > this.latest) {
      this.latest = window;
      for (const w of this.max.keys()) if (w < window - 2 * Q7_WINDOW) this.max.delete(w);
    }
    const max = this.max.get(window);
    if (max === undefined || b.price >= max) {
      if (max === undefined || b.price > max) this.max.set(window, b.price);
      out.collect({ window, bid: b });
    }
    if (ts === window) out.collect({ window: window - Q7_WINDOW, bid: b });
  }
}

/** q7's row. */
export interface Q7Row { auction: number; price: number; bidder: number; dateTime: number; extra: string }

interface Q7State { max: number; atMax: Bid[]; boundary: Bid[] }

/** Per window: the highest price, and the bids in [start, end] (both inclusive) with that price. */
class HighestBid extends KeyedProcessFunction<number, Q7Candidate, Q7Row> {
  private state!: ValueState<Q7State>;
  open(ctx: RuntimeContext): void { this.state = ctx.getState(new ValueStateDescriptor<Q7State>('window')); }
  processElement(c: Q7Candidate, ctx: KeyedContext<number>, _out: Collector<Q7Row>): void {
    let s = this.state.value();
    if (s === undefined) {
      s = { max: -1, atMax: [], boundary: [] };
      // The window's maximum is final, and every bid up to its end (inclusive) is here, once the watermark reaches its end.
      ctx.timerService().registerEventTimeTimer(c.window + Q7_WINDOW);
    }
    const b = c.bid;
    if (b.dateTime === c.window + Q7_WINDOW) s.boundary.push(b);
    else if (b.price > s.max) { s.max = b.price; s.atMax = [b]; }
    else if (b.price === s.max) s.atMax.push(b);
    this.state.update(s);
  }
  onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<Q7Row>): void {
    const s = this.state.value();
    if (s === undefined) return;
    for (const b of s.atMax) out.collect({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
    for (const b of s.boundary) {
      if (b.price === s.max) out.collect({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
    }
    this.state.clear();
  }
}

/**
 * q7 highest bid: per 10 s tumbling window its highest price, joined back to the bids of
 * [window end - 10 s, window end] (inclusive) with that price.
 */
export function q7(events: DataStream<NexmarkEvent>): DataStream<Q7Row> {
  return bids(events).process(new LocalMaxFilter()).name('q7-local-max')
    .keyBy((c) => c.window).process(new HighestBid()).name('q7');
}

/** q8's row. */
export interface Q8Row { id: number; name: string; starttime: number }

/** q8's tumbling window size. */
const Q8_WINDOW = 10_000;

/**
 * Persons and the sellers of auctions, keyed by person id: a person who opens an auction in the
 * 10 s window in which they joined is emitted once for that window. Each person joins once, so a
 * window's state is dropped when the watermark passes its end.
 */
/** What q8 reads of a person and of an auction: all that crosses its exchange. */
interface Q8Person { readonly id: number; readonly name: string; readonly dateTime: number }
interface Q8Auction { readonly seller: number; readonly dateTime: number }

class NewUsers extends KeyedCoProcessFunction<number, Q8Person, Q8Auction, Q8Row> {
  private person!: ValueState<{ window: number; name: string; emitted: boolean }>;
  private sold!: MapState<number, boolean>;
  open(ctx: RuntimeContext): void {
    this.person = ctx.getState(new ValueStateDescriptor<{ window: number; name: string; emitted: boolean }>('person'));
    this.sold = ctx.getMapState(new MapStateDescriptor<number, boolean>('seller-windows'));
  }
  processElement1(p: Q8Person, ctx: KeyedCoProcessContext<number>, out: Collector<Q8Row>): void {
    const window = p.dateTime - (p.dateTime % Q8_WINDOW);
    const emitted = this.sold.contains(window);
    if (emitted) out.collect({ id: p.id, name: p.name, starttime: window });
    this.person.update({ window, name: p.name, emitted });
    ctx.timerService().registerEventTimeTimer(window + Q8_WINDOW - 1);
  }
  processElement2(a: Q8Auction, ctx: KeyedCoProcessContext<number>, out: Collector<Q8Row>): void {
    const window = a.dateTime - (a.dateTime % Q8_WINDOW);
    const p = this.person.value();
    if (p !== undefined && p.window === window) {
      if (!p.emitted) {
        p.emitted = true;
        this.person.update(p);
        out.collect({ id: ctx.getCurrentKey(), name: p.name, starttime: window });
      }
      return;
    }
    if (!this.sold.contains(window)) {
      this.sold.put(window, true);
      ctx.timerService().registerEventTimeTimer(window + Q8_WINDOW - 1);
    }
  }
  onTimer(ts: number, _ctx: KeyedCoOnTimerContext<number>): void {
    const window = ts + 1 - Q8_WINDOW;
    this.sold.remove(window);
    if (this.person.value()?.window === window) this.person.clear();
  }
}

/** q8 monitor new users: persons who open an auction within the same 10 s tumbling window in which they joined. */
export function q8(events: DataStream<NexmarkEvent>): DataStream<Q8Row> {
  const people = persons(events).map((p): Q8Person => ({ id: p.id, name: p.name, dateTime: p.dateTime })).name('q8 person columns');
  const sellers = auctions(events).map((a): Q8Auction => ({ seller: a.seller, dateTime: a.dateTime })).name('q8 auction columns');
  return people.connect(sellers).keyBy((p) => p.id, (a) => a.seller).process(new NewUsers()).name('q8');
}

/** q11 and q12's row. */
export interface BidderCountRow { bidder: number; bid_count: number; starttime: number; endtime: number }

/** Emits one row per (bidder, window) from the window's count. */
function bidderCountRow(bidder: number, w: TimeWindow, counts: Iterable<number>, out: Collector<BidderCountRow>): void {
  for (const bid_count of counts) out.collect({ bidder, bid_count, starttime: w.start, endtime: w.end });
}

/** q11's session gap. */
const Q11_GAP = 10_000;

interface Session { start: number; last: number; count: number }

/**
 * Session windows per bidder, built from state and event-time timers: bids wait until the
 * watermark passes their time, then extend the open session in time order (a gap of at most
 * 10 s, exactly 10 s included, keeps the session) or close it and open the next; a session closes
 * for good once the watermark passes its last bid + 10 s. EventTimeSessionWindows gives the same
 * rows but costs about 100 µs per bid here (its merging window set), ten times this.
 */
class BidderSessions extends KeyedProcessFunction<number, BidColumns, BidderCountRow> {
  private session!: ValueState<Session>;
  /** Bid times not yet processed, in ascending order (arrival is nearly ordered: insertion from the end). */
  private pending!: ValueState<number[]>;
  open(ctx: RuntimeContext): void {
    this.session = ctx.getState(new ValueStateDescriptor<Session>('session'));
    this.pending = ctx.getState(new ValueStateDescriptor<number[]>('pending'));
  }
  processElement(b: BidColumns, ctx: KeyedContext<number>, _out: Collector<BidderCountRow>): void {
    const t = b.dateTime;
    const pending = this.pending.value() ?? [];
    let at = pending.length;
    while (at > 0 && pending[at - 1] > t) at--;
    if (at === pending.length) pending.push(t); else pending.splice(at, 0, t);
    this.pending.update(pending);
    // One timer for the earliest pending bid; onTimer registers the next.
    if (at === 0) ctx.timerService().registerEventTimeTimer(t);
  }
  onTimer(ts: number, ctx: OnTimerContext<number>, out: Collector<BidderCountRow>): void {
    const pending = this.pending.value();
    let s = this.session.value();
    let due = 0;
    if (pending !== undefined) {
      while (due < pending.length && pending[due] <= ts) {
        const t = pending[due++];
        if (s !== undefined && t - s.last <= Q11_GAP) { s.last = t; s.count++; continue; }
        if (s !== undefined) out.collect({ bidder: ctx.getCurrentKey(), bid_count: s.count, starttime: s.start, endtime: s.last + Q11_GAP });
        s = { start: t, last: t, count: 1 };
      }
      if (due === pending.length) {
        this.pending.clear();
      } else {
        if (due > 0) { pending.splice(0, due); this.pending.update(pending); }
        ctx.timerService().registerEventTimeTimer(pending[0]);
      }
    }
    if (s === undefined) return;
    if (s.last + Q11_GAP <= ts) {
      out.collect({ bidder: ctx.getCurrentKey(), bid_count: s.count, starttime: s.start, endtime: s.last + Q11_GAP });
      this.session.clear();
    } else {
      this.session.update(s);
      if (due > 0) ctx.timerService().registerEventTimeTimer(s.last + Q11_GAP);
    }
  }
}

/** q11 user sessions: bids per bidder per session (gap 10 s; start = first bid, end = last bid + 10 s). */
export function q11(events: DataStream<NexmarkEvent>): DataStream<BidderCountRow> {
  return bidColumns(events).keyBy((b) => b.bidder).process(new BidderSessions()).name('q11');
}

/** q12 processing-time windows: bids per bidder per 10 s tumbling window of processing time. */
export function q12(events: DataStream<NexmarkEvent>): DataStream<BidderCountRow> {
  // Only the bidder crosses the exchange.
  return bids(events).map((b) => b.bidder).name('q12 bidder').keyBy((bidder) => bidder)
    .window(TumblingProcessingTimeWindows.of<number>(10_000))
    .aggregate(counter<number>(), bidderCountRow).name('q12');
}
