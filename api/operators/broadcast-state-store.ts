// BroadcastStateStore: the broadcast state of one operator subtask: one map per MapStateDescriptor
// given to stream.broadcast(...). It is operator state, not keyed state: every subtask holds a full
// copy, kept identical because only the broadcast input (which every subtask sees in the same
// order) writes it. Snapshots therefore go out as union state, and a restore takes the first copy
// (Flink's BroadcastState). Imports api/ and state/ types only.
import type { MapStateDescriptor } from '../../state/state-descriptors.ts';
import type { BroadcastState, ReadOnlyBroadcastState } from '../functions/broadcast-process-function.ts';
import type { OperatorStateSnapshot, StateInitializationContext } from './stream-operator.ts';

/** One subtask's copy of all broadcast states, as it goes into a snapshot (msgpack-encodable). */
export interface BroadcastStateCopy { readonly states: Record<string, Array<[unknown, unknown]>> }

/** A broadcast state: a map with a writable and a read-only face. */
class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  readonly map = new Map<K, V>();
  /** The face the non-broadcast side gets: no writing methods at all. */
  readonly readOnly: ReadOnlyBroadcastState<K, V>;

  constructor() {
    const map = this.map;
    this.readOnly = {
      get: (k) => map.get(k),
      contains: (k) => map.has(k),
      immutableEntries: () => copies(map),
      entries: () => copies(map),
      keys: () => map.keys(),
      values: () => map.values(),
      isEmpty: () => map.size === 0,
      size: () => map.size,
    };
  }

  get(key: K): V | undefined { return this.map.get(key); }
  contains(key: K): boolean { return this.map.has(key); }
  immutableEntries(): IterableIterator<[K, V]> { return copies(this.map); }
  entries(): IterableIterator<[K, V]> { return this.map.entries(); }
  keys(): IterableIterator<K> { return this.map.keys(); }
  values(): IterableIterator<V> { return this.map.values(); }
  isEmpty(): boolean { return this.map.size === 0; }
  size(): number { return this.map.size; }
  put(key: K, value: V): void { this.map.set(key, value); }
  putAll(entries: Iterable<[K, V]>): void { for (const [k, v] of entries) this.map.set(k, v); }
  remove(key: K): void { this.map.delete(key); }
  clear(): void { this.map.clear(); }
}

function* copies<K, V>(map: Map<K, V>): IterableIterator<[K, V]> {
  for (const [k, v] of map) yield [k, v];
}

/** The broadcast states of one operator subtask, by descriptor name. */
export class BroadcastStateStore {
  private readonly states = new Map<string, HeapBroadcastState<unknown, unknown>>();

  constructor(descriptors: readonly MapStateDescriptor<any, any>[]) {
    for (const d of descriptors) {
      if (this.states.has(d.name)) throw new Error(`broadcast state "${d.name}" is declared twice`);
      this.states.set(d.name, new HeapBroadcastState());
    }
  }

  /** The writable state of `descriptor` (the broadcast side). */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.lookup(descriptor) as unknown as BroadcastState<K, V>;
  }

  /** The read-only state of `descriptor` (the non-broadcast side). */
  getReadOnlyBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.lookup(descriptor).readOnly as ReadOnlyBroadcastState<K, V>;
  }

  /** This subtask's copy as union state: one element, since every subtask's copy is the same. */
  snapshot(): OperatorStateSnapshot {
    const states: Record<string, Array<[unknown, unknown]>> = {};
    for (const [name, state] of this.states) states[name] = [...state.map];
    const copy: BroadcastStateCopy = { states };
    return { union: [copy] };
  }

  /** Loads the first copy of the union state (all copies are equal); unknown names are dropped. */
  restore(context: StateInitializationContext): void {
    if (!context.isRestored || context.union.length === 0) return;
    const copy = context.union[0] as BroadcastStateCopy;
    for (const [name, state] of this.states) {
      state.map.clear();
      for (const [k, v] of copy.states[name] ?? []) state.map.set(k, v);
    }
  }

  private lookup(descriptor: MapStateDescriptor<unknown, unknown>): HeapBroadcastState<unknown, unknown> {
    const state = this.states.get(descriptor.name);
    if (!state) {
      throw new Error(`broadcast state "${descriptor.name}" does not exist: pass its descriptor to stream.broadcast(...)`);
    }
    return state;
  }
}
