// RemoteEndpoint: everything that travels over the one connection between this system and one
// peer system. Each frame is one msgpack envelope (a small tagged array); refs inside messages
// are written as paths by the codec and resolved on arrival, local refs of the peer being
// qualified with the peer's address. Pending asks of this side wait here for their reply (timed
// on the system clock); death watches of remote actors are kept here, and the peer's watches of
// our actors run through one small proxy actor per connection. Losing the connection rejects the
// pending asks, sends what was still queued to dead letters, and tells every watcher
// `actor.terminated` with reason 'connection-lost'.
// Envelopes wait in an EnvelopeOutbox, which refuses one over the peer's frame limit (announced in
// the peer's hello) at the sender, and sends the others in frames under that limit.
// Data-plane frames (first byte DATA_FRAME_MARKER) share the connection but skip the envelopes:
// they go whole to the host's data handler.
// Imports the core's refs and behaviours, the codec and the connection; nothing from api/.

import type { Cancel, Clock } from '../../api/time/clock.ts';
import { ActorRef, AskTimeoutError } from '../core/actor-ref.ts';
import { deliverNotice } from '../core/cell-context.ts';
import type { DeadLetterReason } from '../core/dead-letters.ts';
import { defineActor, type ActorTerminated } from '../core/define-actor.ts';
import { MailboxOverflowError, type Asker } from '../core/mailbox.ts';
import { assertEncodable, decode, registerMessageTypes } from '../network/codec.ts';
import type { Connection } from '../network/connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../network/frame-decoder.ts';
import { EnvelopeOutbox, MessageTooLargeError } from './envelope-outbox.ts';

export { MessageTooLargeError } from './envelope-outbox.ts';
import { parsePath, qualifiedPath } from './remote-address.ts';


/**
 * First byte of a data-plane frame (channel batches, events, credits). 0xc1 is the one byte
 * msgpack never uses, so it cannot start an envelope frame; such frames go to the host's data
 * handler whole, without being decoded here.
 */
export const DATA_FRAME_MARKER = 0xc1;

/** Envelope tags: the first element of each envelope (a frame is an array of envelopes). */
const HELLO = 0, TELL = 1, ASK = 2, REPLY = 3, FAIL = 4, WATCH = 5, UNWATCH = 6, TERMINATED = 7;

/** The messages of the per-connection watch proxy. */
export type RemoteWatchMessage =
  | { readonly type: 'remote.watch'; readonly ref: ActorRef }
  | { readonly type: 'remote.unwatch'; readonly ref: ActorRef };

registerMessageTypes('actor.remote', ['remote.watch', 'remote.unwatch']);

/** What an endpoint needs from its system. */
export interface RemoteHost {
  readonly name: string;
  readonly clock: Clock;
  /** This system's address (`name@host:port`). */
  readonly address: string;
  /** Resolves any path (local or qualified) to a ref. */
  resolve(path: string): ActorRef;
  /** Starts a top-level actor. */
  spawn(behavior: ReturnType<typeof defineActor<null, unknown>>, name: string): ActorRef;
  /** Stops a top-level actor. */
  stop(ref: ActorRef): Promise<void>;
  /** Records a message that could not be delivered. */
  deadLetter(message: unknown, recipient: string, reason: DeadLetterReason): void;
  /** Takes a data-plane frame from `peer` (throws on a malformed one: the connection then closes). */
  dataFrame?(peer: string, frame: Uint8Array): void;
}

interface PendingAsk { readonly resolve: (v: unknown) => void; readonly reject: (e: unknown) => void; readonly cancel: Cancel }

/** An error raised by the remote actor (or its system) in answer to an ask. */
export class RemoteAskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

let proxies = 0;

