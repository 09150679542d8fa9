// Authenticated, framed TCP connections between actorflow processes. A connection first runs
// the shared-secret handshake, then carries length-prefixed frames in both directions. A
// malformed, oversized or unauthenticated frame closes that one connection (and is reported
// through `onError`); listeners and other connections are unaffected. Payloads are opaque
// bytes here: the codec turns them into messages one layer up. Imports node:net only.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameError, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from './frame-decoder.ts';
import { ClientHandshake, HandshakeError, ServerHandshake } from './handshake.ts';

/** Settings shared by both ends. */
export interface ConnectionOptions {
  /** The cluster secret; both ends must hold the same one. */
  secret: string;
  maxFrameBytes?: number;
  /** Milliseconds the handshake may take before the connection is dropped. */
  handshakeTimeoutMs?: number;
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
  /** Captured at once: a destroyed socket no longer knows its peer. */
  private readonly peer: string;

  constructor(private readonly socket: Socket, private readonly handler: ConnectionHandler, maxFrameBytes: number) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Uint8Array) => this.receive(chunk));
    socket.on('error', (e) => this.close(e));
    socket.on('close', () => this.close());
  }

  /** The peer's address, for logs. */
  get remote(): string { return this.peer; }

  /** True until closed. */
  get isOpen(): boolean { return !this.closed; }

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

  /** Closes the connection; `error` says why (reported to the handler once). */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handler.onClose?.(this, error);
  }

  /**
   * Runs the handshake: resolves when authenticated, rejects (and closes) otherwise.
   * `onAuthenticated` runs synchronously on success, before any later frame of the same chunk.
   */
  authenticate(
    step: (frame: Uint8Array | undefined, send: (m: Uint8Array) => void) => boolean, timeoutMs: number,
    onAuthenticated?: () => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { const e = new HandshakeError('handshake timed out'); this.close(e); reject(e); }, timeoutMs);
      const send = (m: Uint8Array) => { this.socket.write(encodeFrame(m)); };
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.onHandshakeFrame = undefined;
        if (error) { this.close(error); reject(error); return; }
        this.authenticated = true;
        try { onAuthenticated?.(); } catch (e) { this.close(e as Error); reject(e); return; }
        resolve();
      };
      this.onHandshakeFrame = (frame) => {
        try { if (step(frame, send)) finish(); } catch (e) { finish(e as Error); }
      };
      this.socket.once('close', () => finish(new HandshakeError('connection closed during handshake')));
      try { if (step(undefined, send)) finish(); } catch (e) { finish(e as Error); }
    });
  }

  private receive(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.close(e as FrameError);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      if (!this.authenticated) {
        if (!this.onHandshakeFrame) { this.close(new HandshakeError('unexpected frame before authentication')); return; }
        this.onHandshakeFrame(frame);
        continue;
      }
      try {
        this.handler.onFrame(frame, this);
      } catch (e) {
        // A frame the layer above cannot decode is malformed input from this peer only.
        this.close(e as Error);
        return;
      }
    }
  }
}

/** Accepts authenticated connections. */
export class ConnectionListener {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  private constructor(server: Server) { this.server = server; }

  /** Listens on `host:port` (port 0 picks a free one). */
  static async listen(
    host: string, port: number, options: ConnectionOptions,
    onConnection: (connection: Connection) => ConnectionHandler,
    onError: (error: Error, remote: string) => void = () => {},
  ): Promise<ConnectionListener> {
    let listener!: ConnectionListener;
    const server = createServer((socket) => {
      let handler: ConnectionHandler | undefined;
      const connection = new Connection(socket, {
        onFrame: (f, c) => handler!.onFrame(f, c),
        onClose: (c, e) => {
          listener.connections.delete(c);
          if (e) onError(e, c.remote);
          handler?.onClose?.(c, e);
        },
      }, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
      listener.connections.add(connection);
      const handshake = new ServerHandshake(options.secret);
      let challenged = false;
      connection.authenticate((frame, send) => {
        if (!challenged) { challenged = true; send(handshake.challenge()); return false; }
        send(handshake.verify(frame!));
        return true;
      }, options.handshakeTimeoutMs ?? 10_000, () => { handler = onConnection(connection); }).catch(() => { /* reported through onError */ });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    listener = new ConnectionListener(server);
    return listener;
  }

  /** The bound port. */
  get port(): number { return (this.server.address() as { port: number }).port; }

  /** Open connections. */
  get size(): number { return this.connections.size; }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Connects and authenticates to a listener. */
export async function connect(host: string, port: number, options: ConnectionOptions, handler: ConnectionHandler): Promise<Connection> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host, port }, () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
  const connection = new Connection(socket, handler, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const handshake = new ClientHandshake(options.secret);
  let answered = false;
  await connection.authenticate((frame, send) => {
    if (!frame) return false;
    if (!answered) { answered = true; send(handshake.respond(frame)); return false; }
    handshake.confirm(frame);
    return true;
  }, options.handshakeTimeoutMs ?? 10_000);
  return connection;
}
