// Key groups: the unit of keyed-state partitioning and rescaling (Flink's KeyGroupRangeAssignment).
// keyGroup = murmur3(stable bytes of key) mod maxParallelism; subtask i of p owns a contiguous
// range of key groups. Imports nothing from api/ or actors/.
import murmur from 'murmurhash3js-revisited';

/** A key: what a key selector may return. Arrays are composite keys. */
export type Key = string | number | bigint | boolean | Key[];

/** The default number of key groups (Flink's default max parallelism for small jobs). */
export const DEFAULT_MAX_PARALLELISM = 128;
/** The largest maxParallelism Flink allows. */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** An inclusive range of key groups [start, end]; empty when end < start. */
export interface KeyGroupRange { readonly start: number; readonly end: number }

const encoder = new TextEncoder();

/** Stable bytes of a key, identical on every runtime and process (type-tagged). */
export function keyBytes(key: Key): Uint8Array {
  return encoder.encode(keyString(key));
}

function keyString(key: Key): string {
  switch (typeof key) {
    case 'string': return 's' + key;
    case 'number': return 'n' + (Object.is(key, -0) ? '0' : String(key));
    case 'bigint': return 'b' + key.toString();
    case 'boolean': return key ? 't' : 'f';
    default:
      if (Array.isArray(key)) return 'a' + key.length + '[' + key.map(keyString).join('\u0000') + ']';
      throw new TypeError(`not a valid key: ${describe(key)} (keys must be string, number, bigint, boolean or arrays of them)`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return typeof value;
}

/** True when `key` is a valid key (so keyBy can reject bad selectors with a clear message). */
export function isValidKey(key: unknown): key is Key {
  switch (typeof key) {
    case 'string': case 'bigint': case 'boolean': return true;
    case 'number': return !Number.isNaN(key);
    default: return Array.isArray(key) && key.every(isValidKey);
  }
}

/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;
/** Where keyHash writes a string or number key's stable bytes (tag byte, then the UTF-8 body). */
const scratch = new Uint8Array(3073);
const scratchBody = scratch.subarray(1);
const STRING_TAG = 0x73; // 's'
const NUMBER_TAG = 0x6e; // 'n'

/** The 32-bit murmur3 hash of a key's stable bytes. */
export function keyHash(key: Key): number {
  // Strings and numbers (nearly every key) are encoded into a reused buffer: the same bytes as
  // keyBytes without allocating them (TextEncoder.encode costs several times the hash).
  if (typeof key === 'string' && key.length * MAX_UTF8_PER_UNIT <= scratchBody.length) return scratchHash(STRING_TAG, key);
  if (typeof key === 'number') return scratchHash(NUMBER_TAG, Object.is(key, -0) ? '0' : String(key));
  return murmur.x86.hash32(keyBytes(key), 0) >>> 0;
}

function scratchHash(tag: number, body: string): number {
  scratch[0] = tag;
  // ASCII (every number, most string keys) is its own UTF-8: copied without the encoder's call.
  const n = body.length;
  let i = 0;
  for (; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c >= 0x80) break;
    scratchBody[i] = c;
  }
  const written = i === n ? n : encoder.encodeInto(body, scratchBody).written;
  return murmur3(scratch, 1 + written);
}

/**
 * murmur3 x86 32-bit with seed 0 over the first `length` bytes of `bytes`: the library's hash32,
 * inlined here without its subarray and its 16-bit multiplications (the keyBy hot path).
 */
function murmur3(bytes: Uint8Array, length: number): number {
  const c1 = 0xcc9e2d51, c2 = 0x1b873593;
  let h = 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = bytes[blocks];
    if (tail > 1) k ^= bytes[blocks + 1] << 8;
    if (tail > 2) k ^= bytes[blocks + 2] << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The key group a key belongs to. */
export function assignToKeyGroup(key: Key, maxParallelism: number): number {
  // `| 0` (a no-op on the value) keeps it a small integer for V8, not a boxed double per key.
  return (keyHash(key) % maxParallelism) | 0;
}

/** The subtask index (operator of `parallelism`) that owns `keyGroup`. */
export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The subtask index that owns `key`. */
export function assignKeyToParallelOperator(key: Key, maxParallelism: number, parallelism: number): number {
  return operatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/** The contiguous key-group range subtask `index` of `parallelism` owns. */
export function keyGroupRangeForOperator(maxParallelism: number, parallelism: number, index: number): KeyGroupRange {
  if (parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(`parallelism ${parallelism} must be within 1..maxParallelism (${maxParallelism})`);
  }
  const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((index + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/**
 * Caches key -> key group for the hot path: hashing a key's bytes per record is the costly
 * part of a keyBy exchange. Bounded: cleared when it grows past `limit` entries.
 */
export class KeyGroupAssigner {
  private readonly cache = new Map<unknown, number>();
  constructor(readonly maxParallelism: number, private readonly limit = 65536) {}

  /** The key group of `key`. Composite (array) keys are not cached: arrays compare by identity. */
  keyGroupOf(key: Key): number {
    if (typeof key === 'object') return assignToKeyGroup(key, this.maxParallelism);
    let kg = this.cache.get(key);
    if (kg === undefined) {
      kg = assignToKeyGroup(key, this.maxParallelism);
      if (this.cache.size >= this.limit) this.cache.clear();
      this.cache.set(key, kg);
    }
    return kg;
  }
}