/** The traffic of one connection to one peer system. */
export class RemoteEndpoint {
  /** The peer's address, known once its hello arrived. */
  peer: string | undefined;
  private connection: Connection | undefined;
  private nextAskId = 1;
  private readonly asks = new Map<number, PendingAsk>();
  /** Our watchers of the peer's actors, by the actor's suffix (`/user/a`). */
  private readonly watchers = new Map<string, Set<ActorRef>>();
  private proxy: ActorRef | undefined;
  private closed = false;
  private attached = false;
  private readonly outbox = new EnvelopeOutbox((header, body, envelopes) => {
    if (this.closed || !this.connection?.isOpen) this.lost(envelopes);
    else this.connection.sendParts(header, body);
  });
  private readonly flushTask = (): void => this.flush();
  private readyResolve!: (peer: string) => void;
  private readyReject!: (error: Error) => void;
  /** Resolves with the peer's address once its hello arrived. */
  readonly ready: Promise<string>;
  private readonly resolveRef = (path: string): ActorRef => {
    const parsed = parsePath(path);
    // The peer writes its own refs in local form (ours arrive qualified): qualify them with its address.
    if (parsed && parsed.address === undefined && this.peer !== undefined) {
      return this.host.resolve(qualifiedPath(this.peer, parsed.suffix));
    }
    return this.host.resolve(path);
  };

  constructor(
    private readonly host: RemoteHost,
    /** Whether this side dialed the connection. */
    readonly outbound: boolean,
    private readonly onPeer: (endpoint: RemoteEndpoint, peer: string) => void,
    private readonly onClosed: (endpoint: RemoteEndpoint, error?: Error) => void,
  ) {
    this.ready = new Promise((resolve, reject) => { this.readyResolve = resolve; this.readyReject = reject; });
    this.ready.catch(() => {});
  }

  /**
   * Binds the authenticated connection. The accepting side announces itself first and the dialing
   * side answers only after that hello, so the acceptor never gets a frame before it is ready.
   */
  attach(connection: Connection): void {
    if (this.attached) return;
    this.attached = true;
    this.connection = connection;
    if (!this.outbound && connection.isOpen) this.sayHello();
  }

  /** Whether the connection is still up. */
  get isOpen(): boolean { return !this.closed; }

  /** Sends a message to the actor at `suffix` on the peer; throws MessageTooLargeError for one over the peer's frame limit. */
  tell(suffix: string, message: unknown): void {
    assertEncodable(message);
    this.write([TELL, suffix, message], this.pathOf(suffix), message);
  }

