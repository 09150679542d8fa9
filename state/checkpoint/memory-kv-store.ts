// MemoryKvStore: the KvStore contract held in a process-local Map, for checkpoint storage of the
// memory state backend and for tests. Values are structurally cloned on the way in and out, as a
// real store would copy them. Imports only state/kv's contract; never api/ or actors/.
import type { KvEntry, KvKey, KvMutation, KvStore } from '../kv/kv-store.ts';

/** Orders key parts the way Deno KV does: bytes < strings < bigints < numbers < booleans. */
const TYPE_ORDER: Record<string, number> = { object: 0, string: 1, bigint: 2, number: 3, boolean: 4 };

function compareParts(a: KvKey[number], b: KvKey[number]): number {
  const ta = TYPE_ORDER[typeof a], tb = TYPE_ORDER[typeof b];
  if (ta !== tb) return ta - tb;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: KvKey, b: KvKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareParts(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Marks a value plainClone leaves to structuredClone. */
const NOT_PLAIN = Symbol('not plain');
/** Nesting beyond which plainClone gives up (a cycle, or data no store record has). */
const PLAIN_DEPTH = 32;

/**
 * A copy of primitives, arrays and plain objects as structuredClone makes it, built directly (several
 * times faster for the small records stores hold, such as leases and fences), or NOT_PLAIN for
 * anything else (class instances, maps, dates, byte views, holes, functions, cycles). A sub-object
 * reached twice is copied twice (structuredClone would copy it once): stored records are trees.
 */
function plainClone(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': case 'bigint': case 'undefined': return value;
    case 'object': break;
    default: return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth > PLAIN_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return NOT_PLAIN;
      const v = plainClone(value[i], depth + 1);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      out[i] = v;
    }
    return Object.keys(value).length === value.length ? out : NOT_PLAIN;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return NOT_PLAIN;
    const v = plainClone((value as Record<string, unknown>)[key], depth + 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    out[key] = v;
  }
  return out;
}

/** A private copy of a value. Byte views are sliced: cloning a view copies its whole buffer. */
function copy(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.slice();
  const plain = plainClone(value, 0);
  return plain === NOT_PLAIN ? structuredClone(value) : plain;
}

/**
 * A key as a string (what two stores agree a key is), each part tagged by its type and self-delimiting (strings carry their
 * length, the others end at ';'), so that distinct keys never collide and the id of a prefix is a
 * string prefix of the ids of the keys under it. Built without intermediate arrays: checkpoints
 * compute one per stored value.
 */
export function keyId(key: KvKey): string {
  let out = '';
  for (const p of key) {
    if (typeof p === 'string') out += `s${p.length}:${p}`;
    else if (typeof p === 'number') out += `n${p};`;
    else if (typeof p === 'bigint') out += `b${p};`;
    else if (typeof p === 'boolean') out += p ? 't' : 'f';
    else out += `u${p.join(',')};`;
  }
  return out;
}

/** An in-memory, ordered KV store with the same contract as the Deno KV adapter. */
export class MemoryKvStore implements KvStore {
  private readonly entries = new Map<string, KvEntry>();

  async get(key: KvKey): Promise<unknown> {
    const entry = this.entries.get(keyId(key));
    return entry === undefined ? undefined : copy(entry.value);
  }

  async set(key: KvKey, value: unknown): Promise<void> { this.apply({ type: 'set', key, value }); }

  async delete(key: KvKey): Promise<void> { this.apply({ type: 'delete', key }); }

  async list(prefix: KvKey): Promise<KvEntry[]> {
    const out: KvEntry[] = [];
    const under = keyId(prefix);
    for (const [entryId, entry] of this.entries) {
      // As in Deno KV, a prefix selects strictly longer keys, not the key equal to it.
      if (entry.key.length <= prefix.length) continue;
      if (entryId.startsWith(under)) out.push({ key: entry.key, value: copy(entry.value) });
    }
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async atomic(mutations: readonly KvMutation[]): Promise<void> {
    for (const m of mutations) this.apply(m);
  }

  close(): void { this.entries.clear(); }

  /** Calls `visit` with every stored key and value as stored (not copied: the caller only reads them). */
  forEachStored(visit: (key: KvKey, value: unknown) => void): void {
    for (const entry of this.entries.values()) visit(entry.key, entry.value);
  }

  /** Number of stored entries (for tests and metrics). */
  get size(): number { return this.entries.size; }

  private apply(m: KvMutation): void {
    if (m.type === 'delete') this.entries.delete(keyId(m.key));
    else this.entries.set(keyId(m.key), { key: [...m.key], value: copy(m.value) });
  }
}
