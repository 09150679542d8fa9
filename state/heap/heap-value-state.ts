// Heap ValueState and MapState: single-cell states over a StateTable. Value access is two Map
// lookups and allocates nothing. Imports only state/ contracts; never api/ or actors/.
import { VOID_NAMESPACE, type InternalKvState, type Namespace } from '../keyed-state-backend.ts';
import type { MapState, ValueState } from '../state-descriptors.ts';
import type { StateTable } from './state-table.ts';

/** Flink's HeapValueState: one value per (key, namespace); absent reads return the default. */
export class HeapValueState<T> implements ValueState<T>, InternalKvState {
  private namespace: Namespace = VOID_NAMESPACE;
  constructor(private readonly table: StateTable, private readonly defaultValue: T | undefined) {}

  setCurrentNamespace(namespace: Namespace): void { this.namespace = namespace; }

  value(): T | undefined {
    const entry = this.table.find(this.namespace);
    return entry === undefined ? this.defaultValue : entry.value as T;
  }

  update(value: T): void {
    // Flink: update(null) clears the state.
    if (value === undefined || value === null) this.table.removeCurrent(this.namespace);
    else this.table.put(this.namespace, value);
  }

  clear(): void { this.table.removeCurrent(this.namespace); }
}

const EMPTY: ReadonlyMap<unknown, unknown> = new Map<unknown, unknown>();

/** Flink's HeapMapState: a user map per (key, namespace); emptied maps are removed. */
export class HeapMapState<K, V> implements MapState<K, V>, InternalKvState {
  private namespace: Namespace = VOID_NAMESPACE;
  constructor(private readonly table: StateTable) {}

  setCurrentNamespace(namespace: Namespace): void { this.namespace = namespace; }

  get(key: K): V | undefined { return this.current().get(key); }

  put(key: K, value: V): void {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) {
      this.table.put(this.namespace, new Map([[key, value]]));
    } else {
      (entry.value as Map<K, V>).set(key, value);
      this.table.written(entry);
    }
  }

  putAll(entries: Iterable<[K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  contains(key: K): boolean { return this.current().has(key); }

  remove(key: K): void {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) return;
    const map = entry.value as Map<K, V>;
    if (!map.delete(key)) return;
    if (map.size === 0) this.table.remove(entry);
    else this.table.written(entry);
  }

  entries(): IterableIterator<[K, V]> { return this.current().entries(); }
  keys(): IterableIterator<K> { return this.current().keys(); }
  values(): IterableIterator<V> { return this.current().values(); }
  isEmpty(): boolean { return this.current().size === 0; }
  clear(): void { this.table.removeCurrent(this.namespace); }

  private current(): ReadonlyMap<K, V> {
    const entry = this.table.find(this.namespace);
    return entry === undefined ? EMPTY as ReadonlyMap<K, V> : entry.value as Map<K, V>;
  }
}
