// HeapKeyedStateBackend: working keyed state in memory (Flink's HeapKeyedStateBackend), partitioned
// by key group, accessed synchronously for the current key and namespace. Besides full snapshots it
// tracks changed entries so that incremental checkpoints write only what changed.
// Imports only state/ contracts; never api/ or actors/.
import { assignToKeyGroup, type Key, type KeyGroupRange } from '../key-groups.ts';
import type {
  InternalKvState, InternalMergingState, KeyedStateBackend, KeyedStateSnapshot, Namespace,
} from '../keyed-state-backend.ts';
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState,
  MapStateDescriptor, ReducingState, ReducingStateDescriptor, StateDescriptor, ValueState,
  ValueStateDescriptor,
} from '../state-descriptors.ts';
import { HeapAggregatingState, HeapListState, HeapReducingState } from './heap-merging-states.ts';
import { HeapMapState, HeapValueState } from './heap-value-state.ts';
import { KeyContext, KeyContexts } from './key-context.ts';
import { ChangeLog, keyToken, StateTable, type CurrentKey, type StateKind } from './state-table.ts';

/** Options of a heap backend. */
export interface HeapKeyedStateBackendOptions {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing time for TTL; defaults to the wall clock. */
  readonly clock?: () => number;
  /** How many keys' contexts (key group, cached slots) are kept before they are all dropped. */
  readonly keyContextLimit?: number;
}

/** Entries removed since the previous incremental snapshot: per key group, per state, [key, namespace]. */
export type KeyedStateDeletions = Record<number, Record<string, Array<[Key, Namespace]>>>;

/**
 * What changed since the previous `snapshotIncremental()`. When `full` is true (the first call,
 * after a restore, or after `resetIncrementalBase()`), `changes` holds the whole state and
 * readers must not combine it with earlier snapshots.
 */
export interface IncrementalKeyedSnapshot {
  readonly full: boolean;
  readonly maxParallelism: number;
  /** Entries written since the previous snapshot (same shape as a full snapshot's key groups). */
  readonly changes: KeyedStateSnapshot['keyGroups'];
  readonly deletions: KeyedStateDeletions;
}

interface Registered { readonly kind: StateKind; readonly state: InternalKvState }

