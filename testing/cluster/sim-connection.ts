// The connection model of the simulated network: hosts with their listening ports, and TCP
// connections as two ordered byte pipes with an end (a ByteStream) on each host. A write becomes a
// chunk on the writer's pipe; the network (simulated-transport.ts) delivers chunks in order after
// their latencies and tells an end when its connection closed or reset. Imports the ByteStream
// contract only.
import type { ByteStream } from '../../actors/network/transport.ts';

/** A network error with the code node:net would give it. */
export function netError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/** Bytes written (undefined: the writer closed), due at the peer at virtual time `due`. */
export interface Chunk { readonly bytes: Uint8Array | undefined; readonly due: number }

/** A simulated machine: its listeners, its next free port, and the faults on it now. */
export interface SimHost {
  readonly name: string;
  readonly listeners: Map<number, SimListener>;
  nextPort: number;
  pausedUntil: number;
  down: boolean;
  extraLatencyMs: number;
}

/** A listening port. */
export interface SimListener { readonly port: number; readonly onConnection: (stream: ByteStream) => void; open: boolean }

/** What an end of a connection needs of its network. */
export interface ConnectionNetwork {
  /** Queues `bytes` (undefined: the writer closed) on `pipe`. */
  enqueue(pipe: Pipe, bytes: Uint8Array | undefined): void;
  /** Forgets a stream that closed. */
  closed(stream: SimStream): void;
}

/** A small seeded PRNG (mulberry32): a connection's own latency draws. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One direction of a connection: ordered chunks towards `to`. */
export class Pipe {
  readonly queue: Chunk[] = [];
  lastDue = 0;
  /** A write of this pipe was lost: nothing written after it arrives (its connection resets). */
  lost = false;
  /** Delivery order among pipes due at the same instant. */
  readonly order: number;
  constructor(readonly from: SimStream, readonly to: SimStream, readonly random: () => number, direction: 0 | 1) {
    this.order = from.connectionId * 2 + direction;
  }
}

/** One end of a simulated connection. */
export class SimStream implements ByteStream {
  destroyed = false;
  out!: Pipe;
  peer!: SimStream;
  private dataListener: ((chunk: Uint8Array) => void) | undefined;
  /** Bytes that arrived while nobody read (a socket's receive buffer), handed over a microtask after a reader appears. */
  private backlog: Uint8Array[] = [];
  private readonly closeListeners: Array<(error?: Error) => void> = [];
  private closeReported = false;

  constructor(readonly net: ConnectionNetwork, readonly connectionId: number, readonly host: SimHost, readonly remoteAddress: string) {}

  write(bytes: Uint8Array): boolean {
    if (this.destroyed) return false;
    this.net.enqueue(this.out, bytes);
    return true;
  }

  end(): void { this.close(); }

  destroy(): void { this.close(); }

  onData(listener: ((chunk: Uint8Array) => void) | undefined): void {
    this.dataListener = listener;
    if (listener && this.backlog.length > 0) {
      // Not from within the call: the reader is still being set up (a socket's data event waits a turn too).
      queueMicrotask(() => {
        const held = this.backlog;
        this.backlog = [];
        for (const bytes of held) this.receive(bytes);
      });
    }
  }

  onClose(listener: (error?: Error) => void): void { this.closeListeners.push(listener); }

  /** Closes this end; the peer sees the close after the bytes already written. */
  private close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.net.enqueue(this.out, undefined);
    this.net.closed(this);
    this.reportClose();
  }

  /** Bytes arrived. */
  receive(bytes: Uint8Array): void {
    if (this.destroyed) return;
    if (this.dataListener && this.backlog.length === 0) this.dataListener(bytes);
    else this.backlog.push(bytes);
  }

  /** The connection ended under this end (the peer closed, or it was reset with `error`). */
  terminate(error?: Error): void {
    if (this.destroyed && this.closeReported) return;
    this.destroyed = true;
    this.net.closed(this);
    this.reportClose(error);
  }

  private reportClose(error?: Error): void {
    if (this.closeReported) return;
    this.closeReported = true;
    for (const listener of this.closeListeners) listener(error);
  }
}
