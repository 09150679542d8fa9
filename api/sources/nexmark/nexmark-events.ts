// The three Nexmark event types (nexmark's Person, Auction, Bid), as flat plain objects that carry
// their kind in `eventType` (0 person, 1 auction, 2 bid, as SQL's event_type). Ids, prices and
// times are numbers (epoch ms for times; every id of a run stays far below 2^53). Imports nothing.

/** `eventType` of a Person. */
export const PERSON = 0;
/** `eventType` of an Auction. */
export const AUCTION = 1;
/** `eventType` of a Bid. */
export const BID = 2;

/** A new person. */
export interface Person {
  readonly eventType: typeof PERSON;
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** A new auction, open from dateTime to expires. */
export interface Auction {
  readonly eventType: typeof AUCTION;
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

/** A bid on an auction. */
export interface Bid {
  readonly eventType: typeof BID;
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** One event of the Nexmark stream. */
export type NexmarkEvent = Person | Auction | Bid;

/** True for persons. */
export function isPerson(e: NexmarkEvent): e is Person { return e.eventType === PERSON; }
/** True for auctions. */
export function isAuction(e: NexmarkEvent): e is Auction { return e.eventType === AUCTION; }
/** True for bids. */
export function isBid(e: NexmarkEvent): e is Bid { return e.eventType === BID; }
