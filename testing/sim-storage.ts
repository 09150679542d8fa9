// SimStorage: the checkpoint storage of a simulation: an in-memory KV store whose operations
// complete after a seeded virtual latency (so I/O completion order is the seed's too) and whose
// writes fail while a storage fault is active: rejected writes, torn writes (a value stored with
// its bytes cut short or a bit flipped, while the writer is told it succeeded), and a full disk
// (writes that need space fail with ENOSPC until space is freed). The simulation's state backend
// keeps every job's checkpoints here. Imports state/ and testing/.
import { keyId, MemoryKvStore } from '../state/checkpoint/memory-kv-store.ts';
import { KvCheckpointStorage } from '../state/checkpoint/kv-checkpoint-storage.ts';
import type { KvEntry, KvKey, KvMutation, KvStore } from '../state/kv/kv-store.ts';
import { encodeValue } from '../state/kv/kv-value.ts';
import { kvStateBackend, memoryStateBackend, type StateBackend } from '../state/snapshot/state-backend.ts';
import type { SimKernel } from './sim-kernel.ts';
import type { SimRandom } from './sim-random.ts';

/** The error a write gets while storage writes fail. */
export class SimulatedStorageError extends Error {
  constructor(operation: string) {
    super(`simulated storage failure: the ${operation} was rejected`);
    this.name = 'SimulatedStorageError';
  }
}

/** The error a write gets while the simulated disk is full (code ENOSPC, as a real one). */
export class StorageFullError extends Error {
  readonly code = 'ENOSPC';
  constructor(operation: string, neededBytes: number, freeBytes: number) {
    super(`simulated storage full: no space left on device (ENOSPC): the ${operation} needs ${neededBytes} more bytes, ${freeBytes} free`);
    this.name = 'StorageFullError';
  }
}

/** How a torn write damages a stored value: cut short (only a prefix reached the disk), or one bit flipped. */
export type TornWriteDamage = 'truncate' | 'flip';

/** An in-memory KV store with virtual latency and injectable write failures. */
export class SimStorage implements KvStore {
  private readonly store = new MemoryKvStore();
  /** Bytes each stored value takes, by key id (what a full disk charges and frees), kept only while the disk is full. */
  private readonly sizes = new Map<string, number>();
  private failProbability = 0;
  private tearProbability = 0;
  private tearDamage: TornWriteDamage | undefined;
  /** Bytes writes may still add while the disk is full (undefined: no limit). */
  private freeBytes: number | undefined;
  /** Writes rejected so far. */
  failedWrites = 0;
  /** Values stored damaged so far. */
  tornWrites = 0;
  /** Writes refused for want of space so far. */
  fullDiskWrites = 0;

  constructor(private readonly kernel: SimKernel, private readonly random: SimRandom, private readonly maxLatencyMs = 2) {}

