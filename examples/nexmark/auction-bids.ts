// The Nexmark queries over "auction ⋈ bid on id = auction with A.dateTime <= B.dateTime <=
// A.expires": q4 (average of the winning prices per category), q6 (average selling price of a
// seller's last auctions) and q9 (the winning bid of each auction). One keyed co-process function
// tracks each auction's best bid (price desc, then dateTime asc, then arrival); bids that come
// before their auction wait in state. Once the watermark passes an auction's expiry no bid can
// join it any more, so its state shrinks to a marker (and q6 emits its final price).
// q4 and q9 are updating results: upsert streams, the latest row per key is the current result.
import {
  KeyedCoProcessFunction, KeyedProcessFunction, ListStateDescriptor, ValueStateDescriptor,
  type Auction, type Bid, type Collector, type DataStream, type KeyedContext, type KeyedCoOnTimerContext,
  type KeyedCoProcessContext, type ListState, type NexmarkEvent, type OnTimerContext, type RuntimeContext, type ValueState,
} from '../../api/index.ts';
import { auctions, bidColumns, bids, type BidColumns } from './common.ts';

/** What the winning-bid tracking reads of an auction (q4 and q6 send these columns and one more). */
interface AuctionSpan { readonly id: number; readonly dateTime: number; readonly expires: number }
/** What it reads of a bid. */
interface PricedBid { readonly price: number; readonly dateTime: number }

/** An open auction and its best bid so far, or the marker of a closed one. */
type Tracked<A, B> = { auction: A; best: B | undefined } | { closed: true };

/** Whether bid b beats the current best (higher price; on equal price the earlier bid; on a tie the first to arrive). */
export function beats(b: PricedBid, best: PricedBid | undefined): boolean {
  return best === undefined || b.price > best.price || (b.price === best.price && b.dateTime < best.dateTime);
}

/** Tracks each auction's winning bid; subclasses say what to emit when it improves and when the auction closes. */
abstract class WinningBids<A extends AuctionSpan, B extends PricedBid, R> extends KeyedCoProcessFunction<number, A, B, R> {
  private tracked!: ValueState<Tracked<A, B>>;
  private early!: ListState<B>;

  open(ctx: RuntimeContext): void {
    this.tracked = ctx.getState(new ValueStateDescriptor<Tracked<A, B>>('auction'));
    this.early = ctx.getListState(new ListStateDescriptor<B>('early-bids'));
  }

  /** The best bid of `auction` changed from `previous` to `best`. */
  protected abstract improved(auction: A, previous: B | undefined, best: B, out: Collector<R>): void;
  /** The auction closed with `best` (undefined: no bid joined it). */
  protected closed(_auction: A, _best: B | undefined, _out: Collector<R>): void {}

  processElement1(a: A, ctx: KeyedCoProcessContext<number>, out: Collector<R>): void {
    let best: B | undefined;
    for (const b of this.early.get()) if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && beats(b, best)) best = b;
    this.early.clear();
    this.tracked.update({ auction: a, best });
    if (best !== undefined) this.improved(a, undefined, best, out);
    ctx.timerService().registerEventTimeTimer(a.expires);
  }

  processElement2(b: B, _ctx: KeyedCoProcessContext<number>, out: Collector<R>): void {
    const t = this.tracked.value();
    if (t === undefined) { this.early.add(b); return; }
    if ('closed' in t) return;
    const a = t.auction;
    if (b.dateTime < a.dateTime || b.dateTime > a.expires || !beats(b, t.best)) return;
    const previous = t.best;
    t.best = b;
    this.tracked.update(t);
    this.improved(a, previous, b, out);
  }

  onTimer(_timestamp: number, _ctx: KeyedCoOnTimerContext<number>, out: Collector<R>): void {
    const t = this.tracked.value();
    if (t === undefined || 'closed' in t) return;
    this.tracked.update({ closed: true });
    this.closed(t.auction, t.best, out);
  }
}

/** A change of one auction's winning price in a category (previous -1: the auction had none). */
export interface CategoryPriceChange { category: number; previous: number; price: number }

/** What q4 reads of an auction: all that crosses its exchange. */
interface Q4Auction extends AuctionSpan { readonly category: number }

class MaxPriceChanges extends WinningBids<Q4Auction, BidColumns, CategoryPriceChange> {
  protected improved(a: Q4Auction, previous: BidColumns | undefined, best: BidColumns, out: Collector<CategoryPriceChange>): void {
    const before = previous === undefined ? -1 : previous.price;
    if (best.price !== before) out.collect({ category: a.category, previous: before, price: best.price });
  }
}

/** q4's row (upsert by category). */
export interface Q4Row { category: number; avg: number }

/** The running average per category of the auctions' winning prices (BIGINT AVG: truncated). */
class CategoryAverage extends KeyedProcessFunction<number, CategoryPriceChange, Q4Row> {
  private sums!: ValueState<{ sum: number; count: number }>;
  open(ctx: RuntimeContext): void { this.sums = ctx.getState(new ValueStateDescriptor<{ sum: number; count: number }>('sum-count')); }
  processElement(c: CategoryPriceChange, _ctx: KeyedContext<number>, out: Collector<Q4Row>): void {
    const s = this.sums.value() ?? { sum: 0, count: 0 };
    if (c.previous < 0) { s.count++; s.sum += c.price; } else s.sum += c.price - c.previous;
    this.sums.update(s);
    out.collect({ category: c.category, avg: Math.trunc(s.sum / s.count) });
  }
}

