// The Top-N style Nexmark queries: q18 (keep the last bid per bidder and auction, SQL's
// deduplication) and q19 (the ten highest bids per auction, ROW_NUMBER <= 10). Updating results
// as upsert streams: q18 by (bidder, auction), q19 by (auction, rank_number).
import {
  KeyedProcessFunction, ProcessFunction, ValueStateDescriptor,
  type Bid, type Collector, type DataStream, type KeyedContext, type NexmarkEvent, type RuntimeContext, type ValueState,
} from '../../api/index.ts';
import { bids } from './common.ts';

/** Keeps the latest bid (by dateTime; a later arrival wins a tie) and emits it when it changes. */
class LastBid extends KeyedProcessFunction<string, Bid, Bid> {
  private last!: ValueState<number>;
  open(ctx: RuntimeContext): void { this.last = ctx.getState(new ValueStateDescriptor<number>('last-time')); }
  processElement(b: Bid, _ctx: KeyedContext<string>, out: Collector<Bid>): void {
    const last = this.last.value();
    if (last !== undefined && b.dateTime < last) return;
    this.last.update(b.dateTime);
    out.collect(b);
  }
}

/** q18 find last bid: per (bidder, auction), the bid with the latest dateTime (upsert rows: the bids). */
export function q18(events: DataStream<NexmarkEvent>): DataStream<Bid> {
  return bids(events).keyBy((b) => `${b.bidder}|${b.auction}`).process(new LastBid()).name('q18');
}

/** q19's row: a bid and its rank among its auction's bids (1 = highest price). */
export interface Q19Row { auction: number; bidder: number; price: number; channel: string; url: string; dateTime: number; extra: string; rank_number: number }

/** How many bids q19 ranks per auction. */
export const Q19_TOP = 10;

/** The top ten bids of an auction, highest price first, on equal prices the earlier arrival first. */
class TopBids extends KeyedProcessFunction<number, Bid, Q19Row> {
  private top!: ValueState<Bid[]>;
  open(ctx: RuntimeContext): void { this.top = ctx.getState(new ValueStateDescriptor<Bid[]>('top')); }
  processElement(b: Bid, _ctx: KeyedContext<number>, out: Collector<Q19Row>): void {
    const top = this.top.value() ?? [];
    let at = top.length;
    while (at > 0 && top[at - 1].price < b.price) at--;
    if (at >= Q19_TOP) return;
    top.splice(at, 0, b);
    if (top.length > Q19_TOP) top.length = Q19_TOP;
    this.top.update(top);
    // The newcomer and every bid it pushed down get a new rank.
    for (let i = at; i < top.length; i++) {
      const r = top[i];
      out.collect({ auction: r.auction, bidder: r.bidder, price: r.price, channel: r.channel, url: r.url, dateTime: r.dateTime, extra: r.extra, rank_number: i + 1 });
    }
  }
}

/**
 * Local pre-filter before q19's exchange (the local/global idea of Flink's planner, as q7's): a bid
 * that this subtask has already seen ten bids of its auction at an equal or higher price cannot
 * enter the auction's top ten, because those ten reach the ranking ahead of it through the same
 * channel. So it never crosses. Only prices are kept, ten per auction. Losing them on a restart
 * only lets more bids through, so the filter needs no state.
 */
class LocalTopFilter extends ProcessFunction<Bid, Bid> {
  private readonly top = new Map<number, number[]>();
  processElement(b: Bid, _ctx: unknown, out: Collector<Bid>): void {
    let prices = this.top.get(b.auction);
    if (prices === undefined) { prices = []; this.top.set(b.auction, prices); }
    let at = prices.length;
    while (at > 0 && prices[at - 1] < b.price) at--;
    if (at >= Q19_TOP) return;
    prices.splice(at, 0, b.price);
    if (prices.length > Q19_TOP) prices.length = Q19_TOP;
    out.collect(b);
  }
}

/** q19 auction top-10 price: per auction, its ten highest bids with their rank. */
export function q19(events: DataStream<NexmarkEvent>): DataStream<Q19Row> {
  return bids(events).process(new LocalTopFilter()).name('q19-local-top')
    .keyBy((b) => b.auction).process(new TopBids()).name('q19');
}
