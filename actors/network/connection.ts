// Authenticated, framed TCP connections between actorflow processes. A connection first runs
// the shared-secret handshake, then carries length-prefixed frames in both directions. A
// malformed, oversized or unauthenticated frame closes that one connection (and is reported
// through `onError`); listeners and other connections are unaffected. Payloads are opaque
// bytes here: the codec turns them into messages one layer up.
//
// What an unauthenticated peer can cost is bounded: before the handshake completes a frame may
// carry a few KB (checked at its length prefix, before any payload is kept), the handshake must
// finish within a timeout, and a listener holds at most `maxUnauthenticatedConnections` such
// connections at once (more are closed as they arrive). After the handshake, a frame whose bytes
// stop arriving midway closes its connection after `frameStallTimeoutMs`; idle time between
// frames is not limited. Timeouts run on an injected Clock. A closed connection drops its
// buffers, timers and socket listeners at once. Connections turned away before authenticating
// are logged, at most one line per reason per REJECT_LOG_INTERVAL_MS (a flood stays one line).
// Sockets come from a Network (transport.ts): node:net by default, a simulated one in simulations.
// Imports the transport seam, the frame decoder, the handshake, the clock and the logger.
import { nodeNetwork, type ByteStream, type Network, type StreamListener } from './transport.ts';
import { systemClock, type Cancel, type Clock } from '../../api/time/clock.ts';
import {
  encodeFrame, FrameDecoder, FrameError, DEFAULT_HANDSHAKE_MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES,
} from './frame-decoder.ts';
import { ClientHandshake, HANDSHAKE_MAX_MESSAGE_BYTES, HandshakeError, ServerHandshake } from './handshake.ts';
import { errorFields, logger, RateLimitedLog } from '../observability/logger.ts';

/** Default time a handshake may take. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default time a started frame may wait for its next bytes. */
export const DEFAULT_FRAME_STALL_TIMEOUT_MS = 30_000;

/** Limits and timeouts of connections; every field has a default. */
export interface ConnectionLimits {
  /** Upper bound of a frame's payload once authenticated (default 64 MiB). */
  maxFrameBytes?: number;
  /** Upper bound of a frame's payload before authentication (default 4 KiB). */
  handshakeMaxFrameBytes?: number;
  /** Milliseconds the handshake may take before the connection is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Milliseconds a started frame may wait for more bytes before the connection is dropped (default 30 s). */
  frameStallTimeoutMs?: number;
  /** Connections of a listener still in their handshake at once, at most (default 64); more are closed at once. */
  maxUnauthenticatedConnections?: number;
  /** Time for the timeouts (default the wall clock). */
  clock?: Clock;
}

/** Settings shared by both ends. */
export interface ConnectionOptions extends ConnectionLimits {
  /** The cluster secret; both ends must hold the same one. */
  secret: string;
  /** Where sockets and handshake nonces come from (default node:net and node:crypto). */
  network?: Network;
}

/** Default of `maxUnauthenticatedConnections`. */
export const DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 64;
/** A listener logs at most one rejected connection per reason in this period, with the count of the others. */
export const REJECT_LOG_INTERVAL_MS = 10_000;

type Resolved = Required<Omit<ConnectionLimits, 'maxUnauthenticatedConnections'>>;

function resolveLimits(options: ConnectionLimits): Resolved {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const handshakeMaxFrameBytes = Math.min(options.handshakeMaxFrameBytes ?? DEFAULT_HANDSHAKE_MAX_FRAME_BYTES, maxFrameBytes);
  if (!(handshakeMaxFrameBytes >= HANDSHAKE_MAX_MESSAGE_BYTES)) {
    throw new Error(`frame limits must admit the handshake's ${HANDSHAKE_MAX_MESSAGE_BYTES}-byte messages, got ${handshakeMaxFrameBytes}`);
  }
  return {
    maxFrameBytes,
    handshakeMaxFrameBytes,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    frameStallTimeoutMs: options.frameStallTimeoutMs ?? DEFAULT_FRAME_STALL_TIMEOUT_MS,
    clock: options.clock ?? systemClock,
  };
}

