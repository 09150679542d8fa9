// DataPlane: the channels between subtasks in different actor systems (processes or worker
// threads). One plane per ActorSystem; its channels are multiplexed over the system's one
// connection to each peer (data-plane frames beside the actor envelopes, see data-frame.ts), or
// over a MessagePort given by attachPort (worker threads: frames travel as transferred buffers).
//
// Flow control is Flink's credit-based scheme: a receiver grants its buffer size in batches;
// the sender sends one element per credit; each poll() returns one credit (announced at once when
// half the buffer's worth is due, else coalesced to one announcement per channel per task).
// Credit arriving before its sender opened is kept until it opens, since deployment order across
// systems is not guaranteed. Losing the link to a peer fails every channel to and from it
// (onFailure). A malformed data frame closes its link only.
//
// Links: when no connection to the peer exists, the system with the smaller address dials (the
// same system the transport would keep if both dialed), the other waits for it, so two systems
// opening channels towards each other at once make one connection, never two.
// Imports the actor system and transport, the frame layout and the two channel ends.
import type { Cancel } from '../../../api/time/clock.ts';
import type { ActorSystem } from '../../core/actor-system.ts';
import type { ChannelReceiver, ChannelSender } from '../../runtime/local-channel.ts';
import type { DataFrameHandler, RemoteTransport } from '../../remote/remote-transport.ts';
import { CREDIT, EVENT, NO_BODY, creditFrame, channelHeader, joinFrame, frameChannelId, frameCredits, frameElement, frameKind } from './data-frame.ts';
import { RemoteChannelReceiver, type ReceiverHost } from './remote-channel-receiver.ts';
import { RemoteChannelSender, type SenderHost } from './remote-channel-sender.ts';
import { PortLink, type DataPort } from './port-link.ts';

/** The receiving end of a channel from another system. */
export interface RemoteReceiver extends ChannelReceiver { close(): void; /** set: told when the peer is lost */ onFailure: (error: Error) => void }
/** The sending end of a channel to another system. */
export interface RemoteSender extends ChannelSender { close(): void; onFailure: (error: Error) => void }

/** How long a channel waits for the connection to its peer before it fails. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Prefixes of closed channels remembered, to drop late credit for them. */
const CLOSED_PREFIXES_KEPT = 256;

const planes = new WeakMap<ActorSystem, DataPlane>();

/** `actorflow://name@host:port[/...]` or `name@host:port` -> `name@host:port`. */
function peerOf(address: string): string {
  const bare = address.startsWith('actorflow://') ? address.slice('actorflow://'.length) : address;
  const slash = bare.indexOf('/');
  const peer = slash < 0 ? bare : bare.slice(0, slash);
  if (!peer.includes('@')) throw new Error(`not a system address: '${address}' (expected actorflow://name@host:port)`);
  return peer;
}

/** Host and port of `name@host:port`, or undefined for a system that does not listen. */
function dialTarget(peer: string): { host: string; port: number } | undefined {
  const hostPort = peer.slice(peer.indexOf('@') + 1);
  const colon = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port <= 0) return undefined;
  const host = hostPort.slice(0, colon);
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

/** The data plane of one actor system. */
export class DataPlane implements DataFrameHandler, ReceiverHost, SenderHost {
  private readonly transport: RemoteTransport;
  private readonly receivers = new Map<string, RemoteChannelReceiver>();
  private readonly senders = new Map<string, RemoteChannelSender>();
  /** Credit that arrived before its sender opened, by channel id. */
  private readonly earlyCredits = new Map<string, { readonly peer: string; credits: number }>();
  private readonly closedPrefixes: string[] = [];
  private readonly creditsDue = new Set<RemoteChannelReceiver>();
  private creditFlushScheduled = false;
  private readonly flushCreditsTask = (): void => this.flushCredits();
  /** Peers whose link is awaited, with the timeout that fails their channels. */
  private readonly awaited = new Map<string, Cancel>();
  private readonly ports = new Map<string, PortLink>();
  /** Milliseconds a channel waits for the link to its peer. */
  connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  /** Data frames dropped because their channel was closed already. */
  droppedFrames = 0;

  private constructor(private readonly system: ActorSystem) {
    this.transport = system.remoteTransport();
    this.transport.setDataHandler(this);
  }

  /** The data plane of `system` (one per ActorSystem; created on first use). */
  static of(system: ActorSystem): DataPlane {
    let plane = planes.get(system);
    if (!plane) { plane = new DataPlane(system); planes.set(system, plane); }
    return plane;
  }