/** Working keyed state of one subtask, held on the heap. */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  private readonly clock: () => number;
  private readonly current: CurrentKey = { key: undefined, token: undefined, keyGroup: -1, groupIndex: -1, context: undefined };
  /** Per key: its key group, its slot in each table, its recent timers (one lookup per key change). */
  private readonly contexts: KeyContexts;
  private readonly tables = new Map<string, StateTable>();
  private readonly registered = new Map<string, Registered>();
  private readonly changes = new ChangeLog();

  constructor(options: HeapKeyedStateBackendOptions) {
    const { maxParallelism, keyGroupRange } = options;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1) throw new RangeError(`maxParallelism must be a positive integer, got ${maxParallelism}`);
    if (keyGroupRange.start < 0 || keyGroupRange.end >= maxParallelism) {
      throw new RangeError(`key-group range [${keyGroupRange.start}, ${keyGroupRange.end}] is not within [0, ${maxParallelism - 1}]`);
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = { start: keyGroupRange.start, end: keyGroupRange.end };
    this.clock = options.clock ?? Date.now;
    this.contexts = new KeyContexts(options.keyContextLimit);
  }

  setCurrentKey(key: Key): void {
    const token = typeof key === 'object' ? keyToken(key) : key;
    const c = this.current;
    let context = c.context;
    if (context === undefined || context.token !== token) {
      context = this.contexts.get(token);
      if (context === undefined) context = this.newContext(key, token);
      c.context = context;
      c.token = token;
      c.keyGroup = context.keyGroup;
      c.groupIndex = context.groupIndex;
    }
    c.key = key;
  }

  /** The current key's context (timer services keep per-key data in it). */
  currentContext(): KeyContext {
    const context = this.current.context;
    if (context === undefined || this.current.key === undefined) throw new Error('no current key: call setCurrentKey first');
    return context;
  }

  /** Reserves a timer service's position in every key context's `timers`. */
  registerTimerService(): number { return this.contexts.timerServices++; }

  /** Drops the recent timers of timer service `index` from every key context. */
  forgetTimers(index: number): void {
    this.contexts.forgetTimers(index);
    const c = this.current.context;
    if (c !== undefined) c.timers[index] = undefined;
  }

  private newContext(key: Key, token: unknown): KeyContext {
    const keyGroup = assignToKeyGroup(key, this.maxParallelism);
    const { start, end } = this.keyGroupRange;
    if (keyGroup < start || keyGroup > end) {
      throw new RangeError(`key ${String(key)} is in key group ${keyGroup}, outside this backend's key-group range [${start}, ${end}] (maxParallelism ${this.maxParallelism}): records were routed to the wrong subtask`);
    }
    const context = new KeyContext(key, token, keyGroup, keyGroup - start, this.contexts.tables);
    this.contexts.add(context);
    return context;
  }

  getCurrentKey(): Key {
    if (this.current.key === undefined) throw new Error('no current key: call setCurrentKey first');
    return this.current.key;
  }

  getCurrentKeyGroup(): number { return this.current.keyGroup; }

  getValueState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> & InternalKvState {
    return this.register(descriptor, (t) => new HeapValueState<T>(t, descriptor.options.defaultValue)) as HeapValueState<T>;
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> & InternalMergingState {
    return this.register(descriptor, (t) => new HeapListState<T>(t)) as HeapListState<T>;
  }

  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> & InternalKvState {
    return this.register(descriptor, (t) => new HeapMapState<K, V>(t)) as HeapMapState<K, V>;
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> & InternalMergingState {
    return this.register(descriptor, (t) => new HeapReducingState<T>(t, descriptor.reduceFn)) as HeapReducingState<T>;
  }

  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> & InternalMergingState {
    return this.register(descriptor, (t) => new HeapAggregatingState<IN, ACC, OUT>(t, descriptor.aggregateFn)) as HeapAggregatingState<IN, ACC, OUT>;
  }

  getKeys(stateName: string, namespace: Namespace): Iterable<Key> {
    const table = this.tables.get(stateName);
    const keys: Key[] = [];
    if (table === undefined) return keys;
    const now = this.clock();
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      for (const entry of table.entriesOfGroup(kg)) {
        if (entry.namespace === namespace && !table.isExpired(entry, now)) keys.push(entry.key);
      }
    }
    return keys;
  }

  /** Number of (state, key, namespace) entries held, expired ones not yet cleaned included. */
  numEntries(): number {
    let n = 0;
    for (const table of this.tables.values()) n += table.size();
    return n;
  }

  snapshot(): KeyedStateSnapshot {
    return { maxParallelism: this.maxParallelism, keyGroups: this.copyKeyGroups(false) };
  }

  /**
   * The entries written and removed since the previous call. The first call (and the first after
   * a restore or `resetIncrementalBase()`) returns the full state with `full: true`; change
   * tracking only costs anything once this has been called.
   */
  snapshotIncremental(): IncrementalKeyedSnapshot {
    const now = this.clock();
    const log = this.changes;
    if (!log.tracking) {
      for (const table of this.tables.values()) table.expire(now);
      const changes = this.copyKeyGroups(true);
      log.tracking = true;
      log.entries = [];
      return { full: true, maxParallelism: this.maxParallelism, changes, deletions: {} };
    }
    // Expired entries are removed first so that they are recorded as deletions below.
    for (const table of this.tables.values()) table.expire(now);
    const changes: Record<number, Record<string, Array<[Key, Namespace, unknown]>>> = {};
    const deletions: KeyedStateDeletions = {};
    const dirty = log.entries;
    log.entries = [];
    for (const entry of dirty) {
      entry.dirty = false;
      const table = entry.table;
      if (entry.live) {
        entry.persisted = true;
        ((changes[entry.keyGroup] ??= {})[table.name] ??= []).push([entry.key, entry.namespace, table.snapshotValue(entry.value)]);
      } else if (entry.persisted) {
        entry.persisted = false;
        // A removed entry replaced by a new one in the same interval is written as the new one.
        if (table.lookup(entry.keyGroup, entry.token, entry.namespace) !== undefined) continue;
        ((deletions[entry.keyGroup] ??= {})[table.name] ??= []).push([entry.key, entry.namespace]);
      }
    }
    return { full: false, maxParallelism: this.maxParallelism, changes, deletions };
  }

  /** Makes the next `snapshotIncremental()` full, e.g. after a checkpoint it built on was aborted. */
  resetIncrementalBase(): void {
    for (const entry of this.changes.entries) entry.dirty = false;
    this.changes.entries = [];
    this.changes.tracking = false;
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    const { start, end } = this.keyGroupRange;
    for (const snapshot of snapshots) {
      if (snapshot.maxParallelism !== this.maxParallelism) {
        throw new Error(`cannot restore keyed state written with maxParallelism ${snapshot.maxParallelism} into maxParallelism ${this.maxParallelism}: max parallelism must not change across restores`);
      }
      for (const [kgText, group] of Object.entries(snapshot.keyGroups)) {
        const kg = Number(kgText);
        if (kg < start || kg > end) continue;
        for (const [name, rows] of Object.entries(group)) {
          const table = this.table(name);
          for (const [key, namespace, value] of rows) table.insert(kg, key, namespace, restoredValue(table.kind, value));
        }
      }
    }
    this.resetIncrementalBase();
  }

  /**
   * Drops every entry but keeps the registered states usable (batch mode clears the state of a
   * key once its input has been processed). Cheap for a backend of few key groups and contexts.
   */
  clearEntries(): void {
    for (const table of this.tables.values()) table.clear();
    this.resetIncrementalBase();
  }

  dispose(): void {
    for (const table of this.tables.values()) table.clear();
    this.tables.clear();
    this.registered.clear();
    this.resetIncrementalBase();
    this.current.key = undefined;
    this.current.context = undefined;
    this.current.token = undefined;
  }

  private copyKeyGroups(persist: boolean): KeyedStateSnapshot['keyGroups'] {
    const now = this.clock();
    const keyGroups: Record<number, Record<string, Array<[Key, Namespace, unknown]>>> = {};
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      let group: Record<string, Array<[Key, Namespace, unknown]>> | undefined;
      for (const table of this.tables.values()) {
        const rows = table.snapshotGroup(kg, now, persist);
        if (rows !== undefined) (group ??= {})[table.name] = rows;
      }
      if (group !== undefined) keyGroups[kg] = group;
    }
    return keyGroups;
  }

  private table(name: string): StateTable {
    let table = this.tables.get(name);
    if (table === undefined) {
      const size = this.keyGroupRange.end - this.keyGroupRange.start + 1;
      table = new StateTable(name, this.keyGroupRange.start, size, this.current, this.changes, this.clock, this.contexts.tables++, this.contexts);
      this.tables.set(name, table);
    }
    return table;
  }

  private register(descriptor: StateDescriptor, create: (table: StateTable) => InternalKvState): InternalKvState {
    const existing = this.registered.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.kind !== descriptor.kind) {
        throw new Error(`state "${descriptor.name}" is already registered as ${existing.kind} state; it cannot also be ${descriptor.kind} state`);
      }
      return existing.state;
    }
    const table = this.table(descriptor.name);
    if (table.kind === undefined && descriptor.kind === 'map') table.convertValues((v) => restoredValue('map', v));
    table.kind = descriptor.kind;
    table.ttlMs = descriptor.options.ttlMs ?? 0;
    const state = create(table);
    this.registered.set(descriptor.name, { kind: descriptor.kind, state });
    return state;
  }
}

/** A snapshot value as working state: map states come back from [key, value] pairs. */
function restoredValue(kind: StateKind | undefined, value: unknown): unknown {
  if (kind === 'map') return value instanceof Map ? value : new Map(structuredClone(value) as Array<[unknown, unknown]>);
  return typeof value !== 'object' || value === null ? value : structuredClone(value);
}