  /** Asks the actor at `suffix` on the peer; the reply comes back over this connection. */
  ask(path: string, suffix: string, message: unknown, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextAskId++;
      const cancel = this.host.clock.schedule(timeoutMs, () => {
        if (this.asks.delete(id)) reject(new AskTimeoutError(path, timeoutMs, message));
      });
      this.asks.set(id, { resolve, reject, cancel });
      try {
        assertEncodable(message);
        // The timeout travels along, so that an actor forwarding the ask can pass on the time left.
        this.write([ASK, suffix, message, id, timeoutMs], path, message);
      } catch (error) {
        this.asks.delete(id);
        cancel();
        reject(error);
      }
    });
  }

  /**
   * Sends one data-plane frame, `head` (starting with DATA_FRAME_MARKER) then `body`, after any
   * queued envelopes, so that it keeps its order with the messages sent before it.
   */
  sendData(head: Uint8Array, body: Uint8Array): void {
    if (this.closed || !this.connection?.isOpen) throw new Error(`connection to ${this.peer ?? 'peer'} is closed`);
    this.flush();
    this.connection.sendParts(head, body);
  }

  /** Starts watching the peer's actor at `suffix` on behalf of `watcher`. */
  watch(suffix: string, watcher: ActorRef): void {
    let set = this.watchers.get(suffix);
    if (!set) {
      set = new Set();
      this.watchers.set(suffix, set);
      this.write([WATCH, suffix]);
    }
    set.add(watcher);
  }

  /** Stops `watcher` watching the peer's actor at `suffix`. */
  unwatch(suffix: string, watcher: ActorRef): void {
    const set = this.watchers.get(suffix);
    if (!set || !set.delete(watcher) || set.size > 0) return;
    this.watchers.delete(suffix);
    if (!this.closed) this.write([UNWATCH, suffix]);
  }

  /** Handles one frame (a batch of envelopes); throws on a malformed one (the connection then closes). */
  receive(frame: Uint8Array, connection: Connection): void {
    this.connection ??= connection;
    if (frame.length > 0 && frame[0] === DATA_FRAME_MARKER) {
      if (this.peer === undefined) throw new Error('data frame before remote hello');
      if (!this.host.dataFrame) throw new Error(`data frame from ${this.peer}, but this system has no data plane`);
      this.host.dataFrame(this.peer, frame);
      return;
    }
    const batch = decode(frame, this.resolveRef);
    if (!Array.isArray(batch)) throw new Error('malformed remote frame');
    for (const envelope of batch) {
      if (this.closed) return;
      this.dispatch(envelope);
    }
  }

  private dispatch(envelope: unknown[]): void {
    if (!Array.isArray(envelope) || typeof envelope[0] !== 'number') throw new Error('malformed remote envelope');
    if (this.peer === undefined && envelope[0] !== HELLO) throw new Error('remote envelope before hello');
    switch (envelope[0]) {
      case HELLO: return this.onHello(envelope[1], envelope[2]);
      case TELL: return this.onTell(envelope[1], envelope[2]);
      case ASK: return this.onAsk(envelope[1], envelope[2], envelope[3], envelope[4]);
      case REPLY: return this.settle(envelope[1], true, envelope[2]);
      case FAIL: return this.settle(envelope[1], false, new RemoteAskError(String(envelope[2]), String(envelope[3])));
      case WATCH: this.watchProxy().tell({ type: 'remote.watch', ref: this.localRef(envelope[1]) }); return;
      case UNWATCH: this.proxy?.tell({ type: 'remote.unwatch', ref: this.localRef(envelope[1]) }); return;
      case TERMINATED: return this.onTerminated(envelope[1], envelope[2] as ActorTerminated['reason'], envelope[3]);
      default: throw new Error(`unknown remote envelope tag ${String(envelope[0])}`);
    }
  }

  /** Ends everything that depended on this connection. */
  closedBy(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    const reason = `connection to ${this.peer === undefined ? 'peer' : qualifiedPath(this.peer, '')} lost${error ? `: ${error.message}` : ''}`;
    this.readyReject(new Error(reason));
    this.dropOutbox();
    for (const ask of this.asks.values()) { ask.cancel(); ask.reject(new Error(reason)); }
    this.asks.clear();
    if (this.peer !== undefined) {
      for (const [suffix, set] of this.watchers) {
        const ref = this.host.resolve(qualifiedPath(this.peer, suffix));
        for (const watcher of set) deliverNotice(watcher, { type: 'actor.terminated', ref, reason: 'connection-lost', error: reason });
      }
    }
    this.watchers.clear();
    if (this.proxy) { void this.host.stop(this.proxy); this.proxy = undefined; }
    this.onClosed(this, error);
  }

  /** Closes the connection (the peer sees it as lost). */
  close(): void {
    if (!this.closed) this.flush();
    this.connection?.close();
    this.closedBy();
  }

  /**
   * Encodes an envelope and queues it; the queue goes out as one frame when the current task
   * yields (or when full), so that a burst of tells costs one socket write, not one each. An
   * envelope over the peer's frame limit throws MessageTooLargeError (naming `recipient` and
   * `message`) and is not queued.
   */
  private write(envelope: unknown[], recipient?: string, message?: unknown): void {
    if (this.closed || !this.connection) throw new Error(`connection to ${this.peer ?? 'peer'} is closed`);
    try {
      this.outbox.push(envelope, recipient ?? `the peer ${this.peer ?? ''}`.trim(), message ?? envelope[0]);
    } catch (error) {
      if (error instanceof MessageTooLargeError && recipient !== undefined) this.host.deadLetter(message, recipient, 'oversized');
      throw error;
    }
    if (this.outbox.size === 1) queueMicrotask(this.flushTask);
  }

  /** The hello goes out alone: the peer decodes a frame's refs before it reads the hello in it. */
  private sayHello(): void {
    this.write([HELLO, this.host.address, DEFAULT_MAX_FRAME_BYTES]);
    this.flush();
  }

  /** Sends the queued envelopes as one frame: a msgpack array header, then the envelopes as encoded. */
  private flush(): void {
    this.outbox.flush();
  }

  /** The connection is gone: queued tells and asks become dead letters (the asks also fail). */
  private dropOutbox(): void {
    this.lost(this.outbox.takeAll());
  }

  private lost(envelopes: unknown[][]): void {
    for (const envelope of envelopes) {
      if (envelope[0] === TELL || envelope[0] === ASK) this.host.deadLetter(envelope[2], this.pathOf(envelope[1] as string), 'connection-lost');
    }
  }

  /** The qualified path of the peer's actor at `suffix`. */
  private pathOf(suffix: string): string {
    return this.peer === undefined ? suffix : qualifiedPath(this.peer, suffix);
  }

  private localRef(suffix: unknown): ActorRef {
    if (typeof suffix !== 'string' || !suffix.startsWith('/')) throw new Error('malformed actor path in remote envelope');
    return this.host.resolve(`actorflow://${this.host.name}${suffix}`);
  }

  private onHello(address: unknown, maxFrameBytes: unknown): void {
    if (typeof address !== 'string' || !address.includes('@')) throw new Error('malformed remote hello');
    if (this.peer !== undefined) throw new Error('second remote hello');
    this.peer = address;
    // A peer that does not announce its frame limit uses the shared default.
    if (typeof maxFrameBytes === 'number' && Number.isInteger(maxFrameBytes) && maxFrameBytes >= 1024) this.outbox.maxFrameBytes = maxFrameBytes;
    if (this.outbound) this.sayHello();
    this.onPeer(this, address);
    this.readyResolve(address);
  }

  /** A tell from the peer; a full 'fail' mailbox refusing it has sent it to dead letters already. */
  private onTell(suffix: unknown, message: unknown): void {
    try {
      this.localRef(suffix).tell(message);
    } catch (error) {
      if (!(error instanceof MailboxOverflowError)) throw error;
    }
  }

  private onAsk(suffix: unknown, message: unknown, id: unknown, timeoutMs: unknown): void {
    const target = this.localRef(suffix);
    const asker: Asker = {
      resolve: (value) => this.answer(id, value),
      reject: (error) => this.fail(id, error),
      deadline: typeof timeoutMs === 'number' ? this.host.clock.now() + timeoutMs : undefined,
    };
    try {
      target.target.enqueue(message, asker);
    } catch (error) {
      asker.reject(error);
    }
  }

  private answer(id: unknown, value: unknown): void {
    if (this.closed) return;
    try {
      assertEncodable(value);
      this.write([REPLY, id, value], undefined, value);
    } catch (error) {
      this.fail(id, error);
    }
  }

  private fail(id: unknown, error: unknown): void {
    if (this.closed) return;
    const e = error as { name?: unknown; message?: unknown } | undefined;
    this.write([FAIL, id, typeof e?.name === 'string' ? e.name : 'Error', typeof e?.message === 'string' ? e.message : String(error)]);
  }

  private settle(id: unknown, ok: boolean, value: unknown): void {
    const ask = this.asks.get(id as number);
    if (!ask) return;
    this.asks.delete(id as number);
    ask.cancel();
    if (ok) ask.resolve(value); else ask.reject(value);
  }

  private onTerminated(suffix: unknown, reason: ActorTerminated['reason'], error: unknown): void {
    if (typeof suffix !== 'string') throw new Error('malformed remote termination');
    const set = this.watchers.get(suffix);
    if (!set) return;
    this.watchers.delete(suffix);
    const ref = this.host.resolve(qualifiedPath(this.peer!, suffix));
    const notice = { type: 'actor.terminated', ref, reason, ...(typeof error === 'string' ? { error } : {}) };
    for (const watcher of set) deliverNotice(watcher, notice);
  }

  /** The actor that watches our actors for the peer and reports their termination back. */
  private watchProxy(): ActorRef {
    if (this.proxy) return this.proxy;
    const behavior = defineActor<null, unknown>({
      init: () => null,
      receive: (_state, msg, ctx) => {
        const m = msg as RemoteWatchMessage | ActorTerminated;
        if (m.type === 'remote.watch') ctx.watch(m.ref);
        else if (m.type === 'remote.unwatch') ctx.unwatch(m.ref);
        else if (m.type === 'actor.terminated' && !this.closed) {
          this.write([TERMINATED, parsePath(m.ref.path)?.suffix ?? m.ref.path, m.reason, m.error]);
        }
      },
    });
    this.proxy = this.host.spawn(behavior, `$remote-watch-${++proxies}`);
    return this.proxy;
  }
}
