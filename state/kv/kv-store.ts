// The portable KV adapter: one small interface over Deno KV, opened with `Deno.openKv` on Deno and
// with `@deno/kv`'s `openKv` on Node (a dynamic import, so Deno never loads @deno/kv). Values are
// always msgpack Uint8Array (Node cannot read plain values written by Deno); values above the KV
// value limit are chunked; atomic batches are split to the KV limits; `database is locked` is
// retried with backoff. Versioned reads and compare-and-set (Deno KV's versionstamp check) give
// optimistic concurrency for small coordination records such as a leader lease; a checked atomic
// checks several keys at once (a write fenced by the lease record). A KV file is checked before it
// is opened (kv-file-check.ts), and a store whose native worker died is never closed: closing it
// would abort the process. Imports only the codec's byte encoding, nothing from api/ or actors/.
// Just over 400 lines: the one adapter over both runtimes' KV (chunked values, atomics with
// retries, opening through the pre-open file check, which lives in kv-file-check.ts).

import { checkKvFile, isKvFilePath } from './kv-file-check.ts';
import { decodeValue, encodeValue } from './kv-value.ts';

/** A KV key: a tuple of parts, as Deno KV defines it. */
export type KvKey = readonly (string | number | bigint | boolean | Uint8Array)[];

/** One write in an atomic batch. */
export type KvMutation =
  | { readonly type: 'set'; readonly key: KvKey; readonly value: unknown }
  | { readonly type: 'delete'; readonly key: KvKey };

/** An entry read back by `list`. */
export interface KvEntry { readonly key: KvKey; readonly value: unknown }

/** The store contract every runtime implements identically. */
export interface KvStore {
  /** The value under `key`, or undefined. */
  get(key: KvKey): Promise<unknown>;
  /** Writes `value` (any msgpack-encodable value) under `key`. */
  set(key: KvKey, value: unknown): Promise<void>;
  /** Removes `key` (and its chunks). */
  delete(key: KvKey): Promise<void>;
  /** Every entry whose key starts with `prefix` (the prefix key itself excluded), in key order. */
  list(prefix: KvKey): Promise<KvEntry[]>;
  /** Applies `mutations`, split into as few KV atomics as the limits allow. */
  atomic(mutations: readonly KvMutation[]): Promise<void>;
  /** Releases the database. */
  close(): void;
}

/** A value read together with the versionstamp of its last write. */
export interface KvVersioned { readonly value: unknown; readonly version: string }

/** An expectation of a checked atomic: `key` is still at `version` (null: absent). */
export interface KvCheck { readonly key: KvKey; readonly version: string | null }