  /**
   * Receiving end of `channelId`, fed by the system at `senderAddress`
   * (`actorflow://name@host:port`); grants the sender `credits` batches.
   */
  openReceiver(channelId: string, senderAddress: string, credits: number, description: string): RemoteReceiver {
    if (this.receivers.has(channelId)) throw new Error(`channel ${channelId} already has a receiver in ${this.system.name}`);
    const peer = peerOf(senderAddress);
    const receiver = new RemoteChannelReceiver(channelId, peer, credits, description, this);
    receiver.header = channelHeader(channelId);
    this.receivers.set(channelId, receiver);
    this.creditDue(receiver, false);
    this.ensureLink(peer);
    return receiver;
  }

  /** Sending end of `channelId` towards the system at `receiverAddress`; starts without credit. */
  openSender(channelId: string, receiverAddress: string, description: string): RemoteSender {
    if (this.senders.has(channelId)) throw new Error(`channel ${channelId} already has a sender in ${this.system.name}`);
    const peer = peerOf(receiverAddress);
    const sender = new RemoteChannelSender(channelId, peer, description, this);
    this.senders.set(channelId, sender);
    const early = this.earlyCredits.get(channelId);
    if (early) {
      this.earlyCredits.delete(channelId);
      if (early.peer === peer) sender.addCredit(early.credits);
    }
    this.ensureLink(peer);
    return sender;
  }

  /** Closes (and forgets) every channel whose id starts with `prefix`. */
  closeChannels(prefix: string): void {
    for (const r of [...this.receivers.values()]) if (r.channelId.startsWith(prefix)) r.close();
    for (const s of [...this.senders.values()]) if (s.channelId.startsWith(prefix)) s.close();
    for (const id of [...this.earlyCredits.keys()]) if (id.startsWith(prefix)) this.earlyCredits.delete(id);
    if (!this.closedPrefixes.includes(prefix)) {
      this.closedPrefixes.push(prefix);
      if (this.closedPrefixes.length > CLOSED_PREFIXES_KEPT) this.closedPrefixes.shift();
    }
  }

  /**
   * Carries the channels to and from the system at `peerAddress` over `port` instead of the TCP
   * connection (worker threads of one process: frames are transferred, not copied). The other
   * side attaches the other port of the same MessageChannel with this system's address.
   */
  attachPort(peerAddress: string, port: DataPort): void {
    const peer = peerOf(peerAddress);
    if (this.ports.has(peer)) throw new Error(`${this.system.name} already has a port to actorflow://${peer}`);
    const link = new PortLink(port, {
      onFrame: (frame) => this.onFrame(peer, frame),
      onClose: (error) => { if (this.ports.get(peer) === link) { this.ports.delete(peer); this.onDisconnected(peer, error); } },
    });
    this.ports.set(peer, link);
    this.onConnected(peer);
  }

  /** Channels open now (tests and metrics). */
  get openChannels(): { receivers: number; senders: number } {
    return { receivers: this.receivers.size, senders: this.senders.size };
  }

  // --- DataFrameHandler: frames and link events from the transport ---

  /** One data frame from `peer`; throws on a malformed one (its link closes). */
  onFrame(peer: string, frame: Uint8Array): void {
    const kind = frameKind(frame);
    const channelId = frameChannelId(frame);
    if (kind === CREDIT) {
      const credits = frameCredits(frame);
      const sender = this.senders.get(channelId);
      if (sender) { this.checkPeer(sender.peer, peer, channelId); sender.addCredit(credits); return; }
      if (this.wasClosed(channelId)) { this.droppedFrames++; return; }
      const early = this.earlyCredits.get(channelId);
      if (early && early.peer === peer) early.credits += credits;
      else this.earlyCredits.set(channelId, { peer, credits });
      return;
    }
    const receiver = this.receivers.get(channelId);
    if (!receiver) {
      // The receiver closed (a canceled attempt): its sender may still have had frames in flight.
      // An event is checked all the same; a batch can only be read by its channel's decoder.
      if (kind === EVENT) frameElement(frame, kind);
      this.droppedFrames++;
      return;
    }
    this.checkPeer(receiver.peer, peer, channelId);
    receiver.deliver(frameElement(frame, kind, receiver.batches));
  }

  /** A link to `peer` is up: announce the credit its senders wait for. */
  onConnected(peer: string): void {
    const cancel = this.awaited.get(peer);
    if (cancel) { cancel(); this.awaited.delete(peer); }
    for (const receiver of this.receivers.values()) {
      if (receiver.peer === peer && receiver.unannounced > 0) this.creditDue(receiver, false);
    }
  }

