// RemoteChannelReceiver: the receiving end of a channel whose sender lives in another actor
// system. Frames arrive decoded from the data plane into a ring bounded by the credits this end
// granted (a sender that exceeds them broke the protocol: the frame is rejected and the link
// closes). Each poll() returns one credit. Listener edges match LocalChannel's: onData when the
// queue goes from empty to non-empty. Credit is announced at once (inside the poll) when half the
// buffer's worth is due: the receiving task may run many batches before it ends, and a sender in
// another thread that waits for this credit must not wait for that. When the queue runs empty with
// less credit due, the credit is announced at the end of the current task, coalesced with the
// other channels' (the sender still holds or has in flight more than half the buffer, so it is
// not waiting). This saves most credit frames without ever leaving both sides waiting. Imports
// the stream elements, the channel interfaces and the codec's batch decoder.
import type { ChannelElement } from '../../../api/stream-elements.ts';
import { BatchDecoder } from '../codec.ts';
import type { ChannelListener } from '../../runtime/local-channel.ts';
import type { RemoteReceiver } from './data-plane.ts';

/** What a receiver needs from its data plane. */
export interface ReceiverHost {
  /**
   * `receiver` has credit to return to its sender: announced now when `urgent` (and the link is
   * up), otherwise at the end of the current task.
   */
  creditDue(receiver: RemoteChannelReceiver, urgent: boolean): void;
  /** `receiver` closed: forget it. */
  forgetReceiver(receiver: RemoteChannelReceiver): void;
}

/** The receiving end of a cross-system channel. */
export class RemoteChannelReceiver implements RemoteReceiver {
  private readonly ring: (ChannelElement | undefined)[];
  private head = 0;
  private count = 0;
  /** Credit consumed by poll() and not yet announced to the sender. */
  unannounced: number;
  /** The frame header of this channel (the plane writes credit frames with it). */
  header: Uint8Array | undefined;
  /** This channel's batch decoder (the plane reads the channel's frames with it, in order). */
  readonly batches = new BatchDecoder();
  /** The largest number of queued elements ever seen (tests check it stays within credits). */
  highWaterMark = 0;
  private closed = false;
  /** Credit due before it is worth a frame of its own (while the queue is not empty). */
  private readonly announceAt: number;
  /** Woken when data arrives (set by the receiving subtask). */
  onData: ChannelListener = () => {};
  /** Told when the peer is lost (set by the receiving subtask). */
  onFailure: (error: Error) => void = () => {};

  constructor(
    readonly channelId: string,
    /** The sending system's address (`name@host:port`). */
    readonly peer: string,
    readonly credits: number,
    readonly description: string,
    private readonly host: ReceiverHost,
  ) {
    if (!(credits >= 1 && credits <= 0xffffffff && Number.isInteger(credits))) {
      throw new RangeError(`channel ${description} needs a whole number of credits >= 1, got ${credits}`);
    }
    this.ring = new Array(credits);
    this.announceAt = Math.max(1, credits >> 1);
    // The initial grant: the whole buffer.
    this.unannounced = credits;
  }

  /** Elements queued now. */
  get size(): number { return this.count; }

  /** Whether close() ran or the peer was lost. */
  get isClosed(): boolean { return this.closed; }

  /** Takes the oldest element, returning its credit to the sender. */
  poll(): ChannelElement | undefined {
    if (this.count === 0) return undefined;
    const element = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.credits;
    this.count--;
    if (this.closed) return element;
    if (++this.unannounced >= this.announceAt) this.host.creditDue(this, true);
    else if (this.count === 0) this.host.creditDue(this, false);
    return element;
  }

  /** Queues an element that arrived (called by the plane); throws when the sender exceeded its credit. */
  deliver(element: ChannelElement): void {
    if (this.closed) return;
    if (this.count >= this.credits) throw new Error(`channel ${this.description} overflow: the sender exceeded its ${this.credits} credits`);
    this.ring[(this.head + this.count) % this.credits] = element;
    this.count++;
    if (this.count > this.highWaterMark) this.highWaterMark = this.count;
    if (this.count === 1) this.onData();
  }

  /** The peer is lost: no more data will come (called by the plane). */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.onFailure(error);
  }

  /** Stops receiving; queued elements stay pollable, later frames are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.forgetReceiver(this);
  }
}
