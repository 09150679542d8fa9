// StateTable: the entries of one named keyed state on the heap, partitioned by key group so that
// snapshots, restores and rescaling move whole key groups. Owns TTL expiry and change tracking for
// incremental checkpoints. Imports only state/ contracts; never api/ or actors/.
import type { Key } from '../key-groups.ts';
import type { Namespace } from '../keyed-state-backend.ts';
import { ABSENT_SLOT, type KeyContext, type KeyContexts } from './key-context.ts';
import { NamespaceList } from './namespace-list.ts';

/** The kinds of keyed state a descriptor can declare. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** One (key, namespace) cell of a state. Mutated in place so that updates do not allocate. */
export interface StateEntry {
  readonly table: StateTable;
  readonly key: Key;
  readonly token: unknown;
  readonly namespace: Namespace;
  readonly keyGroup: number;
  value: unknown;
  /** Processing time of the last write (only maintained for states with a TTL). */
  writtenAt: number;
  /** Already queued in the change log since the last incremental snapshot. */
  dirty: boolean;
  /** False once removed from its table. */
  live: boolean;
  /** Present in the last incremental snapshot chain (so a removal must be recorded). */
  persisted: boolean;
}

/** The key the backend currently addresses, shared by every state of one backend. */
export interface CurrentKey {
  key: Key | undefined;
  /** Map key of `key`: the key itself, or a canonical string for composite keys. */
  token: unknown;
  keyGroup: number;
  /** keyGroup - keyGroupRange.start: index into a table's groups. */
  groupIndex: number;
  /** The key's context (its cached slots), when the table is given contexts. */
  context?: KeyContext | undefined;
}

/** Entries written or removed since the last incremental snapshot (off until first requested). */
export class ChangeLog {
  tracking = false;
  entries: StateEntry[] = [];
}

/**
 * What a key maps to: its only entry (the common case: plain keyed state, or one window per
 * key), or a list of its entries once it has several. Saves a collection per key and a lookup per access.
 */
type Slot = StateEntry | NamespaceList;
type ByKey = Map<unknown, Slot>;

function entryIn(slot: Slot, namespace: Namespace): StateEntry | undefined {
  if (!(slot instanceof NamespaceList)) return slot.namespace === namespace ? slot : undefined;
  return slot.find(namespace);
}

function* entriesOf(byKey: ByKey): IterableIterator<StateEntry> {
  for (const slot of byKey.values()) {
    if (slot instanceof NamespaceList) yield* slot.entries.slice();
    else yield slot;
  }
}

/** No key's token: the slot memo is empty. */
const NO_TOKEN: unknown = Symbol('no key');

/** The map key of a key: primitives are their own key, arrays compare by a canonical string. */
export function keyToken(key: Key): unknown {
  // A lone low surrogate never starts well-formed text, so tokens cannot collide with string keys.
  return typeof key === 'object' ? '\uDFFF' + canonicalKey(key) : key;
}

/** A string that identifies a key by value: equal for equal keys, distinct across key types. */
export function canonicalKey(key: Key): string {
  switch (typeof key) {
    case 'string': return 's' + key.length + ':' + key;
    case 'number': return 'n' + (Object.is(key, -0) ? '0' : String(key));
    case 'bigint': return 'b' + key.toString();
    case 'boolean': return key ? 't' : 'f';
    default: return 'a' + key.length + '[' + key.map(canonicalKey).join(',') + ']';
  }
}

/** A deep copy of a value for snapshots, so later in-place mutation cannot leak into them. */
export function copyValue<T>(value: T): T {
  return typeof value !== 'object' || value === null ? value : structuredClone(value);
}

/** The entries of one named state, by key group, key and namespace. */
export class StateTable {
  /** Unknown for state restored before its descriptor was registered. */
  kind: StateKind | undefined = undefined;
  ttlMs = 0;
  private readonly groups: Array<ByKey | undefined>;
  /**
   * The entry found or written last, with its token: a read followed by a write of the same
   * cell (value() then update(), a window's get() then clear()) looks it up once. Checked for
   * liveness on use; not used with a TTL (reads must check expiry).
   */
  private memo: StateEntry | undefined = undefined;
  /**
   * The slot of the key looked up last (absent: undefined), valid while `slotToken` is that key's
   * token, for tables without key contexts. Any structural change resets it.
   */
  private slotToken: unknown = NO_TOKEN;
  private slotMemo: Slot | undefined = undefined;

