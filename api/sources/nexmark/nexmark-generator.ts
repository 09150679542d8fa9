// NexmarkGenerator: event number k of the Nexmark stream, as a pure function of k and the
// configuration (nexmark's NexmarkGenerator with one generator, firstEventId 1): event number
// n = k + 1, event id e = n + 1; the kind comes from e mod the total proportion (1:3:46 gives
// person at 0, auctions at 1..3, bids at 4..49); ids, hot targets and timestamps follow nexmark's
// GeneratorConfig, and every random draw is seeded from e. Splits of a source take events of this
// one numbering, so the stream does not depend on how many splits read it. Imports api/sources/nexmark only.
import { EventRandom } from './event-random.ts';
import {
  FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, HOT_BATCH, ID_LEAD, NUM_CATEGORIES, NUM_CHANNELS,
  resolveNexmarkConfig, type NexmarkConfig, type ResolvedNexmarkConfig,
} from './nexmark-config.ts';
import { AUCTION, BID, PERSON, type Auction, type Bid, type NexmarkEvent, type Person } from './nexmark-events.ts';
import {
  CITIES, DIGIT_GROUPS, EXTRA_POOL_SIZE, HOT_CHANNELS, PERSON_NAMES, STATES, STRING_POOL_SIZE,
  nexmarkValues, type NexmarkValues,
} from './nexmark-values.ts';

// Module-local copies: some loaders turn imported bindings into getter calls, which the per-event
// path must not pay.
const PERSON_ID0 = FIRST_PERSON_ID;
const AUCTION_ID0 = FIRST_AUCTION_ID;
const CATEGORY0 = FIRST_CATEGORY_ID;
const CATEGORIES = NUM_CATEGORIES;
const BATCH = HOT_BATCH;
const LEAD = ID_LEAD;
const CHANNELS = NUM_CHANNELS;
const KIND_PERSON = PERSON;
const KIND_AUCTION = AUCTION;
const KIND_BID = BID;
const NAMES = PERSON_NAMES;
const CITY = CITIES;
const STATE = STATES;
const GROUPS = DIGIT_GROUPS;
const HOT = HOT_CHANNELS;
const EXTRA_SIZE = EXTRA_POOL_SIZE;
const STRING_SIZE = STRING_POOL_SIZE;
/** ln(10^6): 10^(6u) = e^(u · ln 10^6). */
const LN_1E6 = Math.log(1e6);

/** Generates Nexmark events by their number in the stream. */
export class NexmarkGenerator {
  /** The configuration, with defaults applied. */
  readonly config: ResolvedNexmarkConfig;
  private readonly random = new EventRandom();
  private readonly values: NexmarkValues;
  private readonly seed: number;
  private readonly personProportion: number;
  private readonly auctionProportion: number;
  private readonly totalProportion: number;
  private readonly baseTime: number;
  private readonly delayUs: number;

  constructor(config: NexmarkConfig | ResolvedNexmarkConfig = {}) {
    this.config = 'totalProportion' in config ? config as ResolvedNexmarkConfig : resolveNexmarkConfig(config);
    const c = this.config;
    this.values = nexmarkValues(c.seed);
    this.seed = c.seed;
    this.personProportion = c.personProportion;
    this.auctionProportion = c.auctionProportion;
    this.totalProportion = c.totalProportion;
    this.baseTime = c.baseTime;
    this.delayUs = c.interEventDelayUs;
  }

  /** The event with 0-based number `k` in the stream. */
  event(k: number): NexmarkEvent {
    const n = k + 1;
    const e = n + 1;
    const ts = this.timestampOf(n);
    this.random.reseed(e, this.seed);
    const rem = e % this.totalProportion;
    if (rem < this.personProportion) return this.person(e, ts);
    if (rem < this.personProportion + this.auctionProportion) return this.auction(e, n, ts);
    return this.bid(e, ts);
  }

  /** Event time of event number n (1-based): baseTime + ⌊⌊n · delayUs⌋ / 1000⌋. */
  timestampOf(n: number): number {
    return this.baseTime + Math.floor(Math.floor(n * this.delayUs) / 1000);
  }

  /** Event time of the event with 0-based number k. */
  timestampOfIndex(k: number): number { return this.timestampOf(k + 1); }

  /** The base-0 id of the last person created up to event id e. */
  lastBase0PersonId(e: number): number {
    const epoch = Math.floor(e / this.totalProportion);
    let offset = e % this.totalProportion;
    if (offset >= this.personProportion) offset = this.personProportion - 1;
    return epoch * this.personProportion + offset;
  }

  /** The base-0 id of the last auction created up to event id e (-1 before the first). */
  lastBase0AuctionId(e: number): number {
    let epoch = Math.floor(e / this.totalProportion);
    let offset = e % this.totalProportion;
    if (offset < this.personProportion) { epoch--; offset = this.auctionProportion - 1; }
    else if (offset >= this.personProportion + this.auctionProportion) offset = this.auctionProportion - 1;
    else offset -= this.personProportion;
    return epoch * this.auctionProportion + offset;
  }

