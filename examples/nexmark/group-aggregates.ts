// The grouped aggregations of Nexmark: q15 (bidding statistics per day), q16 (per channel and
// day) and q17 (per auction and day), with COUNT, COUNT DISTINCT and their FILTERed variants by
// price rank, MIN, MAX, AVG and SUM. Updating results as upsert streams (the latest row per group
// is the current result). Like Flink's mini-batch, a group emits its row at most once per second
// of event time: when the watermark passes the end of the second in which the group changed
// first (and at the end of input), not once per bid.
import {
  KeyedProcessFunction, MapStateDescriptor, ValueStateDescriptor,
  type Collector, type DataStream, type KeyedContext, type MapState, type NexmarkEvent, type OnTimerContext,
  type RuntimeContext, type ValueState,
} from '../../api/index.ts';
import { bidColumns, bids, priceRank, utcDay, utcHourMinute, type BidColumns } from './common.ts';

/** The event-time timer that flushes a group changed at `ts`: the end of that second. */
const flushTime = (ts: number): number => ts - (ts % 1000) + 999;

/** Counts of q15/q16: index 0 all, 1..3 by price rank. */
export interface DailyCounts {
  total_bids: number; rank1_bids: number; rank2_bids: number; rank3_bids: number;
  total_bidders: number; rank1_bidders: number; rank2_bidders: number; rank3_bidders: number;
  total_auctions: number; rank1_auctions: number; rank2_auctions: number; rank3_auctions: number;
}

/** q15's row (upsert by day). */
export interface Q15Row extends DailyCounts { day: string }
/** q16's row (upsert by channel and day). */
export interface Q16Row extends DailyCounts { channel: string; day: string; minute: string }

interface DailyState { day: string; channel: string; minute: string; bids: number[]; bidders: number[]; auctions: number[]; dirty: boolean }

/** What q15 and q16 read of a bid (q16 its channel too): all that crosses their exchange. */
type DailyBid = BidColumns & { readonly channel?: string };

/** Adds the bits of `rank` (bit 0: any, bit r: rank r) to a distinct key's mask and counts what is new. */
function markDistinct(seen: MapState<number, number>, id: number, rank: number, counts: number[]): void {
  const mask = seen.get(id) ?? 0;
  const next = mask | 1 | (1 << rank);
  if (next === mask) return;
  if ((mask & 1) === 0) counts[0]++;
  if ((mask & (1 << rank)) === 0) counts[rank]++;
  seen.put(id, next);
}

/** The per-group bid, bidder and auction counts of q15 and q16 (the key is the group). */
class DailyStats<R> extends KeyedProcessFunction<string, DailyBid, R> {
  private state!: ValueState<DailyState>;
  private bidders!: MapState<number, number>;
  private auctionIds!: MapState<number, number>;
  constructor(private readonly perChannel: boolean, private readonly row: (s: DailyState) => R) { super(); }
  open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<DailyState>('counts'));
    this.bidders = ctx.getMapState(new MapStateDescriptor<number, number>('bidders'));
    this.auctionIds = ctx.getMapState(new MapStateDescriptor<number, number>('auctions'));
  }
  processElement(b: DailyBid, ctx: KeyedContext<string>, _out: Collector<R>): void {
    let s = this.state.value();
    if (s === undefined) {
      s = { day: utcDay(b.dateTime), channel: this.perChannel ? b.channel ?? '' : '', minute: '', bids: [0, 0, 0, 0], bidders: [0, 0, 0, 0], auctions: [0, 0, 0, 0], dirty: false };
    }
    const rank = priceRank(b.price);
    s.bids[0]++;
    s.bids[rank]++;
    markDistinct(this.bidders, b.bidder, rank, s.bidders);
    markDistinct(this.auctionIds, b.auction, rank, s.auctions);
    if (this.perChannel) {
      const minute = utcHourMinute(b.dateTime);
      if (minute > s.minute) s.minute = minute;
    }
    if (!s.dirty) { s.dirty = true; ctx.timerService().registerEventTimeTimer(flushTime(b.dateTime)); }
    this.state.update(s);
  }
  onTimer(_ts: number, _ctx: OnTimerContext<string>, out: Collector<R>): void {
    const s = this.state.value();
    if (s === undefined || !s.dirty) return;
    s.dirty = false;
    this.state.update(s);
    out.collect(this.row(s));
  }
}