/** Callbacks of one connection. */
export interface ConnectionHandler {
  onFrame(payload: Uint8Array, connection: Connection): void;
  onClose?(connection: Connection, error?: Error): void;
}

/** One authenticated TCP connection. */
export class Connection {
  private readonly decoder: FrameDecoder;
  private closed = false;
  /** Set once the handshake succeeded; frames before that are handshake messages. */
  private authenticated = false;
  private onHandshakeFrame: ((frame: Uint8Array) => void) | undefined;
  /** Fails the handshake in progress (set while one runs). */
  private failHandshake: ((error: Error) => void) | undefined;
  /** Captured at once: a destroyed socket no longer knows its peer. */
  private readonly peer: string;
  private readonly clock: Clock;
  private readonly stallTimeoutMs: number;
  /** Clock time of the last bytes received, for the stall timeout. */
  private lastReadAt = 0;
  private stallTimer: Cancel | undefined;
  private readonly onData = (chunk: Uint8Array): void => this.receive(chunk);
  private readonly deliver = (frame: Uint8Array): boolean => this.frame(frame);

  constructor(private readonly socket: ByteStream, private readonly handler: ConnectionHandler, private readonly limits: Resolved) {
    this.decoder = new FrameDecoder(limits.handshakeMaxFrameBytes);
    this.clock = limits.clock;
    this.stallTimeoutMs = limits.frameStallTimeoutMs;
    this.peer = socket.remoteAddress;
    socket.onData(this.onData);
    socket.onClose((e) => this.close(e));
  }

  /** The peer's address, for logs. */
  get remote(): string { return this.peer; }

  /** True until closed. */
  get isOpen(): boolean { return !this.closed; }

  /** Whether the handshake succeeded. */
  get isAuthenticated(): boolean { return this.authenticated; }

  /** Received bytes held until their frame is complete. */
  get bufferedBytes(): number { return this.decoder.pendingBytes; }

  /** Sends one frame; returns false when the socket buffer is full (write-side backpressure). */
  send(payload: Uint8Array): boolean {
    if (this.closed) throw new Error(`connection to ${this.remote} is closed`);
    if (!this.authenticated) throw new Error('connection not authenticated yet');
    return this.socket.write(encodeFrame(payload));
  }

  /**
   * Sends one frame whose payload is `head` followed by `body`, each copied once into the frame
   * (a data-plane header and an encoded batch need no joined copy of their own).
   */
  sendParts(head: Uint8Array, body: Uint8Array): boolean {
    if (this.closed) throw new Error(`connection to ${this.remote} is closed`);
    if (!this.authenticated) throw new Error('connection not authenticated yet');
    const frame = new Uint8Array(FRAME_HEADER_BYTES + head.length + body.length);
    new DataView(frame.buffer).setUint32(0, head.length + body.length);
    frame.set(head, FRAME_HEADER_BYTES);
    frame.set(body, FRAME_HEADER_BYTES + head.length);
    return this.socket.write(frame);
  }

