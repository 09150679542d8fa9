// Length-prefixed framing for TCP connections between processes: a 4-byte big-endian payload
// length, then the payload (one msgpack message or one batch). The decoder is incremental
// (chunks split anywhere), bounded (an oversized length is an error before any buffering), and
// throws only FrameError, so a connection can close itself on bad input and affect nothing else.
// Imports nothing.

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Default upper bound of one frame's payload. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

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
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Payload length of the frame being read, or -1 while its header is incomplete. */
  private expected = -1;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Bytes received but not yet returned as frames. */
  get pendingBytes(): number { return this.buffered; }

  /** Feeds received bytes; returns every frame they complete, in order. Throws FrameError. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length) { this.chunks.push(chunk); this.buffered += chunk.length; }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const header = this.take(FRAME_HEADER_BYTES);
        const length = new DataView(header.buffer, header.byteOffset, FRAME_HEADER_BYTES).getUint32(0);
        if (length > this.maxFrameBytes) {
          throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes} bytes`);
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  /** True when the stream ended between frames (nothing half-read). */
  isClean(): boolean { return this.buffered === 0 && this.expected < 0; }

  /** Removes and returns the next `n` buffered bytes (a view when they sit in one chunk). */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const want = Math.min(n - filled, c.length);
      out.set(c.subarray(0, want), filled);
      filled += want;
      if (want === c.length) this.chunks.shift(); else this.chunks[0] = c.subarray(want);
    }
    this.buffered -= n;
    return out;
  }
}
