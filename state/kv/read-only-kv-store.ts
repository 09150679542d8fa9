// ReadOnlyKvStore: a KV store whose location cannot be written (a read-only directory or mount, a
// file without write permission). Every write fails at once with the reason, naming the path, so
// that a checkpoint written there fails like any other failed checkpoint (the tolerable-failure
// count and the restart strategy decide) instead of reaching the native KV library, which does
// not survive every write it cannot make. Reads go to the store opened read-only, find nothing
// when there is no database yet, or fail with the error that kept the database from opening (never
// "nothing there" for a database that exists). Imports only state/kv's contract; never api/ or actors/.
import type { KvEntry, KvKey, KvMutation, KvStore } from './kv-store.ts';

/** A store at a location that cannot be written: reads work, writes fail with `reason`. */
export class ReadOnlyKvStore implements KvStore {
  /**
   * `inner` is the database opened for reading, undefined when none exists at the location (then
   * nothing is found), or the error opening it failed with (every read fails with it); `reason`
   * says why the location cannot be written.
   */
  constructor(private readonly inner: KvStore | Error | undefined, readonly reason: string) {}

  get(key: KvKey): Promise<unknown> {
    if (this.inner instanceof Error) return Promise.reject(this.inner);
    return this.inner ? this.inner.get(key) : Promise.resolve(undefined);
  }

  list(prefix: KvKey): Promise<KvEntry[]> {
    if (this.inner instanceof Error) return Promise.reject(this.inner);
    return this.inner ? this.inner.list(prefix) : Promise.resolve([]);
  }

  set(_key: KvKey, _value: unknown): Promise<void> { return this.refuse(); }

  delete(_key: KvKey): Promise<void> { return this.refuse(); }

  atomic(mutations: readonly KvMutation[]): Promise<void> {
    return mutations.length === 0 ? Promise.resolve() : this.refuse();
  }

  close(): void { if (!(this.inner instanceof Error)) this.inner?.close(); }

  private refuse(): Promise<never> { return Promise.reject(new Error(this.reason)); }
}
