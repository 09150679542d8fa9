// EnvelopeOutbox: the envelopes a remote endpoint has encoded but not sent yet, and how they
// become frames. Each envelope is encoded when it is queued, so that one larger than the peer's
// frame limit is refused at once (MessageTooLargeError) instead of making the peer close the
// whole connection. Queued envelopes go out together as one frame — a msgpack array header, then
// the envelopes as encoded (self-contained: the codec shares no record structures) — when the
// queue is full, when the next one would pass the limit, or when the endpoint flushes.
// Imports the codec and the frame limit.

import { encode } from '../network/codec.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../network/frame-decoder.ts';

/** Envelopes per frame at most: bounds the frame size of a long burst. */
export const MAX_BATCH = 512;
/** Bytes of the msgpack array header of a frame of at most MAX_BATCH envelopes. */
const BATCH_HEADER_BYTES = 3;

function typeOf(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : typeof message;
}

/** A message too large for one frame of the receiving system: refused before it is sent. */
export class MessageTooLargeError extends Error {
  constructor(readonly recipient: string, readonly size: number, readonly limit: number, message: unknown) {
    super(`message '${typeOf(message)}' to ${recipient} is ${size} bytes encoded, over the receiving system's frame limit of ${limit} bytes; it was not sent`);
    this.name = 'MessageTooLargeError';
  }
}

/** Encoded envelopes waiting for their frame. */
export class EnvelopeOutbox {
  /** The largest frame payload the peer accepts (the shared default until it announces its own). */
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private parts: Uint8Array[] = [];
  private bytes = 0;
  /** The envelopes themselves, for dead letters if they never go out. */
  private envelopes: unknown[][] = [];

  /** `send` writes one frame payload, given as its header and body, of the `envelopes` it holds. */
  constructor(private readonly send: (header: Uint8Array, body: Uint8Array, envelopes: unknown[][]) => void) {}

  /** Envelopes waiting. */
  get size(): number { return this.parts.length; }

  /**
   * Encodes and queues `envelope` (sending what waits first when it would not fit in the same
   * frame). Throws MessageTooLargeError, naming `recipient` and `message`, for one that fits in
   * no frame; it is then not queued.
   */
  push(envelope: unknown[], recipient: string, message: unknown): void {
    const encoded = encode(envelope);
    if (encoded.length + BATCH_HEADER_BYTES > this.maxFrameBytes) {
      throw new MessageTooLargeError(recipient, encoded.length, this.maxFrameBytes, message);
    }
    if (this.bytes + encoded.length + BATCH_HEADER_BYTES > this.maxFrameBytes) this.flush();
    this.parts.push(encoded);
    this.bytes += encoded.length;
    this.envelopes.push(envelope);
    if (this.parts.length >= MAX_BATCH) this.flush();
  }

  /** Sends every queued envelope as one frame. */
  flush(): void {
    const count = this.parts.length;
    if (count === 0) return;
    const parts = this.parts;
    const body = count === 1 ? parts[0] : new Uint8Array(this.bytes);
    if (count > 1) for (let i = 0, at = 0; i < count; at += parts[i].length, i++) body.set(parts[i], at);
    const envelopes = this.takeAll();
    const header = count < 16 ? Uint8Array.of(0x90 | count) : Uint8Array.of(0xdc, count >> 8, count & 0xff);
    this.send(header, body, envelopes);
  }

  /** Empties the queue without sending; returns the envelopes that were waiting. */
  takeAll(): unknown[][] {
    const envelopes = this.envelopes;
    this.parts = [];
    this.bytes = 0;
    this.envelopes = [];
    return envelopes;
  }
}