  /** One of the last numActivePeople people, or one of LEAD not yet created. */
  private nextBase0PersonId(e: number): number {
    const numPeople = this.lastBase0PersonId(e) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + this.random.nextInt(active + LEAD);
  }

  /** One of the auctions in flight, or one of LEAD not yet created. */
  private nextBase0AuctionId(e: number): number {
    const max = this.lastBase0AuctionId(e);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + this.random.nextInt(max - min + 1 + LEAD);
  }

  /** round(10^(6u) · 100): 100 .. 10^8, log-uniform (computed as e^(u · ln 10^6), which is faster than pow). */
  private nextPrice(): number {
    return Math.round(Math.exp(this.random.nextDouble() * LN_1E6) * 100);
  }

  /** nexmark's nextString(max): 3 + U[0, max - 3) chars of a-z with a space 1 in 13, trimmed. */
  private nextString(max: number): string {
    const length = 3 + this.random.nextInt(max - 3);
    const at = this.random.nextInt(STRING_SIZE - length);
    return this.values.stringPool.substring(at, at + length).trim();
  }

  /** Padding that brings an event of `currentSize` bytes to `average` on average (±20 %). */
  private nextExtra(currentSize: number, average: number): string {
    if (currentSize > average) return '';
    const target = average - currentSize;
    const delta = Math.round(target * 0.2);
    const size = target - delta + (delta === 0 ? 0 : this.random.nextInt(2 * delta));
    const at = this.random.nextInt(EXTRA_SIZE - size);
    return this.values.extraPool.substring(at, at + size);
  }

  private person(e: number, ts: number): Person {
    const r = this.random;
    const name = NAMES[r.nextInt(NAMES.length)];
    const emailAddress = `${this.nextString(7)}@${this.nextString(5)}.com`;
    const creditCard = `${GROUPS[r.nextInt(10_000)]} ${GROUPS[r.nextInt(10_000)]} ${GROUPS[r.nextInt(10_000)]} ${GROUPS[r.nextInt(10_000)]}`;
    const city = CITY[r.nextInt(CITY.length)];
    const state = STATE[r.nextInt(STATE.length)];
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = this.nextExtra(size, this.config.avgPersonByteSize);
    return { eventType: KIND_PERSON, id: this.lastBase0PersonId(e) + PERSON_ID0, name, emailAddress, creditCard, city, state, dateTime: ts, extra };
  }

  private auction(e: number, n: number, ts: number): Auction {
    const r = this.random;
    const hotSeller = r.nextInt(this.config.hotSellersRatio) > 0;
    const seller = (hotSeller ? Math.floor(this.lastBase0PersonId(e) / BATCH) * BATCH : this.nextBase0PersonId(e)) + PERSON_ID0;
    const category = CATEGORY0 + r.nextInt(CATEGORIES);
    const initialBid = this.nextPrice();
    // Lifetimes span the time it takes to create numInFlightAuctions more auctions (twice, on average).
    const horizon = this.timestampOf(n + this.config.eventsForAuctions) - ts;
    const expires = ts + 1 + r.nextInt(Math.max(horizon * 2, 1));
    const itemName = this.nextString(20);
    const description = this.nextString(100);
    const reserve = initialBid + this.nextPrice();
    const extra = this.nextExtra(8 + itemName.length + description.length + 40, this.config.avgAuctionByteSize);
    return {
      eventType: KIND_AUCTION, id: this.lastBase0AuctionId(e) + AUCTION_ID0, itemName, description, initialBid, reserve,
      dateTime: ts, expires, seller, category, extra,
    };
  }

  private bid(e: number, ts: number): Bid {
    const r = this.random;
    const hotAuction = r.nextInt(this.config.hotAuctionRatio) > 0;
    const auction = (hotAuction ? Math.floor(this.lastBase0AuctionId(e) / BATCH) * BATCH : this.nextBase0AuctionId(e)) + AUCTION_ID0;
    const hotBidder = r.nextInt(this.config.hotBiddersRatio) > 0;
    // PERSON_ID0 is added twice, as in nexmark since 2021 (bidders name people not yet created).
    const bidder = (hotBidder ? Math.floor(this.lastBase0PersonId(e) / BATCH) * BATCH + 1 : this.nextBase0PersonId(e)) + 2 * PERSON_ID0;
    const price = this.nextPrice();
    let channel: string;
    let url: string;
    if (r.nextInt(2) > 0) {
      const hot = r.nextInt(HOT.length);
      channel = HOT[hot];
      url = this.values.hotUrls[hot];
    } else {
      const i = r.nextInt(CHANNELS);
      channel = this.values.channelNames[i];
      url = this.values.channelUrls[i];
    }
    const extra = this.nextExtra(32, this.config.avgBidByteSize);
    return { eventType: KIND_BID, auction, bidder, price, channel, url, dateTime: ts, extra };
  }
}