  /**
   * `index` and `contexts`: this table's position in every KeyContext's slots, and the backend's
   * contexts; with them the current key's slot is read from its context (no lookup by key), and
   * every structural change of a key's slot is written through to that key's context.
   */
  constructor(
    readonly name: string,
    private readonly firstKeyGroup: number,
    numberOfKeyGroups: number,
    private readonly current: CurrentKey,
    private readonly changes: ChangeLog,
    private readonly clock: () => number,
    private readonly index = -1,
    private readonly contexts: KeyContexts | undefined = undefined,
  ) {
    this.groups = new Array<ByKey | undefined>(numberOfKeyGroups).fill(undefined);
  }

  /** The live entry of the current key in `namespace`; expired entries are removed and absent. */
  find(namespace: Namespace): StateEntry | undefined {
    const memo = this.memo;
    if (memo !== undefined && memo.token === this.current.token && memo.namespace === namespace && memo.live && this.ttlMs === 0) return memo;
    const slot = this.currentSlot();
    if (slot === undefined) return undefined;
    const entry = entryIn(slot, namespace);
    if (entry !== undefined && this.ttlMs > 0 && this.isExpired(entry, this.clock())) {
      this.remove(entry);
      return undefined;
    }
    if (entry !== undefined) this.memo = entry;
    return entry;
  }

  /** Sets the value of the current key in `namespace`, creating the entry if needed. */
  put(namespace: Namespace, value: unknown): StateEntry {
    const c = this.current;
    if (c.key === undefined) throw new Error(`state "${this.name}" accessed without a current key: call setCurrentKey first`);
    let entry = this.memo;
    if (entry === undefined || entry.token !== c.token || entry.namespace !== namespace || !entry.live) {
      const slot = this.currentSlot();
      entry = slot === undefined ? undefined : entryIn(slot, namespace);
      if (entry === undefined) return this.create(namespace, value, slot);
    }
    entry.value = value;
    this.memo = entry;
    this.written(entry);
    return entry;
  }

  /**
   * Adds the entry of the current key in `namespace`, known absent (e.g. a `find` just missed):
   * skips looking for it again. `slot` is the key's slot when the caller has it.
   */
  create(namespace: Namespace, value: unknown, slot: Slot | undefined = this.currentSlot()): StateEntry {
    const c = this.current;
    if (c.key === undefined) throw new Error(`state "${this.name}" accessed without a current key: call setCurrentKey first`);
    const entry = newEntry(this, c.key, c.token, namespace, c.keyGroup, value);
    this.slotToken = NO_TOKEN;
    let byKey = this.groups[c.groupIndex];
    if (byKey === undefined) this.groups[c.groupIndex] = byKey = new Map();
    this.placeIn(byKey, slot, entry);
    this.memo = entry;
    this.written(entry);
    return entry;
  }

  /** Records an in-place write of `entry` (TTL refresh and change tracking). */
  written(entry: StateEntry): void {
    if (this.ttlMs > 0) entry.writtenAt = this.clock();
    if (this.changes.tracking && !entry.dirty) {
      entry.dirty = true;
      this.changes.entries.push(entry);
    }
  }

  /** Removes the entry of the current key in `namespace`, if any. */
  removeCurrent(namespace: Namespace): void {
    let entry = this.memo;
    if (entry === undefined || entry.token !== this.current.token || entry.namespace !== namespace || !entry.live) {
      const slot = this.currentSlot();
      entry = slot === undefined ? undefined : entryIn(slot, namespace);
    }
    if (entry !== undefined) this.remove(entry);
  }

  /** Removes `entry` from the table, dropping emptied maps so namespaces (windows) do not leak. */
  remove(entry: StateEntry): void {
    if (!entry.live) return;
    entry.live = false;
    this.slotToken = NO_TOKEN;
    const byKey = this.groups[entry.keyGroup - this.firstKeyGroup]!;
    const c = this.current.context;
    const cached = c !== undefined && c.token === entry.token && this.index >= 0 ? c.slots[this.index] : undefined;
    const slot = (cached instanceof NamespaceList || cached === entry ? cached : byKey.get(entry.token)) as Slot;
    if (slot instanceof NamespaceList) {
      slot.delete(entry);
      // Back to a single entry, so a key that had two windows does not keep a list forever.
      if (slot.size === 1) this.setSlot(byKey, entry.token, slot.entries[0]);
      else if (slot.size === 0) this.setSlot(byKey, entry.token, undefined);
    } else {
      this.setSlot(byKey, entry.token, undefined);
    }
    if (this.changes.tracking && !entry.dirty) {
      entry.dirty = true;
      this.changes.entries.push(entry);
    }
  }

