// Pieces every Nexmark query shares: the event stream from a NexmarkSource (timestamps from the
// events' dateTime, watermarks 4 s behind, as the Nexmark DDL), the person / auction / bid views
// (SQL's views filtering on event_type), price ranks, and UTC date formatting (SQL's DATE_FORMAT).
import {
  NexmarkSource, isAuction, isBid, isPerson,
  type Auction, type Bid, type DataStream, type NexmarkConfig, type NexmarkEvent, type Person, type StreamExecutionEnvironment,
} from '../../api/index.ts';

/** The Nexmark event stream of `config` in `env`. */
export function nexmarkEvents(env: StreamExecutionEnvironment, config: NexmarkConfig = {}): DataStream<NexmarkEvent> {
  return env.fromSource(new NexmarkSource(config), NexmarkSource.watermarkStrategy(), 'Nexmark Source');
}

/** The bids of the event stream (SQL's `bid` view). */
export function bids(events: DataStream<NexmarkEvent>): DataStream<Bid> {
  return events.filter(isBid).name('bids') as DataStream<NexmarkEvent> as DataStream<Bid>;
}

/** The auctions of the event stream (SQL's `auction` view). */
export function auctions(events: DataStream<NexmarkEvent>): DataStream<Auction> {
  return events.filter(isAuction).name('auctions') as DataStream<NexmarkEvent> as DataStream<Auction>;
}

/** The persons of the event stream (SQL's `person` view). */
export function persons(events: DataStream<NexmarkEvent>): DataStream<Person> {
  return events.filter(isPerson).name('persons') as DataStream<NexmarkEvent> as DataStream<Person>;
}

/**
 * The numeric bid columns most queries read: the aggregating and windowed queries project the
 * bids to these before their exchange, as Flink's planner projects the SQL versions to the
 * columns a query uses. A bid's strings (channel, url, extra: about 170 bytes) would otherwise be
 * encoded and decoded by every record that crosses to another TaskManager, which costs as much as
 * the rest of the query's work per bid.
 */
export interface BidColumns { readonly auction: number; readonly bidder: number; readonly price: number; readonly dateTime: number }

/** The bids of the event stream, projected to their numeric columns (see BidColumns). */
export function bidColumns(events: DataStream<NexmarkEvent>): DataStream<BidColumns> {
  return bids(events).map((b): BidColumns => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime })).name('bid columns');
}

/** q15-q17's price ranks: 1 below 10^4, 2 below 10^6, 3 from 10^6. */
export function priceRank(price: number): 1 | 2 | 3 {
  return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

let cachedDay = NaN;
let cachedDayString = '';

/** 'yyyy-MM-dd' of an epoch-ms time, in UTC (the last day is cached: events come in time order). */
export function utcDay(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== cachedDay) {
    const d = new Date(day * 86_400_000);
    cachedDayString = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
    cachedDay = day;
  }
  return cachedDayString;
}

/** 'HH:mm' of an epoch-ms time, in UTC. */
export function utcHourMinute(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${pad2(Math.floor(minutes / 60) % 24)}:${pad2(minutes % 60)}`;
}

/** q1 and q14's currency conversion: price · 0.908 as DECIMAL(23,3) (exact in thousandths, held as a number). */
export function dollarsToEuros(price: number): number {
  return (price * 908) / 1000;
}