  /** Closes the connection; `error` says why (reported to the handler once). Drops every buffer and timer. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.clear();
    this.stallTimer?.();
    this.stallTimer = undefined;
    this.socket.onData(undefined);
    this.socket.destroy();
    this.failHandshake?.(error ?? new HandshakeError('connection closed during handshake'));
    this.handler.onClose?.(this, error);
  }

  /**
   * Runs the handshake: resolves when authenticated, rejects (and closes) otherwise.
   * `onAuthenticated` runs synchronously on success, before any later frame of the same chunk.
   */
  authenticate(
    step: (frame: Uint8Array | undefined, send: (m: Uint8Array) => void) => boolean, onAuthenticated?: () => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancelTimer = this.clock.schedule(this.limits.handshakeTimeoutMs, () => finish(new HandshakeError('handshake timed out')));
      const send = (m: Uint8Array) => { this.socket.write(encodeFrame(m)); };
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        cancelTimer();
        this.onHandshakeFrame = undefined;
        this.failHandshake = undefined;
        if (error) { this.close(error); reject(error); return; }
        this.authenticated = true;
        // Read before the next length prefix of the same chunk: the frames after the handshake may be large.
        this.decoder.maxFrameBytes = this.limits.maxFrameBytes;
        try { onAuthenticated?.(); } catch (e) { this.close(e as Error); reject(e); return; }
        resolve();
      };
      if (this.closed) { finish(new HandshakeError('connection closed during handshake')); return; }
      this.failHandshake = finish;
      this.onHandshakeFrame = (frame) => {
        try { if (step(frame, send)) finish(); } catch (e) { finish(e as Error); }
      };
      try { if (step(undefined, send)) finish(); } catch (e) { finish(e as Error); }
    });
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.lastReadAt = this.clock.now();
    try {
      this.decoder.feed(chunk, this.deliver);
    } catch (e) {
      this.close(e as FrameError);
      return;
    }
    if (!this.closed && !this.decoder.isClean() && this.stallTimer === undefined) {
      this.stallTimer = this.clock.schedule(this.stallTimeoutMs, this.checkStall);
    }
  }

  /** Handles one complete frame; false stops the decoding of the chunk (the connection closed). */
  private frame(frame: Uint8Array): boolean {
    if (this.closed) return false;
    if (!this.authenticated) {
      if (!this.onHandshakeFrame) { this.close(new HandshakeError('unexpected frame before authentication')); return false; }
      this.onHandshakeFrame(frame);
      return !this.closed;
    }
    try {
      this.handler.onFrame(frame, this);
    } catch (e) {
      // A frame the layer above cannot decode is malformed input from this peer only.
      this.close(e as Error);
      return false;
    }
    return !this.closed;
  }

  /**
   * Runs `frameStallTimeoutMs` after a chunk left a frame incomplete: re-arms while bytes keep
   * coming. A timeout is confirmed one turn later, so that after a long block of the event loop
   * (timers run before the bytes already waiting in the socket are read) a busy peer is not taken
   * for a stalled one.
   */
  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.closed || this.decoder.isClean()) return;
    const idle = this.clock.now() - this.lastReadAt;
    if (idle < this.stallTimeoutMs) { this.stallTimer = this.clock.schedule(this.stallTimeoutMs - idle, this.checkStall); return; }
    const seen = this.lastReadAt;
    this.stallTimer = this.clock.schedule(0, () => {
      this.stallTimer = undefined;
      if (this.closed || this.decoder.isClean()) return;
      if (this.lastReadAt !== seen) { this.checkStall(); return; }
      this.close(new FrameError(`a frame stalled: no bytes of it for ${this.stallTimeoutMs} ms (${this.decoder.pendingBytes} bytes received)`));
    });
  };
}

/** Why a listener turned a connection away, for its rejection log. */
export type RejectReason = 'over-capacity' | 'handshake-failed';

/** Accepts authenticated connections. */
export class ConnectionListener {
  private readonly connections = new Set<Connection>();
  /** Connections whose handshake has not completed yet (a subset of `connections`). */
  private readonly unauthenticated = new Set<Connection>();
  private rejected = 0;
  private closing = false;
  private readonly log = logger('connection-listener');
  private readonly rejectLog: RateLimitedLog;
  /** Kept: a closed server no longer knows its address. */
  private readonly boundPort: number;

  private constructor(
    private readonly server: StreamListener,
    private readonly options: ConnectionOptions,
    private readonly limits: Resolved,
    private readonly maxUnauthenticated: number,
    private readonly onConnection: (connection: Connection) => ConnectionHandler,
    private readonly onError: (error: Error, remote: string, authenticated: boolean) => void,
    private readonly onReject: (reason: RejectReason, remote: string, error: Error) => void,
  ) {
    this.boundPort = server.port;
    this.rejectLog = new RateLimitedLog(REJECT_LOG_INTERVAL_MS, () => limits.clock.now());
  }

