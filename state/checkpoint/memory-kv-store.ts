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

/** A private copy of a value. Byte views are sliced: cloning a view copies its whole buffer. */
function copy(value: unknown): unknown {
  return value instanceof Uint8Array ? value.slice() : structuredClone(value);
}

function id(key: KvKey): string {
  return JSON.stringify(key.map((p) => (p instanceof Uint8Array ? ['u', Array.from(p)] : typeof p === 'bigint' ? ['b', String(p)] : [typeof p, p])));
}

/** An in-memory, ordered KV store with the same contract as the Deno KV adapter. */
export class MemoryKvStore implements KvStore {
  private readonly entries = new Map<string, KvEntry>();

  async get(key: KvKey): Promise<unknown> {
    const entry = this.entries.get(id(key));
    return entry === undefined ? undefined : copy(entry.value);
  }

  async set(key: KvKey, value: unknown): Promise<void> { this.apply({ type: 'set', key, value }); }

  async delete(key: KvKey): Promise<void> { this.apply({ type: 'delete', key }); }

  async list(prefix: KvKey): Promise<KvEntry[]> {
    const out: KvEntry[] = [];
    for (const entry of this.entries.values()) {
      // As in Deno KV, a prefix selects strictly longer keys, not the key equal to it.
      if (entry.key.length <= prefix.length) continue;
      if (prefix.every((p, i) => compareParts(p, entry.key[i]) === 0)) out.push({ key: entry.key, value: copy(entry.value) });
    }
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async atomic(mutations: readonly KvMutation[]): Promise<void> {
    for (const m of mutations) this.apply(m);
  }

  close(): void { this.entries.clear(); }

  /** Number of stored entries (for tests and metrics). */
  get size(): number { return this.entries.size; }

  private apply(m: KvMutation): void {
    if (m.type === 'delete') this.entries.delete(id(m.key));
    else this.entries.set(id(m.key), { key: [...m.key], value: copy(m.value) });
  }
}
