// Network: what connections need of the machine's network, and nothing more: listen on a port,
// dial one, and a duplex byte stream (write, end, destroy; data and close events). The real one,
// `nodeNetwork`, wraps node:net exactly as connections used it directly; a simulation supplies
// its own (in-memory hosts, virtual time, injected faults). It also supplies the entropy of the
// handshake's nonces, so that a simulated run is replayable. Imports node:net and node:crypto.
import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect, type Socket } from 'node:net';

/** One end of an established byte stream (a TCP connection). */
export interface ByteStream {
  /** `host:port` of the peer, for logs (captured at connect time). */
  readonly remoteAddress: string;
  /** True once the stream was destroyed or closed. */
  readonly destroyed: boolean;
  /** Queues bytes for the peer; false when the send buffer is full (write-side backpressure). */
  write(bytes: Uint8Array): boolean;
  /** Sends what is queued, then closes the sending side. */
  end(): void;
  /** Closes at once; queued bytes may be lost. */
  destroy(): void;
  /** Sets (or clears, with undefined) the receiver of incoming bytes. */
  onData(listener: ((chunk: Uint8Array) => void) | undefined): void;
  /** Called once when the stream closed, with the error that closed it, if any (may also follow an error). */
  onClose(listener: (error?: Error) => void): void;
}

/** A bound listening port. */
export interface StreamListener {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting; established streams stay open. */
  close(): Promise<void>;
}

/** Listening, dialing, and the entropy of handshakes. */
export interface Network {
  /** Listens on `host:port` (0 picks a free port); `onConnection` gets each accepted stream. */
  listen(host: string, port: number, onConnection: (stream: ByteStream) => void): Promise<StreamListener>;
  /** Opens a stream to `host:port`; rejects when it cannot be established. */
  dial(host: string, port: number): Promise<ByteStream>;
  /** `n` random bytes (handshake nonces, placeholder addresses). */
  randomBytes(n: number): Uint8Array;
}

/** A node:net socket as a ByteStream. */
class SocketStream implements ByteStream {
  readonly remoteAddress: string;
  private dataListener: ((chunk: Uint8Array) => void) | undefined;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
  }

  get destroyed(): boolean { return this.socket.destroyed; }
  write(bytes: Uint8Array): boolean { return this.socket.write(bytes); }
  end(): void { this.socket.end(); }
  destroy(): void { this.socket.destroy(); }

  onData(listener: ((chunk: Uint8Array) => void) | undefined): void {
    if (this.dataListener) this.socket.off('data', this.dataListener);
    this.dataListener = listener;
    if (listener) this.socket.on('data', listener);
  }

  onClose(listener: (error?: Error) => void): void {
    // Stays after close: a destroyed socket may still report an error, which must not go unhandled.
    this.socket.on('error', (e) => listener(e));
    this.socket.once('close', () => listener());
  }
}

/** The machine's network through node:net. */
export const nodeNetwork: Network = {
  async listen(host, port, onConnection) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    const bound = (server.address() as { port: number }).port;
    server.on('connection', (socket) => {
      // A socket turned away at once may report errors before anyone listens for them.
      socket.on('error', () => {});
      onConnection(new SocketStream(socket));
    });
    return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
  async dial(host, port) {
    const socket = await new Promise<Socket>((resolve, reject) => {
      // The error listener stays until the connection has its own: a peer may reset the socket
      // right after it connected, before the connection exists.
      const s = netConnect({ host, port }, () => resolve(s));
      s.on('error', reject);
    });
    return new SocketStream(socket);
  },
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