/** A KvStore with optimistic concurrency (versionstamp checks). */
export interface VersionedKvStore extends KvStore {
  /** The value under `key` and its version, or undefined when absent. */
  getVersioned(key: KvKey): Promise<KvVersioned | undefined>;
  /**
   * Writes `value` only if `key` is still at `expectedVersion` (null: only if absent). Resolves
   * with the new version, or null when another write came first. The value must fit one KV value.
   */
  compareAndSet(key: KvKey, expectedVersion: string | null, value: unknown): Promise<string | null>;
  /**
   * Applies `mutations` only if every check holds, in one KV atomic; resolves false (nothing
   * applied) when a check failed. Values above the value limit are chunked ahead (their chunks
   * removed again on a failed check); the rest must fit one atomic (it throws otherwise).
   */
  checkedAtomic(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<boolean>;
}

/** Deno KV limits (the strictest of Node and Deno). */
export const KV_LIMITS = {
  maxMutations: 1000,
  maxAtomicBytes: 800 * 1024,
  /** Deno counts the keys of one atomic separately too. */
  maxAtomicKeyBytes: 80 * 1024,
  maxValueBytes: 65_536,
  chunkBytes: 60_000,
} as const;

/** The keyspace holding chunks of large values, outside every user prefix. */
export const CHUNK_PREFIX = '\u0000chunks';

/** The subset of Deno KV (and @deno/kv) that the adapter uses. */
interface RawKv {
  get(key: KvKey): Promise<{ value: unknown; versionstamp: string | null }>;
  list(selector: { prefix: KvKey }): AsyncIterable<{ key: KvKey; value: unknown }>;
  atomic(): RawAtomic;
  close(): void;
}
interface RawAtomic {
  check(check: { key: KvKey; versionstamp: string | null }): RawAtomic;
  set(key: KvKey, value: unknown): RawAtomic;
  delete(key: KvKey): RawAtomic;
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}

type OpenKv = (path?: string) => Promise<RawKv>;

async function openRaw(path?: string): Promise<RawKv> {
  const deno = (globalThis as { Deno?: { openKv: OpenKv } }).Deno;
  if (deno) return deno.openKv(path);
  const moduleName = '@deno/kv';
  const mod = (await import(moduleName)) as { openKv: OpenKv };
  return mod.openKv(path);
}

/**
 * Opens the KV database at `path` (a file, a KV Connect URL, or in memory when omitted). A file
 * that is damaged or not a KV database is refused with a KvFileError naming it.
 */
export async function openKvStore(path?: string): Promise<VersionedKvStore> {
  if (isKvFilePath(path)) await checkKvFile(path);
  // Deno.openKv() without a path opens a persistent per-script database, not a memory one.
  return new PortableKvStore(await withRetry(() => openRaw(path ?? ':memory:')));
}

/**
 * The native KV reports a worker thread that died (a panic on a damaged file) as a closed
 * database; closing such a store joins the dead thread and aborts the process on Node.
 */
function isWorkerGone(error: unknown): boolean {
  return /Database is closed/i.test(String((error as { message?: unknown })?.message ?? error));
}

const RETRY_ATTEMPTS = 12;

/**
 * Bytes one atomic may carry, below the KV limit: the KV counts keys in its own encoding, so
 * the estimate of `keyBytes` keeps a margin rather than trusting it to the byte.
 */
const ATOMIC_BUDGET_BYTES = Math.floor(KV_LIMITS.maxAtomicBytes * 0.85);
const ATOMIC_KEY_BUDGET_BYTES = Math.floor(KV_LIMITS.maxAtomicKeyBytes * 0.85);

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

/** An upper estimate of a key's encoded size (tag and terminator per part). */
function keyBytes(key: KvKey): number {
  let n = 8;
  for (const part of key) {
    if (typeof part === 'string') n += 3 + utf8Length(part);
    else if (part instanceof Uint8Array) n += 3 + part.byteLength * 2;
    else n += 12;
  }
  return n;
}

function isLocked(error: unknown): boolean {
  return /database is locked|SQLITE_BUSY/i.test(String((error as { message?: unknown })?.message ?? error));
}

/** Retries `op` while the database reports it is locked by another process (backoff 2..~200ms). */
export async function withRetry<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (!isLocked(error) || attempt >= RETRY_ATTEMPTS) throw error;
      const delay = Math.min(200, 2 ** (attempt + 1)) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

interface Manifest { readonly chunks: number; readonly id: string }

function keyId(key: KvKey): string {
  return key.map((p) => `${typeof p}:${p instanceof Uint8Array ? Array.from(p).join(',') : String(p)}`).join('\u0001');
}

class PortableKvStore implements VersionedKvStore {
  /**
   * Chunk keys of large values, by the key of their value. Loaded with one scan of the chunk
   * keyspace, then kept by this store's writes, so that an overwrite or delete needs no read.
   * With several writers on one file, a chunk another writer orphaned is wasted space, never a
   * wrong value: reads follow the manifest.
   */
  private chunkIndex: Promise<Map<string, KvKey[]>> | undefined;

  /** Set once the native worker died: the store is unusable and must never be closed. */
  private workerGone = false;
  private readonly kv: RawKv;

  constructor(raw: RawKv) {
    this.kv = guardRaw(raw, () => { this.workerGone = true; });
  }

  private chunks(): Promise<Map<string, KvKey[]>> {
    this.chunkIndex ??= withRetry(async () => {
      const index = new Map<string, KvKey[]>();
      for await (const entry of this.kv.list({ prefix: [CHUNK_PREFIX] })) {
        const owner = keyId(entry.key.slice(1, -2));
        const list = index.get(owner);
        if (list) list.push(entry.key); else index.set(owner, [entry.key]);
      }
      return index;
    });
    return this.chunkIndex;
  }

  async get(key: KvKey): Promise<unknown> {
    const entry = await withRetry(() => this.kv.get(key));
    return entry.value === null || entry.value === undefined ? undefined : this.readValue(key, entry.value as Uint8Array);
  }

  async getVersioned(key: KvKey): Promise<KvVersioned | undefined> {
    const entry = await withRetry(() => this.kv.get(key));
    if (entry.value === null || entry.value === undefined || entry.versionstamp === null) return undefined;
    return { value: await this.readValue(key, entry.value as Uint8Array), version: entry.versionstamp };
  }