  /** The live entry at (keyGroup, token, namespace), without touching TTL. */
  lookup(keyGroup: number, token: unknown, namespace: Namespace): StateEntry | undefined {
    const slot = this.groups[keyGroup - this.firstKeyGroup]?.get(token);
    return slot === undefined ? undefined : entryIn(slot, namespace);
  }

  /** Inserts a restored entry (replacing any existing one), value already converted. */
  insert(keyGroup: number, key: Key, namespace: Namespace, value: unknown): void {
    const token = keyToken(key);
    const old = this.lookup(keyGroup, token, namespace);
    if (old !== undefined) {
      old.live = false;
      this.detach(keyGroup - this.firstKeyGroup, old);
    }
    const entry = newEntry(this, key, token, namespace, keyGroup, value);
    // Restored state starts a fresh TTL period: the snapshot format keeps no write times.
    entry.writtenAt = this.clock();
    this.place(keyGroup - this.firstKeyGroup, entry);
  }

  /** True when `entry` outlived the state's TTL at processing time `now`. */
  isExpired(entry: StateEntry, now: number): boolean {
    return this.ttlMs > 0 && now - entry.writtenAt >= this.ttlMs;
  }

  /** Every live entry of key group `keyGroup` (expired ones included; callers filter). */
  entriesOfGroup(keyGroup: number): IterableIterator<StateEntry> {
    const byKey = this.groups[keyGroup - this.firstKeyGroup];
    return byKey === undefined ? [].values() : entriesOf(byKey);
  }

  /**
   * The snapshot rows of key group `keyGroup` without expired entries, or undefined when empty.
   * With `persist`, marks the entries as written to an incremental chain. Plain loops, not
   * generators: this runs over every entry in the synchronous part of a checkpoint.
   */
  snapshotGroup(keyGroup: number, now: number, persist: boolean): Array<[Key, Namespace, unknown]> | undefined {
    const byKey = this.groups[keyGroup - this.firstKeyGroup];
    if (byKey === undefined || byKey.size === 0) return undefined;
    const rows: Array<[Key, Namespace, unknown]> = [];
    for (const slot of byKey.values()) {
      if (slot instanceof NamespaceList) for (const entry of slot.entries) this.snapshotEntry(entry, rows, now, persist);
      else this.snapshotEntry(slot, rows, now, persist);
    }
    return rows.length === 0 ? undefined : rows;
  }

  /** Adds `entry`'s snapshot row to `rows` unless it expired (a method, not a closure per key group: see snapshotGroup). */
  private snapshotEntry(entry: StateEntry, rows: Array<[Key, Namespace, unknown]>, now: number, persist: boolean): void {
    if (this.ttlMs > 0 && now - entry.writtenAt >= this.ttlMs) return;
    const v = entry.value;
    rows.push([entry.key, entry.namespace, this.kind === 'map' ? this.snapshotValue(v) : typeof v !== 'object' || v === null ? v : structuredClone(v)]);
    if (persist) { entry.persisted = true; entry.dirty = false; }
  }

  /** Removes every entry whose TTL has passed; returns them (for change tracking). */
  expire(now: number): StateEntry[] {
    const expired: StateEntry[] = [];
    if (this.ttlMs === 0) return expired;
    for (const byKey of this.groups) {
      if (byKey !== undefined) for (const entry of entriesOf(byKey)) if (this.isExpired(entry, now)) expired.push(entry);
    }
    for (const entry of expired) this.remove(entry);
    return expired;
  }

  /** Number of live entries (expired ones not yet cleaned included). */
  size(): number {
    let n = 0;
    for (const byKey of this.groups) {
      if (byKey !== undefined) for (const slot of byKey.values()) n += slot instanceof NamespaceList ? slot.size : 1;
    }
    return n;
  }

