// The stateless Nexmark queries: projections and filters of each bid (q0, q1, q2, q14, q21,
// q22), q10's rows with their partition columns and its partitioned file sink, and q13's lookup of
// a bounded side input.
// Each takes the event stream and returns the result stream (append-only).
import { FileSink, ProcessFunction, type Bid, type Collector, type DataStream, type NexmarkEvent } from '../../api/index.ts';
import { bids, dollarsToEuros, utcDay, utcHourMinute } from './common.ts';

/** q0's row: a bid without channel and url. */
export interface Q0Row { auction: number; bidder: number; price: number; dateTime: number; extra: string }

/** q0 pass-through: every bid, projected. */
export function q0(events: DataStream<NexmarkEvent>): DataStream<Q0Row> {
  return bids(events).map((b): Q0Row => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra })).name('q0');
}

/** q1 currency conversion: q0 with the price in euros (price · 0.908). */
export function q1(events: DataStream<NexmarkEvent>): DataStream<Q0Row> {
  return bids(events).map((b): Q0Row => ({ auction: b.auction, bidder: b.bidder, price: dollarsToEuros(b.price), dateTime: b.dateTime, extra: b.extra })).name('q1');
}

/** q2's row. */
export interface Q2Row { auction: number; price: number }

/** q2 selection: bids on auctions whose id is a multiple of 123. */
export function q2(events: DataStream<NexmarkEvent>): DataStream<Q2Row> {
  return bids(events).flatMap((b: Bid, out: Collector<Q2Row>) => {
    if (b.auction % 123 === 0) out.collect({ auction: b.auction, price: b.price });
  }).name('q2');
}

/** q10's row: a bid with its partition ('yyyy-MM-dd' day and 'HH:mm' minute, UTC). */
export interface Q10Row { auction: number; bidder: number; price: number; dateTime: number; extra: string; dt: string; hm: string }

/** q10 (the rows it writes): every bid with the day and minute it is filed under. */
export function q10(events: DataStream<NexmarkEvent>): DataStream<Q10Row> {
  return bids(events).map((b): Q10Row => ({
    auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra,
    dt: utcDay(b.dateTime), hm: utcHourMinute(b.dateTime),
  })).name('q10');
}

/** q10's line format: the row as CSV (no field of q10 contains a comma or quote). */
export function q10Csv(r: Q10Row): string {
  return `${r.auction},${r.bidder},${r.price},${r.dateTime},${r.extra},${r.dt},${r.hm}`;
}

/**
 * q10's bucket: the partition directory Flink's filesystem connector writes for
 * `PARTITIONED BY (dt, hm)`, `dt=<yyyy-MM-dd>/hm=<HH%3Amm>` (':' escaped as Hive escapes it).
 */
export function q10Bucket(r: Q10Row): string {
  return `dt=${r.dt}/hm=${r.hm.replace(':', '%3A')}`;
}

/** q10's file line: the row without its partition columns, dateTime as Flink's CSV writes a TIMESTAMP(3). */
export function q10FileLine(r: Q10Row): string {
  const ts = new Date(r.dateTime).toISOString();
  return `${r.auction},${r.bidder},${r.price},${ts.slice(0, 10)} ${ts.slice(11, 23)},${r.extra}`;
}

/** q10's sink: exactly-once part files under `directory`, one partition directory per day and minute. */
export function q10Sink(directory: string): FileSink<Q10Row> {
  return FileSink.forRowFormat<Q10Row>(directory, q10FileLine).withBucketAssigner(q10Bucket).build();
}

/** q13's side input as nexmark ships it: 10,000 CSV lines `i,i`. */
export function q13SideInput(): string {
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i++) lines.push(`${i},${i}`);
  return lines.join('\n');
}

/** q13's row: a bid with the side input's value for its auction. */
export interface Q13Row { auction: number; bidder: number; price: number; dateTime: number; value: string }

