// Sealed bytes: a persisted snapshot blob with a checksum, so that a restore refuses damaged state
// instead of restoring wrong values. Layout: a 4-byte magic (first byte 0xc1, which msgpack never
// uses, so a sealed blob is never mistaken for plain msgpack of an older format), the payload, and
// the first 16 bytes of SHA-256 over the blob's context and the payload. The context is where the
// blob lives (a KV key, a file kind): a valid blob moved under another key does not verify either.
// SHA-256 comes from node:crypto (Node and Deno); it hashes at hundreds of MB/s, far above the
// rate checkpoints are written. Imports node:crypto only; never api/ or actors/.
import * as crypto from 'node:crypto';

/** Marks a sealed blob: 0xc1 is the one byte msgpack never emits. */
const MAGIC = Uint8Array.of(0xc1, 0x61, 0x66, 0x01);
const DIGEST_BYTES = 16;

/**
 * One-shot SHA-256 (`crypto.hash`, Node 20.12+): one call into native code instead of a Hash
 * object and three calls, about a third of the cost for the small values checkpoints seal by the
 * thousand. Deno's is no faster than its createHash, so there the streaming hash stays.
 */
const oneShot = typeof (globalThis as { Deno?: unknown }).Deno === 'undefined' && typeof crypto.hash === 'function' ? crypto.hash : undefined;
const utf8 = new TextEncoder();
/** The hashed bytes of a one-shot digest (context, zero byte, payload), grown as needed and reused. */
let scratch = new Uint8Array(1024);

/** SHA-256 of the context's UTF-8, a zero byte, and the payload (the first DIGEST_BYTES of it). */
function digest(context: string, payload: Uint8Array): Uint8Array {
  if (oneShot === undefined) return crypto.createHash('sha256').update(`${context}\0`, 'utf8').update(payload).digest().subarray(0, DIGEST_BYTES);
  const size = context.length * 3 + 1 + payload.byteLength;
  if (scratch.byteLength < size) scratch = new Uint8Array(Math.max(size, scratch.byteLength * 2));
  const n = utf8.encodeInto(context, scratch).written;
  scratch[n] = 0;
  scratch.set(payload, n + 1);
  return (oneShot('sha256', scratch.subarray(0, n + 1 + payload.byteLength), 'buffer') as Uint8Array).subarray(0, DIGEST_BYTES);
}

/** True when `bytes` starts like a sealed blob (it may still fail to verify). */
export function isSealed(bytes: unknown): bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

/** `payload` sealed with a checksum bound to `context`. */
export function seal(context: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAGIC.length + payload.byteLength + DIGEST_BYTES);
  out.set(MAGIC, 0);
  out.set(payload, MAGIC.length);
  out.set(digest(context, payload), MAGIC.length + payload.byteLength);
  return out;
}

/** A sealed blob that does not verify: truncated, altered, or stored under another context. */
export class SealError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'SealError';
  }
}

/** The payload of a blob sealed under `context`; throws a SealError when it does not verify. */
export function unseal(context: string, bytes: unknown): Uint8Array {
  if (!isSealed(bytes)) throw new SealError('not a sealed blob (no checksum header)');
  if (bytes.byteLength < MAGIC.length + DIGEST_BYTES) throw new SealError(`truncated (${bytes.byteLength} bytes)`);
  const payload = bytes.subarray(MAGIC.length, bytes.byteLength - DIGEST_BYTES);
  const stored = bytes.subarray(bytes.byteLength - DIGEST_BYTES);
  const expected = digest(context, payload);
  for (let i = 0; i < DIGEST_BYTES; i++) {
    if (stored[i] !== expected[i]) throw new SealError('checksum mismatch (the bytes were altered)');
  }
  return payload;
}