  /** Converts every value in place (restored raw data once the state's kind is known). */
  convertValues(convert: (value: unknown) => unknown): void {
    for (const byKey of this.groups) {
      if (byKey !== undefined) for (const entry of entriesOf(byKey)) entry.value = convert(entry.value);
    }
  }

  /** The snapshot form of an entry's value: maps as [key, value] pairs, everything deep-copied. */
  snapshotValue(value: unknown): unknown {
    if (this.kind === 'map') return Array.from(value as Map<unknown, unknown>, ([k, v]) => [copyValue(k), copyValue(v)]);
    return copyValue(value);
  }

  /** Drops all entries. */
  clear(): void {
    this.slotToken = NO_TOKEN;
    if (this.contexts !== undefined) {
      this.contexts.forgetTable(this.index);
      const c = this.current.context;
      if (c !== undefined) c.slots[this.index] = undefined;
    }
    for (let i = 0; i < this.groups.length; i++) {
      const byKey = this.groups[i];
      if (byKey !== undefined) for (const entry of entriesOf(byKey)) entry.live = false;
      this.groups[i] = undefined;
    }
  }

  /** Adds a new entry under its key, growing the key's slot to a map when it has several. */
  private place(groupIndex: number, entry: StateEntry): void {
    this.slotToken = NO_TOKEN;
    let byKey = this.groups[groupIndex];
    if (byKey === undefined) this.groups[groupIndex] = byKey = new Map();
    const slot = byKey.get(entry.token);
    this.placeIn(byKey, slot, entry);
  }

  private placeIn(byKey: ByKey, slot: Slot | undefined, entry: StateEntry): void {
    if (slot === undefined) this.setSlot(byKey, entry.token, entry);
    else if (slot instanceof NamespaceList) slot.add(entry);
    else this.setSlot(byKey, entry.token, new NamespaceList(slot, entry));
  }

  /** Takes `entry` out of its slot without change tracking (it is being replaced). */
  private detach(groupIndex: number, entry: StateEntry): void {
    this.slotToken = NO_TOKEN;
    const byKey = this.groups[groupIndex]!;
    const slot = byKey.get(entry.token)!;
    if (!(slot instanceof NamespaceList)) this.setSlot(byKey, entry.token, undefined);
    else {
      slot.delete(entry);
      if (slot.size === 0) this.setSlot(byKey, entry.token, undefined);
    }
  }

  /** Sets (or with undefined, deletes) the slot of `token`, writing it through to the key's context. */
  private setSlot(byKey: ByKey, token: unknown, slot: Slot | undefined): void {
    if (slot === undefined) byKey.delete(token);
    else byKey.set(token, slot);
    if (this.contexts === undefined) return;
    const c = this.current.context;
    const context = c !== undefined && c.token === token ? c : this.contexts.get(token);
    if (context !== undefined) context.slots[this.index] = slot === undefined ? ABSENT_SLOT : slot;
  }

  /** The slot of the current key: from its context, or remembered across calls for the same key. */
  private currentSlot(): Slot | undefined {
    const context = this.current.context;
    if (context !== undefined && this.index >= 0) {
      const cached = context.slots[this.index];
      if (cached === ABSENT_SLOT) return undefined;
      if (cached !== undefined) return cached as Slot;
      const slot = this.groups[context.groupIndex]?.get(context.token);
      context.slots[this.index] = slot === undefined ? ABSENT_SLOT : slot;
      return slot;
    }
    const token = this.current.token;
    if (token === this.slotToken) return this.slotMemo;
    const slot = this.groups[this.current.groupIndex]?.get(token);
    this.slotToken = token;
    this.slotMemo = slot;
    return slot;
  }

}

function newEntry(table: StateTable, key: Key, token: unknown, namespace: Namespace, keyGroup: number, value: unknown): StateEntry {
  return {
    table, key, token, namespace, keyGroup, value,
    writtenAt: 0, dirty: false, live: true, persisted: false,
  };
}

// An entry's namespace is a string or a number (a window). V8 stores a field that has only held
// numbers as a box per object; one entry with a string namespace, made at load, keeps the field
// tagged, so a window's namespace is shared by its entries rather than copied into each.
newEntry(undefined as unknown as StateTable, '', '', '', 0, undefined);