/** Looks each bid up in the side table (loaded from CSV text when the function opens). */
class SideInputJoin extends ProcessFunction<Bid, Q13Row> {
  private table = new Map<number, string>();
  constructor(private readonly csv: string) { super(); }
  open(): void {
    this.table = new Map();
    for (const line of this.csv.split('\n')) {
      if (line === '') continue;
      const comma = line.indexOf(',');
      if (comma < 0) throw new Error(`q13 side input: line without a comma: "${line}"`);
      this.table.set(Number(line.slice(0, comma)), line.slice(comma + 1));
    }
  }
  processElement(b: Bid, _ctx: unknown, out: Collector<Q13Row>): void {
    const value = this.table.get(b.auction % 10_000);
    if (value !== undefined) out.collect({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, value });
  }
}

/** q13 bounded side input join: each bid joined with the side input row `auction mod 10000`. */
export function q13(events: DataStream<NexmarkEvent>, sideInputCsv: string = q13SideInput()): DataStream<Q13Row> {
  return bids(events).process(new SideInputJoin(sideInputCsv)).name('q13');
}

/** q14's row. */
export interface Q14Row {
  auction: number; bidder: number; price: number; bidTimeType: 'dayTime' | 'nightTime' | 'otherTime';
  dateTime: number; extra: string; c_counts: number;
}

/** The number of 'c' characters in s (q14's scalar UDF). */
export function countChar(s: string, c = 99): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === c) n++;
  return n;
}

/** q14 calculation: bids whose euro price lies in (10^6, 5·10^7), with the time of day and a UDF. */
export function q14(events: DataStream<NexmarkEvent>): DataStream<Q14Row> {
  return bids(events).flatMap((b: Bid, out: Collector<Q14Row>) => {
    // 10^6 < price · 0.908 < 5·10^7, in exact integer arithmetic.
    const scaled = b.price * 908;
    if (scaled <= 1e9 || scaled >= 5e10) return;
    const hour = Math.floor(b.dateTime / 3_600_000) % 24;
    const bidTimeType = hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
    out.collect({
      auction: b.auction, bidder: b.bidder, price: dollarsToEuros(b.price), bidTimeType, dateTime: b.dateTime,
      extra: b.extra, c_counts: countChar(b.extra),
    });
  }).name('q14');
}

/** q21's row. */
export interface Q21Row { auction: number; bidder: number; price: number; channel: string; channel_id: string }

/** The second group of the first match of `(&|^)channel_id=([^&]*)` in url, or undefined. */
export function channelIdOf(url: string): string | undefined {
  let at: number;
  if (url.startsWith('channel_id=')) at = 11;
  else {
    const i = url.indexOf('&channel_id=');
    if (i < 0) return undefined;
    at = i + 12;
  }
  const end = url.indexOf('&', at);
  return end < 0 ? url.slice(at) : url.slice(at, end);
}

/** q21 add channel id: the four hot channels by name, the others from their url's channel_id. */
export function q21(events: DataStream<NexmarkEvent>): DataStream<Q21Row> {
  return bids(events).flatMap((b: Bid, out: Collector<Q21Row>) => {
    let id: string | undefined;
    switch (b.channel.toLowerCase()) {
      case 'apple': id = '0'; break;
      case 'google': id = '1'; break;
      case 'facebook': id = '2'; break;
      case 'baidu': id = '3'; break;
      default: id = channelIdOf(b.url);
    }
    if (id !== undefined) out.collect({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channel_id: id });
  }).name('q21');
}

/** q22's row. */
export interface Q22Row { auction: number; bidder: number; price: number; channel: string; dir1: string | null; dir2: string | null; dir3: string | null }

/** The 0-based part `n` of s split on '/' (empty parts kept), or null when there are fewer parts. */
export function splitIndex(s: string, n: number): string | null {
  let start = 0;
  for (let i = 0; i < n; i++) {
    const slash = s.indexOf('/', start);
    if (slash < 0) return null;
    start = slash + 1;
  }
  const end = s.indexOf('/', start);
  return end < 0 ? s.slice(start) : s.slice(start, end);
}

/** q22 get url directories: the 3rd, 4th and 5th parts of each bid's url. */
export function q22(events: DataStream<NexmarkEvent>): DataStream<Q22Row> {
  return bids(events).map((b): Q22Row => ({
    auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel,
    dir1: splitIndex(b.url, 3), dir2: splitIndex(b.url, 4), dir3: splitIndex(b.url, 5),
  })).name('q22');
}