  /**
   * Listens on `host:port` (port 0 picks a free one). `onError` hears why each connection closed
   * with an error; `onReject` hears of each connection turned away before it authenticated (over
   * capacity, or a failed or timed-out handshake, or a bad frame before it), which the listener
   * also logs itself, rate-limited.
   */
  static async listen(
    host: string, port: number, options: ConnectionOptions,
    onConnection: (connection: Connection) => ConnectionHandler,
    onError: (error: Error, remote: string, authenticated: boolean) => void = () => {},
    onReject: (reason: RejectReason, remote: string, error: Error) => void = () => {},
  ): Promise<ConnectionListener> {
    const maxUnauthenticated = options.maxUnauthenticatedConnections ?? DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS;
    if (!(maxUnauthenticated >= 1)) throw new Error(`maxUnauthenticatedConnections must be at least 1, got ${maxUnauthenticated}`);
    const limits = resolveLimits(options);
    let listener: ConnectionListener | undefined;
    // Streams accepted before the listener exists (none on node:net, whose events wait a turn) wait for it.
    const early: ByteStream[] = [];
    const server = await (options.network ?? nodeNetwork).listen(host, port, (stream) => {
      if (listener) listener.accept(stream); else early.push(stream);
    });
    listener = new ConnectionListener(server, options, limits, maxUnauthenticated, onConnection, onError, onReject);
    for (const stream of early) listener.accept(stream);
    return listener;
  }

  /** The bound port. */
  get port(): number { return this.boundPort; }

  /** Open connections (authenticated or not). */
  get size(): number { return this.connections.size; }

  /** Connections still in their handshake. */
  get pendingHandshakes(): number { return this.unauthenticated.size; }

  /** Received bytes that all connections hold until their frames are complete. */
  get bufferedBytes(): number {
    let total = 0;
    for (const c of this.connections) total += c.bufferedBytes;
    return total;
  }

  /** Connections turned away so far: over capacity, or failing their handshake. */
  get rejectedConnections(): number { return this.rejected; }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = this.server.close();
    for (const c of [...this.connections]) c.close();
    await closed;
  }

  private accept(socket: ByteStream): void {
    if (this.closing) { socket.destroy(); return; }
    if (this.unauthenticated.size >= this.maxUnauthenticated) {
      const remote = socket.remoteAddress;
      // Nothing is read from it: the bytes it sent are dropped with it.
      socket.destroy();
      this.reject('over-capacity', remote, new Error(`${this.maxUnauthenticated} connections are already in their handshake`));
      return;
    }
    let handler: ConnectionHandler | undefined;
    const connection = new Connection(socket, {
      onFrame: (f, c) => handler!.onFrame(f, c),
      onClose: (c, e) => {
        this.connections.delete(c);
        this.unauthenticated.delete(c);
        if (e) this.onError(e, c.remote, c.isAuthenticated);
        handler?.onClose?.(c, e);
      },
    }, this.limits);
    this.connections.add(connection);
    this.unauthenticated.add(connection);
    const handshake = new ServerHandshake(this.options.secret, (this.options.network ?? nodeNetwork).randomBytes);
    let challenged = false;
    connection.authenticate((frame, send) => {
      if (!challenged) { challenged = true; send(handshake.challenge()); return false; }
      send(handshake.verify(frame!));
      return true;
    }, () => {
      this.unauthenticated.delete(connection);
      handler = this.onConnection(connection);
    }).catch((error: Error) => { if (!this.closing) this.reject('handshake-failed', connection.remote, error); });
  }

  private reject(reason: RejectReason, remote: string, error: Error): void {
    this.rejected++;
    this.rejectLog.attempt(reason, (suppressed) => this.log.warn(
      reason === 'over-capacity' ? `refused a connection from ${remote}: ${error.message}` : `closed an unauthenticated connection from ${remote}: ${error.message}`,
      { port: this.port, remote, reason, suppressed, ...errorFields(error) }));
    this.onReject(reason, remote, error);
  }
}

/** Connects and authenticates to a listener. */
export async function connect(host: string, port: number, options: ConnectionOptions, handler: ConnectionHandler): Promise<Connection> {
  const network = options.network ?? nodeNetwork;
  const socket = await network.dial(host, port);
  if (socket.destroyed) throw new HandshakeError(`connection to ${host}:${port} closed before the handshake`);
  const connection = new Connection(socket, handler, resolveLimits(options));
  const handshake = new ClientHandshake(options.secret, network.randomBytes);
  let answered = false;
  await connection.authenticate((frame, send) => {
    if (!frame) return false;
    if (!answered) { answered = true; send(handshake.respond(frame)); return false; }
    handshake.confirm(frame);
    return true;
  });
  return connection;
}