  /** The link to `peer` is gone: every channel to and from it fails. */
  onDisconnected(peer: string, error: Error): void {
    const cancel = this.awaited.get(peer);
    if (cancel) { cancel(); this.awaited.delete(peer); }
    for (const id of [...this.earlyCredits.keys()]) if (this.earlyCredits.get(id)!.peer === peer) this.earlyCredits.delete(id);
    for (const receiver of [...this.receivers.values()]) {
      if (receiver.peer !== peer) continue;
      this.receivers.delete(receiver.channelId);
      this.creditsDue.delete(receiver);
      receiver.fail(error);
    }
    for (const sender of [...this.senders.values()]) {
      if (sender.peer !== peer) continue;
      this.senders.delete(sender.channelId);
      sender.fail(error);
    }
  }

  // --- ReceiverHost / SenderHost ---

  /**
   * `receiver` has credit to announce: now when `urgent` and its link is up (a task may run for
   * many milliseconds, and a sender in another thread may be waiting for it), otherwise at the end
   * of the current task, coalesced with the other receivers'.
   */
  creditDue(receiver: RemoteChannelReceiver, urgent: boolean): void {
    if (urgent && this.isLinked(receiver.peer)) {
      this.creditsDue.delete(receiver);
      this.announce(receiver);
      return;
    }
    this.creditsDue.add(receiver);
    if (!this.creditFlushScheduled) { this.creditFlushScheduled = true; queueMicrotask(this.flushCreditsTask); }
  }

  /**
   * Sends the frame `head` + `body` to `peer`: joined into one exact-size buffer for a port (it is
   * transferred), or copied straight into the length-prefixed frame of the connection.
   */
  send(peer: string, head: Uint8Array, body: Uint8Array): void {
    const port = this.ports.get(peer);
    if (port) { port.send(body.length === 0 ? head : joinFrame(head, body)); return; }
    if (!this.transport.sendData(peer, head, body)) throw new Error(`no connection to actorflow://${peer}`);
  }

  /** Forgets a closed receiver. */
  forgetReceiver(receiver: RemoteChannelReceiver): void {
    if (this.receivers.get(receiver.channelId) === receiver) this.receivers.delete(receiver.channelId);
    this.creditsDue.delete(receiver);
    this.stopAwaitingIfUnused(receiver.peer);
  }

  /** Forgets a closed sender. */
  forgetSender(sender: RemoteChannelSender): void {
    if (this.senders.get(sender.channelId) === sender) this.senders.delete(sender.channelId);
    this.stopAwaitingIfUnused(sender.peer);
  }

  // --- internals ---

  private flushCredits(): void {
    this.creditFlushScheduled = false;
    for (const receiver of this.creditsDue) {
      if (!this.isLinked(receiver.peer)) continue; // announced by onConnected
      this.creditsDue.delete(receiver);
      this.announce(receiver);
    }
  }

  /** Sends `receiver`'s unannounced credit to its sender (its link is up). */
  private announce(receiver: RemoteChannelReceiver): void {
    const credits = receiver.unannounced;
    if (credits === 0 || receiver.isClosed) return;
    receiver.unannounced = 0;
    this.send(receiver.peer, creditFrame(receiver.header!, credits), NO_BODY);
  }

  private isLinked(peer: string): boolean {
    return this.ports.has(peer) || this.transport.isConnected(peer);
  }

  /**
   * Makes sure a link to `peer` exists or is coming: the system with the smaller address dials
   * (an unlistening system always dials: nobody can reach it); the other waits, within a timeout.
   */
  private ensureLink(peer: string): void {
    if (this.isLinked(peer) || this.awaited.has(peer)) return;
    const own = this.transport.address;
    const target = dialTarget(peer);
    const cancel = this.system.clock.schedule(this.connectTimeoutMs, () => {
      this.awaited.delete(peer);
      if (!this.isLinked(peer)) this.onDisconnected(peer, new Error(`no connection to actorflow://${peer} within ${this.connectTimeoutMs} ms`));
    });
    this.awaited.set(peer, cancel);
    if (target && (dialTarget(own) === undefined || own < peer)) {
      this.system.connect(target.host, target.port, { secret: this.transport.clusterSecret }).then(
        () => { if (this.isLinked(peer)) this.onConnected(peer); },
        (error: Error) => this.onDisconnected(peer, new Error(`cannot connect to actorflow://${peer}: ${error.message}`)),
      );
    }
  }

  private stopAwaitingIfUnused(peer: string): void {
    const cancel = this.awaited.get(peer);
    if (!cancel) return;
    for (const r of this.receivers.values()) if (r.peer === peer) return;
    for (const s of this.senders.values()) if (s.peer === peer) return;
    cancel();
    this.awaited.delete(peer);
  }

  private checkPeer(expected: string, actual: string, channelId: string): void {
    if (expected !== actual) throw new Error(`channel ${channelId} belongs to actorflow://${expected}, but actorflow://${actual} sent a frame for it`);
  }

  private wasClosed(channelId: string): boolean {
    for (const prefix of this.closedPrefixes) if (channelId.startsWith(prefix)) return true;
    return false;
  }
}
