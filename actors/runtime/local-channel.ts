// LocalChannel: one in-process channel between a sending and a receiving subtask. Elements
// (record batches and events) are handed over by reference. The receiver grants `credits`: the
// channel never holds more elements than that, so a sender without credit must keep its output
// (and stop pulling input) until the receiver consumes. Imports api/stream-elements only.
import type { ChannelElement, RecordBatch } from '../../api/stream-elements.ts';

/** Called when something changes on the other side of a channel. */
export type ChannelListener = () => void;

/**
 * The sending end of a channel, as a RecordWriter uses it. A LocalChannel is both ends; a
 * channel to another thread or process has a sender here and a receiver there.
 */
export interface ChannelSender {
  readonly description: string;
  /** True when the sender holds credit for one more element. */
  hasCredit(): boolean;
  /** Hands one element over; the sender must hold credit. */
  push(element: ChannelElement): void;
  /** Woken when credit comes back (set by the sending subtask). */
  onCredit: ChannelListener;
  /** A batch the receiver is done with, emptied, to fill again (in-process channels), if any. */
  reuse?(): RecordBatch | undefined;
}

/** The receiving end of a channel, as an InputGate uses it. */
export interface ChannelReceiver {
  readonly description: string;
  /** Elements queued now. */
  readonly size: number;
  /** Takes the oldest element, returning its credit to the sender. */
  poll(): ChannelElement | undefined;
  /** Woken when data arrives (set by the receiving subtask). */
  onData: ChannelListener;
  /** Gives back a polled batch nothing refers to any more, for the sender to fill again (in-process channels). */
  recycle?(batch: RecordBatch): void;
}


/** A bounded single-producer single-consumer queue with credit-based flow control. */
export class LocalChannel implements ChannelSender, ChannelReceiver {
  private readonly ring: (ChannelElement | undefined)[];
  private head = 0;
  private count = 0;
  /** The largest number of queued elements ever seen (tests check it stays within credits). */
  highWaterMark = 0;
  /** Woken when data arrives (set by the receiving subtask). */
  onData: ChannelListener = () => {};
  /** Woken when credit comes back (set by the sending subtask). */
  onCredit: ChannelListener = () => {};
  /** Batches the receiver gave back: the sender fills them again instead of allocating. */
  private readonly spare: RecordBatch[] = [];

  constructor(readonly credits: number, readonly description = '') {
    if (!(credits >= 1)) throw new RangeError(`a channel needs at least one credit, got ${credits}`);
    this.ring = new Array(credits);
  }

  /** Elements queued now. */
  get size(): number { return this.count; }

  /** True when the sender holds credit for one more element. */
  hasCredit(): boolean { return this.count < this.credits; }

  /** Hands one element over; the sender must hold credit. */
  push(element: ChannelElement): void {
    if (this.count >= this.credits) throw new Error(`channel ${this.description} overflow: no credit left`);
    this.ring[(this.head + this.count) % this.credits] = element;
    this.count++;
    if (this.count > this.highWaterMark) this.highWaterMark = this.count;
    if (this.count === 1) this.onData();
  }

  recycle(batch: RecordBatch): void {
    // At most as many as the channel can hold: the sender never has more in flight.
    if (this.spare.length >= this.credits) return;
    batch.length = 0;
    this.spare.push(batch);
  }

  reuse(): RecordBatch | undefined { return this.spare.pop(); }

  /** Takes the oldest element, returning its credit to the sender. */
  poll(): ChannelElement | undefined {
    if (this.count === 0) return undefined;
    const element = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.credits;
    this.count--;
    this.onCredit();
    return element;
  }
}
