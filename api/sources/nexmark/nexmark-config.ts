// NexmarkConfig: the knobs of the Nexmark generator (nexmark's GeneratorConfig and NexmarkConfiguration)
// with their published defaults, validated, plus the constants the generator derives from them.
// One difference from the reference: `baseTime` is part of the configuration (a fixed default) and
// every random draw is seeded from the event id, so a configuration names one exact event stream.
// Imports nothing.

/** What a Nexmark generator makes; every field is optional and defaults as in nexmark. */
export interface NexmarkConfig {
  /** Events in total; 0 means unbounded (nexmark's events.num). Default 0. */
  readonly numEvents?: number;
  /** Events per second of event time, over all splits (nexmark's first rate). Default 10,000. */
  readonly firstEventRate?: number;
  /**
   * Emit as fast as possible (default true); when false, each event is emitted when its event
   * time, measured from the reader's start, has come on the source's clock (a rate limit).
   */
  readonly maxEmitSpeed?: boolean;
  /** Event time of event number 0, in epoch ms. Default 2026-01-01T00:00:00Z (fixed, for replays). */
  readonly baseTime?: number;
  /** Mixed into every event's seed: another value gives another (equally reproducible) stream. Default 0. */
  readonly seed?: number;
  /** Proportions of persons, auctions and bids (default 1 : 3 : 46). */
  readonly personProportion?: number;
  readonly auctionProportion?: number;
  readonly bidProportion?: number;
  /** Average sizes in bytes the `extra` padding aims at (default 200 / 500 / 100). */
  readonly avgPersonByteSize?: number;
  readonly avgAuctionByteSize?: number;
  readonly avgBidByteSize?: number;
  /** 1 in `ratio` bids goes to a random auction, the rest to the hot one (default 2). */
  readonly hotAuctionRatio?: number;
  /** 1 in `ratio` auctions has a random seller, the rest the hot one (default 4). */
  readonly hotSellersRatio?: number;
  /** 1 in `ratio` bids has a random bidder, the rest the hot one (default 4). */
  readonly hotBiddersRatio?: number;
  /** Auctions considered open when a random one is picked (default 100). */
  readonly numInFlightAuctions?: number;
  /** People considered active when a random one is picked (default 1000). */
  readonly numActivePeople?: number;
}

/** A validated configuration with every default applied and the derived constants. */
export interface ResolvedNexmarkConfig {
  /** Events in total (UNBOUNDED_EVENTS when the configuration said 0). */
  readonly numEvents: number;
  /** False when the configuration asked for an unbounded stream. */
  readonly bounded: boolean;
  readonly firstEventRate: number;
  readonly maxEmitSpeed: boolean;
  readonly baseTime: number;
  readonly seed: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly totalProportion: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  /** Microseconds of event time between two events (1e6 / firstEventRate). */
  readonly interEventDelayUs: number;
  /** Events it takes for numInFlightAuctions more auctions to be created (auction lifetimes). */
  readonly eventsForAuctions: number;
}

/** Ids start here (nexmark's FIRST_PERSON_ID / FIRST_AUCTION_ID). */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
/** Categories are FIRST_CATEGORY_ID .. FIRST_CATEGORY_ID + NUM_CATEGORIES - 1. */
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Hot auctions, sellers and bidders are the first of each batch of this many. */
export const HOT_BATCH = 100;
/** Random people and auctions may be up to this many ids in the future. */
export const ID_LEAD = 10;
/** Distinct non-hot channels. */
export const NUM_CHANNELS = 10_000;
/** nexmark's total when events.num is 0 (unbounded): Long.MAX_VALUE / 25,000 ≈ 3.7e14. */
export const UNBOUNDED_EVENTS = 368_934_881_474_191;

const DEFAULTS = {
  numEvents: 0, firstEventRate: 10_000, maxEmitSpeed: true, baseTime: Date.UTC(2026, 0, 1), seed: 0,
  personProportion: 1, auctionProportion: 3, bidProportion: 46,
  avgPersonByteSize: 200, avgAuctionByteSize: 500, avgBidByteSize: 100,
  hotAuctionRatio: 2, hotSellersRatio: 4, hotBiddersRatio: 4, numInFlightAuctions: 100, numActivePeople: 1000,
};

function check(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`Nexmark ${name} must be an integer >= ${min}, got ${value}`);
}

/** Applies the defaults and checks every value; throws a RangeError naming the bad one. */
export function resolveNexmarkConfig(config: NexmarkConfig = {}): ResolvedNexmarkConfig {
  for (const key of Object.keys(config)) {
    if (!(key in DEFAULTS)) throw new RangeError(`unknown Nexmark option "${key}"`);
  }
  const c = { ...DEFAULTS, ...config };
  check('numEvents', c.numEvents, 0);
  if (!(c.firstEventRate > 0) || !Number.isFinite(c.firstEventRate)) throw new RangeError(`Nexmark firstEventRate must be > 0, got ${c.firstEventRate}`);
  if (typeof c.maxEmitSpeed !== 'boolean') throw new RangeError(`Nexmark maxEmitSpeed must be a boolean, got ${String(c.maxEmitSpeed)}`);
  check('baseTime', c.baseTime, 0);
  check('seed', c.seed, 0);
  check('personProportion', c.personProportion, 1);
  check('auctionProportion', c.auctionProportion, 1);
  check('bidProportion', c.bidProportion, 1);
  for (const k of ['avgPersonByteSize', 'avgAuctionByteSize', 'avgBidByteSize', 'numInFlightAuctions', 'numActivePeople'] as const) check(k, c[k], 1);
  for (const k of ['hotAuctionRatio', 'hotSellersRatio', 'hotBiddersRatio'] as const) check(k, c[k], 1);
  const totalProportion = c.personProportion + c.auctionProportion + c.bidProportion;
  return {
    ...c,
    numEvents: c.numEvents === 0 ? UNBOUNDED_EVENTS : c.numEvents,
    bounded: c.numEvents !== 0,
    totalProportion,
    interEventDelayUs: 1e6 / c.firstEventRate,
    eventsForAuctions: Math.floor((c.numInFlightAuctions * totalProportion) / c.auctionProportion),
  };
}