  /** From now on each write fails with `probability` (0 heals the storage). */
  failWrites(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a failure probability is between 0 and 1, got ${probability}`);
    this.failProbability = probability;
  }

  /**
   * From now on each byte value a write stores is damaged with `probability` (0 ends it), while
   * the write reports success: cut to a seeded prefix, or one seeded bit flipped (`damage`; by
   * default either, drawn per value). Values that are not bytes (records of other stores) are kept.
   */
  tearWrites(probability: number, damage?: TornWriteDamage): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a torn-write probability is between 0 and 1, got ${probability}`);
    if (damage !== undefined && damage !== 'truncate' && damage !== 'flip') throw new RangeError(`torn-write damage is 'truncate' or 'flip', got ${String(damage)}`);
    this.tearProbability = probability;
    this.tearDamage = damage;
  }

  /**
   * The disk fills up: from now on writes may add `freeBytes` more bytes in all (deleting frees
   * space again); a write that needs more fails with a StorageFullError until free() is called.
   */
  fill(freeBytes = 0): void {
    if (!(Number.isInteger(freeBytes) && freeBytes >= 0)) throw new RangeError(`free bytes must be a whole number >= 0, got ${freeBytes}`);
    if (this.freeBytes === undefined) {
      // Sizes are taken from what is stored when the disk fills, not kept at every write before.
      this.sizes.clear();
      this.store.forEachStored((key, value) => { this.sizes.set(keyId(key), sizeOf(value)); });
    }
    this.freeBytes = freeBytes;
  }

  /** Space is freed: writes no longer fail for want of it. */
  free(): void {
    this.freeBytes = undefined;
    this.sizes.clear();
  }

  /** Whether writes can fail now. */
  get failing(): boolean { return this.failProbability > 0; }

  /** Whether the disk is full now (writes that need space fail). */
  get full(): boolean { return this.freeBytes !== undefined; }

  async get(key: KvKey): Promise<unknown> { await this.latency(); return this.store.get(key); }
  async list(prefix: KvKey): Promise<KvEntry[]> { await this.latency(); return this.store.list(prefix); }
  async set(key: KvKey, value: unknown): Promise<void> {
    await this.write('set', [{ type: 'set', key, value }]);
    const stored = this.torn(key, value);
    this.account({ type: 'set', key, value: stored });
    return this.store.set(key, stored);
  }
  async delete(key: KvKey): Promise<void> {
    await this.write('delete', [{ type: 'delete', key }]);
    this.account({ type: 'delete', key });
    return this.store.delete(key);
  }
  async atomic(mutations: readonly KvMutation[]): Promise<void> {
    await this.write('atomic write', mutations);
    const stored = this.tearProbability === 0 ? mutations : mutations.map((m) => (m.type === 'set' ? { ...m, value: this.torn(m.key, m.value) } : m));
    for (const m of stored) this.account(m);
    return this.store.atomic(stored);
  }
  /** The simulation owns the store: jobs closing their storage leave it to later attempts. */
  close(): void {}

  private latency(): Promise<void> {
    const ms = this.random.int(0, this.maxLatencyMs);
    return new Promise((resolve) => { this.kernel.post(this.kernel.now + ms, 'storage', resolve); });
  }

  private async write(operation: string, mutations: readonly KvMutation[]): Promise<void> {
    await this.latency();
    if (this.random.chance(this.failProbability)) {
      this.failedWrites++;
      this.kernel.note(`fault storage ${operation} rejected`);
      throw new SimulatedStorageError(operation);
    }
    if (this.freeBytes !== undefined) {
      // Checked and charged here, with no await before the write is applied: no other write interleaves.
      let needed = 0;
      for (const m of mutations) {
        needed += (m.type === 'set' ? sizeOf(m.value) : 0) - (this.sizes.get(keyId(m.key)) ?? 0);
      }
      if (needed > 0 && needed > this.freeBytes) {
        this.fullDiskWrites++;
        this.kernel.note(`fault storage ${operation} refused: disk full (needs ${needed} bytes, ${this.freeBytes} free)`);
        throw new StorageFullError(operation, needed, this.freeBytes);
      }
      this.freeBytes -= needed;
    }
  }

  /** Keeps the size of what `m` leaves stored under its key. */
  private account(m: KvMutation): void {
    if (this.freeBytes === undefined) return;
    if (m.type === 'set') this.sizes.set(keyId(m.key), sizeOf(m.value));
    else this.sizes.delete(keyId(m.key));
  }

  /** `value` as a torn write stores it: a damaged copy of its bytes, drawn from the seed (the writer's array is left as it was). */
  private torn(key: KvKey, value: unknown): unknown {
    if (!(value instanceof Uint8Array) || value.byteLength === 0 || !this.random.chance(this.tearProbability)) return value;
    const damage = this.tearDamage ?? (this.random.chance(0.5) ? 'truncate' : 'flip');
    this.tornWrites++;
    if (damage === 'truncate') {
      const kept = this.random.int(0, value.byteLength - 1);
      this.kernel.note(`fault storage torn ${describeKey(key)}: ${kept} of ${value.byteLength} bytes stored`);
      return value.slice(0, kept);
    }
    const bit = this.random.int(0, value.byteLength * 8 - 1);
    const damaged = value.slice();
    damaged[bit >> 3] ^= 1 << (bit & 7);
    this.kernel.note(`fault storage torn ${describeKey(key)}: bit ${bit} of ${value.byteLength} bytes flipped`);
    return damaged;
  }
}

/** A key as the trace shows it. */
function describeKey(key: KvKey): string {
  return key.map((p) => (p instanceof Uint8Array ? `0x${Array.from(p, (b) => b.toString(16).padStart(2, '0')).join('')}` : String(p))).join('/');
}

/** Bytes a value takes on the simulated disk: a byte value's length, anything else's msgpack encoding. */
function sizeOf(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : encodeValue(value).byteLength;
}

/**
 * The state backend of simulated jobs, with checkpoints in `storage`: the memory backend's full
 * snapshots, or with `incremental` the kv backend's (only what changed since the previous one).
 */
export function simulatedStateBackend(storage: SimStorage, options: { incremental?: boolean } = {}): StateBackend {
  const base = options.incremental ? kvStateBackend() : memoryStateBackend();
  return {
    ...base,
    name: options.incremental ? 'simulated-incremental' : 'simulated',
    createCheckpointStorage: async ({ jobId, epoch }) => new KvCheckpointStorage(jobId, storage, false, epoch ?? 0, 'the simulated checkpoint storage'),
  };
}
