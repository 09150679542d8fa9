// SimStorage: the checkpoint storage of a simulation: an in-memory KV store whose operations
// complete after a seeded virtual latency (so I/O completion order is the seed's too) and whose
// writes fail while a storage fault is active. The simulation's state backend keeps every job's
// checkpoints here. Imports state/ and testing/.
import { MemoryKvStore } from '../state/checkpoint/memory-kv-store.ts';
import { KvCheckpointStorage } from '../state/checkpoint/kv-checkpoint-storage.ts';
import type { KvEntry, KvKey, KvMutation, KvStore } from '../state/kv/kv-store.ts';
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

/** An in-memory KV store with virtual latency and injectable write failures. */
export class SimStorage implements KvStore {
  private readonly store = new MemoryKvStore();
  private failProbability = 0;
  /** Writes rejected so far. */
  failedWrites = 0;

  constructor(private readonly kernel: SimKernel, private readonly random: SimRandom, private readonly maxLatencyMs = 2) {}

  /** From now on each write fails with `probability` (0 heals the storage). */
  failWrites(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a failure probability is between 0 and 1, got ${probability}`);
    this.failProbability = probability;
  }

  /** Whether writes can fail now. */
  get failing(): boolean { return this.failProbability > 0; }

  async get(key: KvKey): Promise<unknown> { await this.latency(); return this.store.get(key); }
  async list(prefix: KvKey): Promise<KvEntry[]> { await this.latency(); return this.store.list(prefix); }
  async set(key: KvKey, value: unknown): Promise<void> { await this.write('set'); return this.store.set(key, value); }
  async delete(key: KvKey): Promise<void> { await this.write('delete'); return this.store.delete(key); }
  async atomic(mutations: readonly KvMutation[]): Promise<void> { await this.write('atomic write'); return this.store.atomic(mutations); }
  /** The simulation owns the store: jobs closing their storage leave it to later attempts. */
  close(): void {}

  private latency(): Promise<void> {
    const ms = this.random.int(0, this.maxLatencyMs);
    return new Promise((resolve) => { this.kernel.at(this.kernel.now + ms, 'storage', resolve); });
  }

  private async write(operation: string): Promise<void> {
    await this.latency();
    if (this.random.chance(this.failProbability)) {
      this.failedWrites++;
      this.kernel.note(`fault storage ${operation} rejected`);
      throw new SimulatedStorageError(operation);
    }
  }
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
