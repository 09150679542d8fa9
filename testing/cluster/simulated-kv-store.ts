// SimulatedKvStore: the versioned KV contract (compare-and-set, checked atomics) in memory, for
// the HA store and checkpoint storage that every process of a simulated cluster shares. Its
// versions count writes, so they are the same in every run of a seed. `view()` gives a process
// its own handle: severing it (the process was killed) makes every later operation of that
// process fail, as a dead process writes nothing, while the others go on. Imports state/ only.
import { keyId as idOf, MemoryKvStore } from '../../state/checkpoint/memory-kv-store.ts';
import type { KvCheck, KvEntry, KvKey, KvMutation, KvVersioned, VersionedKvStore } from '../../state/kv/kv-store.ts';

/** An in-memory VersionedKvStore with deterministic versions. */
export class SimulatedKvStore implements VersionedKvStore {
  private readonly data = new MemoryKvStore();
  private readonly versions = new Map<string, string>();
  private writes = 0;

  get(key: KvKey): Promise<unknown> { return this.data.get(key); }

  async set(key: KvKey, value: unknown): Promise<void> { await this.atomic([{ type: 'set', key, value }]); }

  async delete(key: KvKey): Promise<void> { await this.atomic([{ type: 'delete', key }]); }

  list(prefix: KvKey): Promise<KvEntry[]> { return this.data.list(prefix); }

  async atomic(mutations: readonly KvMutation[]): Promise<void> {
    await this.data.atomic(mutations);
    for (const m of mutations) {
      if (m.type === 'delete') this.versions.delete(idOf(m.key));
      else this.versions.set(idOf(m.key), String(++this.writes).padStart(12, '0'));
    }
  }

  async getVersioned(key: KvKey): Promise<KvVersioned | undefined> {
    const version = this.versions.get(idOf(key));
    return version === undefined ? undefined : { value: await this.data.get(key), version };
  }

  async compareAndSet(key: KvKey, expectedVersion: string | null, value: unknown): Promise<string | null> {
    if ((this.versions.get(idOf(key)) ?? null) !== expectedVersion) return null;
    await this.atomic([{ type: 'set', key, value }]);
    return this.versions.get(idOf(key))!;
  }

  async checkedAtomic(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<boolean> {
    for (const c of checks) if ((this.versions.get(idOf(c.key)) ?? null) !== c.version) return false;
    await this.atomic(mutations);
    return true;
  }

  /** Shared: one process closing its handle leaves the store to the others. */
  close(): void {}

  /** A handle for one process; `sever()` on it fails that process's later operations. */
  view(owner: string): SimulatedKvView { return new SimulatedKvView(this, owner); }
}

/** One process's handle on a SimulatedKvStore. */
export class SimulatedKvView implements VersionedKvStore {
  private severed = false;
  constructor(private readonly store: SimulatedKvStore, private readonly owner: string) {}

  /** The process died: nothing it does reaches the store any more. */
  sever(): void { this.severed = true; }

  private check(): void {
    if (this.severed) throw new Error(`${this.owner} is not running: its KV operation never happened`);
  }

  async get(key: KvKey): Promise<unknown> { this.check(); return this.store.get(key); }
  async set(key: KvKey, value: unknown): Promise<void> { this.check(); return this.store.set(key, value); }
  async delete(key: KvKey): Promise<void> { this.check(); return this.store.delete(key); }
  async list(prefix: KvKey): Promise<KvEntry[]> { this.check(); return this.store.list(prefix); }
  async atomic(mutations: readonly KvMutation[]): Promise<void> { this.check(); return this.store.atomic(mutations); }
  async getVersioned(key: KvKey): Promise<KvVersioned | undefined> { this.check(); return this.store.getVersioned(key); }
  async compareAndSet(key: KvKey, expectedVersion: string | null, value: unknown): Promise<string | null> {
    this.check();
    return this.store.compareAndSet(key, expectedVersion, value);
  }
  async checkedAtomic(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<boolean> {
    this.check();
    return this.store.checkedAtomic(checks, mutations);
  }
  close(): void {}
}
