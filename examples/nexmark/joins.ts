// The regular (unwindowed) joins of Nexmark: q3 (auction ⋈ person on seller) and q20 (bid ⋈
// auction on auction id), as keyed co-process functions that keep what the other side may still
// need in keyed state; either side may arrive first. Append-only results.
import {
  KeyedCoProcessFunction, ListStateDescriptor, ValueStateDescriptor,
  type Auction, type Bid, type Collector, type DataStream, type KeyedCoProcessContext, type ListState,
  type NexmarkEvent, type Person, type RuntimeContext, type ValueState,
} from '../../api/index.ts';
import { auctions, bids, persons } from './common.ts';

/** q3's row. */
export interface Q3Row { name: string; city: string; state: string; id: number }

type PersonPart = Pick<Person, 'name' | 'city' | 'state'>;

/** Joins category-10 auctions with their sellers from OR, ID or CA. */
class LocalItemJoin extends KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  private person!: ValueState<PersonPart>;
  private auctionIds!: ListState<number>;
  open(ctx: RuntimeContext): void {
    this.person = ctx.getState(new ValueStateDescriptor<PersonPart>('person'));
    this.auctionIds = ctx.getListState(new ListStateDescriptor<number>('auction-ids'));
  }
  processElement1(a: Auction, _ctx: KeyedCoProcessContext<number>, out: Collector<Q3Row>): void {
    // A regular join keeps both sides: a later person with this id must still find the auction.
    this.auctionIds.add(a.id);
    const p = this.person.value();
    if (p !== undefined) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
  }
  processElement2(p: Person, _ctx: KeyedCoProcessContext<number>, out: Collector<Q3Row>): void {
    this.person.update({ name: p.name, city: p.city, state: p.state });
    for (const id of this.auctionIds.get()) out.collect({ name: p.name, city: p.city, state: p.state, id });
  }
}

/** q3 local item suggestion: category-10 auctions of sellers living in OR, ID or CA. */
export function q3(events: DataStream<NexmarkEvent>): DataStream<Q3Row> {
  const a = auctions(events).filter((x) => x.category === 10);
  const p = persons(events).filter((x) => x.state === 'OR' || x.state === 'ID' || x.state === 'CA');
  return a.connect(p).keyBy((x) => x.seller, (x) => x.id).process(new LocalItemJoin()).name('q3');
}

/** q20's row: the bid's 7 columns and the auction's other 9. */
export interface Q20Row {
  auction: number; bidder: number; price: number; channel: string; url: string; bid_dateTime: number; bid_extra: string;
  itemName: string; description: string; initialBid: number; reserve: number; auction_dateTime: number; expires: number;
  seller: number; category: number; auction_extra: string;
}

function q20Row(b: Bid, a: Auction): Q20Row {
  return {
    auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, url: b.url, bid_dateTime: b.dateTime, bid_extra: b.extra,
    itemName: a.itemName, description: a.description, initialBid: a.initialBid, reserve: a.reserve, auction_dateTime: a.dateTime,
    expires: a.expires, seller: a.seller, category: a.category, auction_extra: a.extra,
  };
}

/**
 * Joins bids with their category-10 auction. Auction ids are unique, so once the auction is known
 * bids need no state: they join at once or can never join (another category); bids that come
 * before their auction wait in state.
 */
class BidAuctionJoin extends KeyedCoProcessFunction<number, Bid, Auction, Q20Row> {
  private auction!: ValueState<Auction | { category: number }>;
  private early!: ListState<Bid>;
  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<Auction | { category: number }>('auction'));
    this.early = ctx.getListState(new ListStateDescriptor<Bid>('early-bids'));
  }
  processElement1(b: Bid, _ctx: KeyedCoProcessContext<number>, out: Collector<Q20Row>): void {
    const a = this.auction.value();
    if (a === undefined) this.early.add(b);
    else if (a.category === 10) out.collect(q20Row(b, a as Auction));
  }
  processElement2(a: Auction, _ctx: KeyedCoProcessContext<number>, out: Collector<Q20Row>): void {
    if (a.category !== 10) {
      this.auction.update({ category: a.category });
    } else {
      this.auction.update(a);
      for (const b of this.early.get()) out.collect(q20Row(b, a));
    }
    this.early.clear();
  }
}

/** q20 expand bid with auction: bids joined with their auction when its category is 10. */
export function q20(events: DataStream<NexmarkEvent>): DataStream<Q20Row> {
  return bids(events).connect(auctions(events)).keyBy((b) => b.auction, (a) => a.id).process(new BidAuctionJoin()).name('q20');
}
