// Heap ListState, ReducingState and AggregatingState: the merging states that windows fold
// namespaces of (session windows). Reducing and aggregating updates mutate the entry in place and
// allocate nothing. Imports only state/ contracts; never api/ or actors/.
import { VOID_NAMESPACE, type InternalMergingState, type Namespace } from '../keyed-state-backend.ts';
import type { AggregateFunction, AggregatingState, ListState, ReduceFunction, ReducingState } from '../state-descriptors.ts';
import type { StateEntry, StateTable } from './state-table.ts';

/** Base of merging states: namespace handling and the merge loop (Flink's AbstractHeapMergingState). */
abstract class HeapMergingState<V> implements InternalMergingState {
  protected namespace: Namespace = VOID_NAMESPACE;
  constructor(protected readonly table: StateTable) {}

  setCurrentNamespace(namespace: Namespace): void { this.namespace = namespace; }

  clear(): void { this.table.removeCurrent(this.namespace); }

  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void {
    let merged: V | undefined;
    let hasMerged = false;
    for (const source of sources) {
      if (source === target) continue;
      const entry = this.table.find(source);
      if (entry === undefined) continue;
      this.table.remove(entry);
      merged = hasMerged ? this.mergeValues(merged as V, entry.value as V) : entry.value as V;
      hasMerged = true;
    }
    if (!hasMerged) return;
    const existing = this.table.find(target);
    this.table.put(target, existing === undefined ? merged : this.mergeValues(existing.value as V, merged as V));
  }

  /**
   * Folds a partial value (an accumulator, a reduced value, a list) combined elsewhere into the
   * current namespace, as if its elements had been added here.
   */
  addPartial(partial: V): void {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) {
      this.table.create(this.namespace, partial);
      return;
    }
    entry.value = this.mergeValues(entry.value as V, partial);
    this.table.written(entry);
  }

  /** Replaces the current namespace's contents in place (recorded as a write for incremental snapshots). */
  setPartial(partial: V): void {
    this.table.put(this.namespace, partial);
  }

  protected abstract mergeValues(a: V, b: V): V;
}

/** Flink's HeapListState: `get()` returns a copy, so callers may keep or modify it. */
export class HeapListState<T> extends HeapMergingState<T[]> implements ListState<T> {
  get(): T[] {
    const entry = this.table.find(this.namespace);
    return entry === undefined ? [] : (entry.value as T[]).slice();
  }

  /** Returns true when the namespace had no list yet (windows register their timers then). */
  add(value: T): boolean {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) {
      this.table.create(this.namespace, [value]);
      return true;
    }
    appendTo(entry, [value]);
    return false;
  }

  addAll(values: T[]): void {
    if (values.length === 0) return;
    const entry = this.table.find(this.namespace);
    if (entry === undefined) this.table.put(this.namespace, values.slice());
    else appendTo(entry, values);
  }

  update(values: T[]): void {
    if (values.length === 0) this.table.removeCurrent(this.namespace);
    else this.table.put(this.namespace, values.slice());
  }

  protected mergeValues(a: T[], b: T[]): T[] {
    for (const v of b) a.push(v);
    return a;
  }
}

function appendTo(entry: StateEntry, values: readonly unknown[]): void {
  const list = entry.value as unknown[];
  for (const v of values) list.push(v);
  entry.table.written(entry);
}

/** Flink's HeapReducingState: the running reduction of every added value. */
export class HeapReducingState<T> extends HeapMergingState<T> implements ReducingState<T> {
  constructor(table: StateTable, private readonly reduceFn: ReduceFunction<T>) { super(table); }

  get(): T | undefined { return this.table.find(this.namespace)?.value as T | undefined; }

  /** Returns true when the namespace had no value yet. */
  add(value: T): boolean {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) {
      this.table.create(this.namespace, value);
      return true;
    }
    entry.value = this.reduceFn(entry.value as T, value);
    this.table.written(entry);
    return false;
  }

  protected mergeValues(a: T, b: T): T { return this.reduceFn(a, b); }
}

/** Flink's HeapAggregatingState: an accumulator per (key, namespace), read through getResult. */
export class HeapAggregatingState<IN, ACC, OUT> extends HeapMergingState<ACC> implements AggregatingState<IN, OUT> {
  constructor(table: StateTable, private readonly aggregateFn: AggregateFunction<IN, ACC, OUT>) { super(table); }

  get(): OUT | undefined {
    const entry = this.table.find(this.namespace);
    return entry === undefined ? undefined : this.aggregateFn.getResult(entry.value as ACC);
  }

  /** Returns true when the namespace had no accumulator yet. */
  add(value: IN): boolean {
    const entry = this.table.find(this.namespace);
    if (entry === undefined) {
      this.table.create(this.namespace, this.aggregateFn.add(value, this.aggregateFn.createAccumulator()));
      return true;
    }
    entry.value = this.aggregateFn.add(value, entry.value as ACC);
    this.table.written(entry);
    return false;
  }

  protected mergeValues(a: ACC, b: ACC): ACC { return this.aggregateFn.merge(a, b); }
}
