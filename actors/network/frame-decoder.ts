// Length-prefixed framing for TCP connections between processes: a 4-byte big-endian payload
// length, then the payload (one msgpack message or one batch). The decoder is incremental
// (chunks split anywhere) and bounded: each length prefix is checked against the limit as soon as
// its 4 bytes are in, before a byte of that payload is kept, so it never holds more than one
// frame's worth (at most the limit). The limit may change between frames: a connection reads its
// handshake under a limit of a few KB and raises it once the peer is authenticated. It throws only
// FrameError, so a connection can close itself on bad input and affect nothing else.
// Imports nothing.

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Default upper bound of one frame's payload on an authenticated connection. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Default upper bound of one frame's payload before authentication (handshake messages are under 100 bytes). */
export const DEFAULT_HANDSHAKE_MAX_FRAME_BYTES = 4096;

const EMPTY = new Uint8Array(0);

/** A malformed or oversized frame: the connection that sent it must be closed. */
export class FrameError extends Error {
  constructor(message: string) { super(message); this.name = 'FrameError'; }
}

/** Prefixes `payload` with its length. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Splits a byte stream into frame payloads. */
export class FrameDecoder {
  /** The length prefix being read, when it arrived split across chunks. */
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** Received pieces of the payload being read. */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  /** Payload length of the frame being read, or -1 while its header is incomplete. */
  private expected = -1;

  /** Upper bound of a frame's payload; read afresh at every length prefix, so it may change between frames. */
  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received but not yet returned as frames (at most `maxFrameBytes`, or 3 of a split length prefix). */
  get pendingBytes(): number { return this.headerFill + this.partBytes; }

  /** True when the stream ended between frames (nothing half-read). */
  isClean(): boolean { return this.expected < 0 && this.headerFill === 0; }

  /** Feeds received bytes; returns every frame they complete, in order. Throws FrameError. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    this.feed(chunk, (frame) => { frames.push(frame); });
    return frames;
  }

  /**
   * Feeds received bytes and hands each frame to `onFrame` as soon as it is complete, before the
   * next length prefix is read: `onFrame` may change `maxFrameBytes` for the frames after it, or
   * return false to stop (the rest of the chunk is dropped). A frame may be a view into `chunk`.
   * Throws FrameError (and drops everything buffered) on a length over the limit.
   */
  feed(chunk: Uint8Array, onFrame: (frame: Uint8Array) => boolean | void): void {
    let at = 0;
    while (at < chunk.length || this.expected === 0) {
      if (this.expected < 0) {
        let length: number;
        if (this.headerFill === 0 && chunk.length - at >= FRAME_HEADER_BYTES) {
          length = readLength(chunk, at);
          at += FRAME_HEADER_BYTES;
        } else {
          const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - at);
          this.header.set(chunk.subarray(at, at + n), this.headerFill);
          this.headerFill += n;
          at += n;
          if (this.headerFill < FRAME_HEADER_BYTES) return;
          this.headerFill = 0;
          length = readLength(this.header, 0);
        }
        if (length > this.maxFrameBytes) {
          this.clear();
          throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`);
        }
        this.expected = length;
      }
      const need = this.expected - this.partBytes;
      const available = chunk.length - at;
      let frame: Uint8Array;
      if (this.partBytes === 0 && available >= need) {
        // The common case: the whole payload sits in this chunk, handed on without a copy.
        frame = need === 0 ? EMPTY : chunk.subarray(at, at + need);
        at += need;
      } else {
        const n = Math.min(need, available);
        const piece = chunk.subarray(at, at + n);
        at += n;
        if (n < need) { this.keep(piece); return; }
        this.parts.push(piece);
        frame = this.join();
      }
      this.expected = -1;
      if (onFrame(frame) === false) return;
    }
  }

  /** Drops whatever is buffered (the connection is closing, or the stream was bad). */
  clear(): void {
    this.parts = [];
    this.partBytes = 0;
    this.headerFill = 0;
    this.expected = -1;
  }

  /**
   * Keeps a piece of a payload until more arrives. A piece of a received buffer larger than the
   * limit is copied, so that what is held stays within the limit (before authentication, a view
   * of a few bytes would pin a whole 64 KiB read); under a large limit views cost nothing extra.
   */
  private keep(piece: Uint8Array): void {
    this.parts.push(piece.buffer.byteLength > this.maxFrameBytes ? piece.slice() : piece);
    this.partBytes += piece.byteLength;
  }

  /** The kept pieces as one payload (a view when there is just one). */
  private join(): Uint8Array {
    const parts = this.parts;
    this.parts = [];
    this.partBytes = 0;
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(this.expected);
    let filled = 0;
    for (const p of parts) { out.set(p, filled); filled += p.length; }
    return out;
  }
}

/** The big-endian length at `at`. */
function readLength(bytes: Uint8Array, at: number): number {
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}