/** q4 average price for a category: the average over auctions of each auction's winning price, per category. */
export function q4(events: DataStream<NexmarkEvent>): DataStream<Q4Row> {
  const spans = auctions(events).map((a): Q4Auction => ({ id: a.id, dateTime: a.dateTime, expires: a.expires, category: a.category })).name('q4 auction columns');
  return spans.connect(bidColumns(events)).keyBy((a) => a.id, (b) => b.auction).process(new MaxPriceChanges())
    .keyBy((c) => c.category).process(new CategoryAverage()).name('q4');
}

/** q9's row (upsert by id): the auction's columns and its winning bid's. */
export interface Q9Row {
  id: number; itemName: string; description: string; initialBid: number; reserve: number; dateTime: number; expires: number;
  seller: number; category: number; extra: string;
  auction: number; bidder: number; price: number; bid_dateTime: number; bid_extra: string;
}

class WinningBidRows extends WinningBids<Auction, Bid, Q9Row> {
  protected improved(a: Auction, _previous: Bid | undefined, b: Bid, out: Collector<Q9Row>): void {
    out.collect({
      id: a.id, itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve,
      dateTime: a.dateTime, expires: a.expires, seller: a.seller, category: a.category, extra: a.extra,
      auction: b.auction, bidder: b.bidder, price: b.price, bid_dateTime: b.dateTime, bid_extra: b.extra,
    });
  }
}

/** q9 winning bids: each auction with its best bid inside its lifetime (price desc, then dateTime asc). */
export function q9(events: DataStream<NexmarkEvent>): DataStream<Q9Row> {
  return auctions(events).connect(bids(events)).keyBy((a) => a.id, (b) => b.auction).process(new WinningBidRows()).name('q9');
}

/** A closed auction's final price. */
export interface ClosedAuction { seller: number; id: number; expires: number; price: number }

/** What q6 reads of an auction: all that crosses its exchange. */
interface Q6Auction extends AuctionSpan { readonly seller: number }

class ClosedAuctions extends WinningBids<Q6Auction, BidColumns, ClosedAuction> {
  protected improved(): void {}
  protected override closed(a: Q6Auction, best: BidColumns | undefined, out: Collector<ClosedAuction>): void {
    if (best !== undefined) out.collect({ seller: a.seller, id: a.id, expires: a.expires, price: best.price });
  }
}

/** q6's row: a seller's average selling price over its last (up to) 11 closed auctions. */
export interface Q6Row { seller: number; avg: number }

/** How many closed auctions q6 averages: the current one and the 10 preceding. */
export const Q6_ROWS = 11;

/**
 * Per seller, closed auctions in order of (expires, id): each is held until the watermark passes
 * its expiry (when every auction closing at that time has arrived), then appended to the last 11.
 */
class SellerAverage extends KeyedProcessFunction<number, ClosedAuction, Q6Row> {
  private pending!: ListState<ClosedAuction>;
  private last!: ValueState<number[]>;
  open(ctx: RuntimeContext): void {
    this.pending = ctx.getListState(new ListStateDescriptor<ClosedAuction>('pending'));
    this.last = ctx.getState(new ValueStateDescriptor<number[]>('last-prices'));
  }
  processElement(c: ClosedAuction, ctx: KeyedContext<number>, _out: Collector<Q6Row>): void {
    this.pending.add(c);
    ctx.timerService().registerEventTimeTimer(c.expires);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Q6Row>): void {
    const due: ClosedAuction[] = [];
    const later: ClosedAuction[] = [];
    for (const c of this.pending.get()) (c.expires <= timestamp ? due : later).push(c);
    if (due.length === 0) return;
    due.sort((x, y) => x.expires - y.expires || x.id - y.id);
    const last = this.last.value() ?? [];
    for (const c of due) {
      last.push(c.price);
      if (last.length > Q6_ROWS) last.shift();
      let sum = 0;
      for (const p of last) sum += p;
      out.collect({ seller: ctx.getCurrentKey(), avg: Math.trunc(sum / last.length) });
    }
    this.last.update(last);
    this.pending.update(later);
  }
}

/**
 * q6 average selling price by seller (not in Flink's table: its OVER window cannot take the
 * join's retractions). Here with closed auctions, as Beam's Nexmark: when an auction expires, its
 * winning price (no reserve check, as q9) joins its seller's window of the current and 10
 * preceding closed auctions, ordered by expiry then id; one row per closed auction. Append-only.
 */
export function q6(events: DataStream<NexmarkEvent>): DataStream<Q6Row> {
  const spans = auctions(events).map((a): Q6Auction => ({ id: a.id, dateTime: a.dateTime, expires: a.expires, seller: a.seller })).name('q6 auction columns');
  return spans.connect(bidColumns(events)).keyBy((a) => a.id, (b) => b.auction).process(new ClosedAuctions())
    .keyBy((c) => c.seller).process(new SellerAverage()).name('q6');
}
