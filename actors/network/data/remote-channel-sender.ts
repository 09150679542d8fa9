// RemoteChannelSender: the sending end of a channel whose receiver lives in another actor system.
// It holds the credit the receiver announced (none at first) and turns each pushed element into
// one frame: a record batch through the channel's own BatchEncoder, an event as a small msgpack
// map. A RecordWriter batches records, so a frame per push is the right granularity here.
// Listener edges match LocalChannel's: onCredit whenever credit comes back. Imports the frame
// layout, the codec's batch encoder and the channel interfaces only.
import type { ChannelElement } from '../../../api/stream-elements.ts';
import type { ChannelListener } from '../../runtime/local-channel.ts';
import { BatchEncoder } from '../codec.ts';
import { BATCH, EVENT, channelHeader, elementBody } from './data-frame.ts';
import type { RemoteSender } from './data-plane.ts';

/** What a sender needs from its data plane. */
export interface SenderHost {
  /** Sends the frame `head` + `body` to `peer` (copying `body` before returning); throws when the link is down. */
  send(peer: string, head: Uint8Array, body: Uint8Array): void;
  /** `sender` closed: forget it. */
  forgetSender(sender: RemoteChannelSender): void;
}

/** The sending end of a cross-system channel. */
export class RemoteChannelSender implements RemoteSender {
  private credit = 0;
  private closed = false;
  private failure: Error | undefined;
  private readonly batchHeader: Uint8Array;
  private readonly eventHeader: Uint8Array;
  /** This channel's batch encoder: its receiver's decoder reads every frame it writes, in order. */
  private readonly batches = new BatchEncoder();
  /** Woken when credit comes back (set by the sending subtask). */
  onCredit: ChannelListener = () => {};
  /** Told when the peer is lost (set by the sending subtask). */
  onFailure: (error: Error) => void = () => {};

  constructor(
    readonly channelId: string,
    /** The receiving system's address (`name@host:port`). */
    readonly peer: string,
    readonly description: string,
    private readonly host: SenderHost,
  ) {
    this.batchHeader = channelHeader(channelId, BATCH);
    this.eventHeader = channelHeader(channelId, EVENT);
  }

  /** Credit held now (tests and metrics). */
  get credits(): number { return this.credit; }

  /** Whether close() ran or the peer was lost. */
  get isClosed(): boolean { return this.closed; }

  /** True when the sender holds credit for one more element. */
  hasCredit(): boolean { return this.credit > 0 && !this.closed; }

  /** Sends one element as one frame; the sender must hold credit. */
  push(element: ChannelElement): void {
    if (this.closed) throw new Error(`channel ${this.description} is closed${this.failure ? `: ${this.failure.message}` : ''}`);
    if (this.credit <= 0) throw new Error(`channel ${this.description} overflow: no credit left`);
    this.credit--;
    this.host.send(this.peer, element.kind === 'records' ? this.batchHeader : this.eventHeader, elementBody(element, this.batches));
  }

  /** Credit announced by the receiver (called by the plane). */
  addCredit(credits: number): void {
    if (this.closed) return;
    this.credit += credits;
    this.onCredit();
  }

  /** The peer is lost (called by the plane). */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    this.onFailure(error);
  }

  /** Stops sending and forgets the channel. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.forgetSender(this);
  }
}