  async compareAndSet(key: KvKey, expectedVersion: string | null, value: unknown): Promise<string | null> {
    const bytes = encodeValue(value);
    if (bytes.byteLength > KV_LIMITS.maxValueBytes) {
      throw new Error(`compareAndSet value of ${bytes.byteLength} bytes exceeds the KV value limit of ${KV_LIMITS.maxValueBytes}`);
    }
    const result = await withRetry(() => this.kv.atomic().check({ key, versionstamp: expectedVersion }).set(key, bytes).commit());
    if (!result.ok) return null;
    // A large value this key held before leaves chunks behind once the small one replaced it.
    const index = await this.chunks();
    const stale = index.get(keyId(key));
    if (stale) {
      index.delete(keyId(key));
      await this.commitChunked(stale.map((k) => ({ key: k, bytes: null })));
    }
    return result.versionstamp ?? null;
  }

  async checkedAtomic(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<boolean> {
    const index = await this.chunks();
    const writes: { key: KvKey; bytes: Uint8Array | null }[] = [];
    const fresh = new Map<string, KvKey[]>();
    let bytes = 0;
    for (const m of mutations) {
      const encoded = m.type === 'set' ? encodeValue(m.value) : null;
      if (encoded === null || encoded.byteLength <= KV_LIMITS.maxValueBytes) {
        writes.push({ key: m.key, bytes: encoded });
      } else {
        const chunked = await this.writeChunks(m.key, encoded);
        fresh.set(keyId(m.key), chunked.keys);
        writes.push({ key: m.key, bytes: chunked.manifest });
      }
      bytes += keyBytes(m.key) + (writes[writes.length - 1].bytes?.byteLength ?? 0);
    }
    if (writes.length + checks.length > KV_LIMITS.maxMutations || bytes > ATOMIC_BUDGET_BYTES) {
      await this.commitChunked([...fresh.values()].flat().map((key) => ({ key, bytes: null })));
      throw new Error(`a checked atomic of ${writes.length} writes (${bytes} bytes) exceeds one KV atomic`);
    }
    const result = await withRetry(() => {
      const op = this.kv.atomic();
      for (const c of checks) op.check({ key: c.key, versionstamp: c.version });
      for (const w of writes) { if (w.bytes === null) op.delete(w.key); else op.set(w.key, w.bytes); }
      return op.commit();
    });
    if (!result.ok) {
      await this.commitChunked([...fresh.values()].flat().map((key) => ({ key, bytes: null })));
      return false;
    }
    const stale: KvKey[] = [];
    for (const m of mutations) {
      const id = keyId(m.key);
      stale.push(...(index.get(id) ?? []));
      const chunks = fresh.get(id);
      if (chunks) index.set(id, chunks); else index.delete(id);
    }
    if (stale.length > 0) await this.commitChunked(stale.map((key) => ({ key, bytes: null })));
    return true;
  }

  async set(key: KvKey, value: unknown): Promise<void> {
    await this.atomic([{ type: 'set', key, value }]);
  }

  async delete(key: KvKey): Promise<void> {
    await this.atomic([{ type: 'delete', key }]);
  }

  async list(prefix: KvKey): Promise<KvEntry[]> {
    const raw: { key: KvKey; value: unknown }[] = [];
    await withRetry(async () => {
      raw.length = 0;
      for await (const entry of this.kv.list({ prefix })) {
        if (entry.key[0] === CHUNK_PREFIX) continue;
        raw.push({ key: entry.key, value: entry.value });
      }
    });
    const out: KvEntry[] = [];
    for (const entry of raw) out.push({ key: entry.key, value: await this.readValue(entry.key, entry.value as Uint8Array) });
    return out;
  }

  async atomic(mutations: readonly KvMutation[]): Promise<void> {
    // Chunks of large values go first, each under a fresh id, so the old value stays readable until
    // the manifest that points at the new chunks commits; the old chunks are removed afterwards.
    const index = await this.chunks();
    const staleChunks: KvKey[] = [];
    const writes: { key: KvKey; bytes: Uint8Array | null }[] = [];
    for (const m of mutations) {
      const id = keyId(m.key);
      const stale = index.get(id);
      if (stale) { staleChunks.push(...stale); index.delete(id); }
      if (m.type === 'delete') { writes.push({ key: m.key, bytes: null }); continue; }
      const bytes = encodeValue(m.value);
      if (bytes.byteLength <= KV_LIMITS.maxValueBytes) { writes.push({ key: m.key, bytes }); continue; }
      const chunked = await this.writeChunks(m.key, bytes);
      index.set(id, chunked.keys);
      writes.push({ key: m.key, bytes: chunked.manifest });
    }
    await this.commitChunked(writes);
    if (staleChunks.length > 0) await this.commitChunked(staleChunks.map((key) => ({ key, bytes: null })));
  }

  close(): void {
    if (!this.workerGone) this.kv.close();
  }

  /** Writes the chunks of a large value under a fresh id; returns their keys and the manifest pointing at them. */
  private async writeChunks(key: KvKey, bytes: Uint8Array): Promise<{ keys: KvKey[]; manifest: Uint8Array }> {
    const version = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const chunkWrites: { key: KvKey; bytes: Uint8Array }[] = [];
    for (let i = 0, n = 0; i < bytes.byteLength; i += KV_LIMITS.chunkBytes, n++) {
      chunkWrites.push({ key: [CHUNK_PREFIX, ...key, version, n], bytes: bytes.subarray(i, i + KV_LIMITS.chunkBytes) });
    }
    await this.commitChunked(chunkWrites);
    const manifest: Manifest = { chunks: chunkWrites.length, id: version };
    return { keys: chunkWrites.map((w) => w.key), manifest: encodeValue({ '\u0000manifest': manifest }) };
  }

  /** Writes in as few atomics as the KV limits allow (mutation count and total key + value bytes). */
  private async commitChunked(writes: readonly { key: KvKey; bytes: Uint8Array | null }[]): Promise<void> {
    let start = 0;
    while (start < writes.length) {
      let end = start;
      let bytes = 0;
      let keys = 0;
      while (end < writes.length && end - start < KV_LIMITS.maxMutations) {
        const keySize = keyBytes(writes[end].key);
        const size = (writes[end].bytes?.byteLength ?? 0) + keySize;
        if (end > start && (bytes + size > ATOMIC_BUDGET_BYTES || keys + keySize > ATOMIC_KEY_BUDGET_BYTES)) break;
        bytes += size;
        keys += keySize;
        end++;
      }
      const slice = writes.slice(start, end);
      await withRetry(async () => {
        const op = this.kv.atomic();
        for (const w of slice) {
          if (w.bytes === null) op.delete(w.key);
          else op.set(w.key, w.bytes);
        }
        const result = await op.commit();
        if (!result.ok) throw new Error('KV atomic commit was rejected');
      });
      start = end;
    }
  }

  private async readValue(key: KvKey, bytes: Uint8Array): Promise<unknown> {
    const value = decodeValue(bytes);
    const manifest = manifestOf(value);
    if (!manifest) return value;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < manifest.chunks; i++) {
      const chunk = await withRetry(() => this.kv.get([CHUNK_PREFIX, ...key, manifest.id, i]));
      if (!(chunk.value instanceof Uint8Array)) throw new Error(`KV value under ${JSON.stringify(key.map(String))} lost chunk ${i}`);
      parts.push(chunk.value);
      total += chunk.value.byteLength;
    }
    const whole = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) { whole.set(p, offset); offset += p.byteLength; }
    return decodeValue(whole);
  }
}

/** `raw` with every operation reporting a dead native worker to `onGone` before it rethrows. */
function guardRaw(raw: RawKv, onGone: () => void): RawKv {
  const watch = <T>(promise: Promise<T>): Promise<T> => promise.catch((error: unknown) => {
    if (isWorkerGone(error)) onGone();
    throw error;
  });
  const guardAtomic = (op: RawAtomic): RawAtomic => ({
    check: (c) => guardAtomic(op.check(c)),
    set: (k, v) => guardAtomic(op.set(k, v)),
    delete: (k) => guardAtomic(op.delete(k)),
    commit: () => watch(op.commit()),
  });
  return {
    get: (key) => watch(raw.get(key)),
    list: (selector) => ({
      async *[Symbol.asyncIterator]() {
        try {
          yield* raw.list(selector);
        } catch (error) {
          if (isWorkerGone(error)) onGone();
          throw error;
        }
      },
    }),
    atomic: () => guardAtomic(raw.atomic()),
    close: () => raw.close(),
  };
}

function manifestOf(value: unknown): Manifest | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const manifest = (value as Record<string, unknown>)['\u0000manifest'];
  return manifest && typeof manifest === 'object' ? (manifest as Manifest) : undefined;
}
