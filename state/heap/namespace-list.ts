// NamespaceList: the entries of one key that has several namespaces (windows) in a StateTable,
// in insertion order, found by a scan from both ends (or a Map past a few hundred). Split out of
// state-table.ts. Imports only state/ contracts.
import type { Namespace } from '../keyed-state-backend.ts';
import type { StateEntry } from './state-table.ts';

/**
 * Namespaces of one key beyond which a NamespaceList also indexes its entries in a Map; the index
 * is dropped again below a quarter of that (hysteresis: no rebuild per window).
 */
const INDEX_AT = 256;

/**
 * The entries of a key with several namespaces (windows), in insertion order. A small array: a
 * key usually has a few windows, added newest last and dropped oldest first, so a scan (or the
 * remembered newest entry) beats hashing, and nothing is allocated per window. Past INDEX_AT
 * entries a Map by namespace keeps lookups constant-time.
 */
export class NamespaceList {
  readonly entries: StateEntry[];
  /** The entry added last (elements mostly go to a key's newest window). */
  last: StateEntry;
  index: Map<Namespace, StateEntry> | undefined = undefined;
  constructor(first: StateEntry, second: StateEntry) {
    this.entries = [first, second];
    this.last = second;
  }

  get size(): number { return this.entries.length; }

  find(namespace: Namespace): StateEntry | undefined {
    const last = this.last;
    if (last.namespace === namespace && last.live) return last;
    if (this.index !== undefined) return this.index.get(namespace);
    // From both ends: elements go to the newest windows (the back), firing reads the oldest (the front).
    const entries = this.entries;
    for (let i = 0, j = entries.length - 1; i <= j; i++, j--) {
      if (entries[i].namespace === namespace) return entries[i];
      if (entries[j].namespace === namespace) return entries[j];
    }
    return undefined;
  }

  add(entry: StateEntry): void {
    this.entries.push(entry);
    this.last = entry;
    if (this.index !== undefined) this.index.set(entry.namespace, entry);
    else if (this.entries.length > INDEX_AT) this.index = new Map(this.entries.map((e) => [e.namespace, e]));
  }

  /** Removes `entry` (present); the oldest entries go first, so the search starts at the front. */
  delete(entry: StateEntry): void {
    const entries = this.entries;
    const i = entries.indexOf(entry);
    if (i === 0) entries.shift();
    else entries.splice(i, 1);
    if (this.index !== undefined) {
      this.index.delete(entry.namespace);
      if (entries.length <= INDEX_AT / 4) this.index = undefined;
    }
    if (this.last === entry && entries.length > 0) this.last = entries[entries.length - 1];
  }
}