function counts(s: DailyState): DailyCounts {
  return {
    total_bids: s.bids[0], rank1_bids: s.bids[1], rank2_bids: s.bids[2], rank3_bids: s.bids[3],
    total_bidders: s.bidders[0], rank1_bidders: s.bidders[1], rank2_bidders: s.bidders[2], rank3_bidders: s.bidders[3],
    total_auctions: s.auctions[0], rank1_auctions: s.auctions[1], rank2_auctions: s.auctions[2], rank3_auctions: s.auctions[3],
  };
}

/** q15 bidding statistics report: per UTC day, bids, distinct bidders and distinct auctions, in total and per price rank. */
export function q15(events: DataStream<NexmarkEvent>): DataStream<Q15Row> {
  return bidColumns(events).keyBy((b) => utcDay(b.dateTime))
    .process(new DailyStats<Q15Row>(false, (s) => ({ day: s.day, ...counts(s) }))).name('q15');
}

/** q16 channel statistics report: q15 per channel and day, with the latest 'HH:mm' seen. */
export function q16(events: DataStream<NexmarkEvent>): DataStream<Q16Row> {
  return bids(events)
    .map((b): DailyBid => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, channel: b.channel })).name('q16 columns')
    .keyBy((b) => `${b.channel}|${utcDay(b.dateTime)}`)
    .process(new DailyStats<Q16Row>(true, (s) => ({ channel: s.channel, day: s.day, minute: s.minute, ...counts(s) }))).name('q16');
}

/** q17's row (upsert by auction and day). */
export interface Q17Row {
  auction: number; day: string; total_bids: number; rank1_bids: number; rank2_bids: number; rank3_bids: number;
  min_price: number; max_price: number; avg_price: number; sum_price: number;
}

interface AuctionDay { day: string; bids: number[]; min: number; max: number; sum: number; dirty: boolean }

/** Per auction (the key), one aggregate per day in a map state. */
class AuctionDailyStats extends KeyedProcessFunction<number, BidColumns, Q17Row> {
  private days!: MapState<string, AuctionDay>;
  private pending!: ValueState<boolean>;
  open(ctx: RuntimeContext): void {
    this.days = ctx.getMapState(new MapStateDescriptor<string, AuctionDay>('days'));
    this.pending = ctx.getState(new ValueStateDescriptor<boolean>('flush-pending'));
  }
  processElement(b: BidColumns, ctx: KeyedContext<number>, _out: Collector<Q17Row>): void {
    const day = utcDay(b.dateTime);
    const d = this.days.get(day) ?? { day, bids: [0, 0, 0, 0], min: Infinity, max: -Infinity, sum: 0, dirty: false };
    const rank = priceRank(b.price);
    d.bids[0]++;
    d.bids[rank]++;
    if (b.price < d.min) d.min = b.price;
    if (b.price > d.max) d.max = b.price;
    d.sum += b.price;
    d.dirty = true;
    this.days.put(day, d);
    if (this.pending.value() !== true) { this.pending.update(true); ctx.timerService().registerEventTimeTimer(flushTime(b.dateTime)); }
  }
  onTimer(_ts: number, ctx: OnTimerContext<number>, out: Collector<Q17Row>): void {
    this.pending.clear();
    for (const d of this.days.values()) {
      if (!d.dirty) continue;
      d.dirty = false;
      this.days.put(d.day, d);
      out.collect({
        auction: ctx.getCurrentKey(), day: d.day, total_bids: d.bids[0], rank1_bids: d.bids[1], rank2_bids: d.bids[2], rank3_bids: d.bids[3],
        min_price: d.min, max_price: d.max, avg_price: Math.trunc(d.sum / d.bids[0]), sum_price: d.sum,
      });
    }
  }
}

/** q17 auction statistics report: per auction and UTC day, bid counts (total and per rank), min, max, avg and sum of prices. */
export function q17(events: DataStream<NexmarkEvent>): DataStream<Q17Row> {
  return bidColumns(events).keyBy((b) => b.auction).process(new AuctionDailyStats()).name('q17');
}
