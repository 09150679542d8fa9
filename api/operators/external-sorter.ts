// ExternalSorter: batch mode's sort of a keyed input by key, timestamp and arrival (see
// key-order.ts). Records collect in memory up to a byte budget (estimated); beyond it the buffer
// is sorted and written to SpillStorage as a run, and sorted() merges the runs and the last
// buffer with a k-way merge (a binary heap of run heads), so memory stays near the budget
// whatever the input size; groups() hands the records out key by key, grouping an unspilled
// buffer by hashing instead of sorting it. Without a SpillStorage everything stays in memory. Pure: the storage
// does the I/O. Imports api/operators only.
import type { Key } from '../../state/key-groups.ts';
import { compareEntries, compareKeys, estimateBytes, type SortEntry } from './key-order.ts';
import type { SpillRun, SpillStorage } from './spill-storage.ts';

/** Bytes counted per record besides its value and key (the entry object, array slot). */
export const ENTRY_OVERHEAD = 64;

/** Sorts one subtask's keyed input, spilling sorted runs beyond `memoryBytes`. */
export class ExternalSorter {
  private buffer: SortEntry[] = [];
  private bufferedBytes = 0;
  private readonly runs: SpillRun[] = [];
  private seq = 0;
  /** Records added. */
  count = 0;
  /** Bytes written to storage over the sorter's life. */
  spilledBytes = 0;

  constructor(private readonly memoryBytes: number, private readonly storage?: SpillStorage) {
    if (!(memoryBytes > 0)) throw new RangeError(`sort memory must be > 0 bytes, got ${memoryBytes}`);
  }

  /** Runs written to storage so far. */
  get spilledRuns(): number { return this.runs.length; }

  add(key: Key, value: unknown, timestamp: number, input: 1 | 2 = 1): void {
    this.buffer.push({ key, timestamp, seq: this.seq++, input, value });
    this.count++;
    this.bufferedBytes += ENTRY_OVERHEAD + estimateBytes(value) + (typeof key === 'object' ? estimateBytes(key) : 8);
    if (this.bufferedBytes > this.memoryBytes && this.storage !== undefined) this.spill();
  }

  /** Every record added, in order; the sorter is empty afterwards (its runs are deleted at the end). */
  *sorted(): Generator<SortEntry> {
    const last = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    last.sort(compareEntries);
    if (this.runs.length === 0) {
      yield* last;
      return;
    }
    const sources: Iterator<SortEntry>[] = this.runs.map((r) => r.read());
    if (last.length > 0) sources.push(last[Symbol.iterator]());
    try {
      yield* mergeSorted(sources);
    } finally {
      this.dispose();
    }
  }

  /**
   * Every record added, grouped by key: the groups in key order, each group's records by
   * timestamp then arrival (the order of sorted()). Without spilled runs the buffer is grouped by
   * hashing (one map lookup per record) and only the distinct keys are sorted; with runs, the
   * merged sort is cut into groups. The sorter is empty afterwards.
   */
  *groups(): Generator<SortEntry[]> {
    if (this.runs.length > 0) {
      let group: SortEntry[] = [];
      for (const entry of this.sorted()) {
        if (group.length > 0 && compareKeys(group[0].key, entry.key) !== 0) { yield group; group = []; }
        group.push(entry);
      }
      if (group.length > 0) yield group;
      return;
    }
    const entries = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    const byKey = new Map<unknown, SortEntry[]>();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const id = groupId(entry.key);
      const group = byKey.get(id);
      if (group === undefined) byKey.set(id, [entry]);
      else group.push(entry);
    }
    const groups = [...byKey.values()];
    groups.sort((a, b) => compareKeys(a[0].key, b[0].key));
    for (const group of groups) {
      // Arrival order already; by timestamp only when they differ (the sort is stable).
      const t = group[0].timestamp;
      for (let i = 1; i < group.length; i++) if (group[i].timestamp !== t) { group.sort(byTimestamp); break; }
      yield group;
    }
  }

  /** Deletes the spilled runs and drops the buffer. */
  dispose(): void {
    for (const r of this.runs.splice(0)) r.delete();
    this.buffer = [];
    this.bufferedBytes = 0;
  }

  private spill(): void {
    const entries = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    entries.sort(compareEntries);
    const run = this.storage!.writeRun(entries);
    this.spilledBytes += run.bytes;
    this.runs.push(run);
  }
}

const byTimestamp = (a: SortEntry, b: SortEntry): number => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0);

/**
 * The map key of a group: primitives as they are (a Map's SameValueZero equality is compareKeys'
 * equality for them), arrays by a text that tells element types apart.
 */
export function groupId(key: Key): unknown {
  return typeof key === 'object' ? `\u0000${JSON.stringify(key, (_k, v) => (
    typeof v === 'bigint' ? { n: v.toString() } : typeof v === 'number' && !Number.isFinite(v) ? { f: String(v) } : v))}` : key;
}

/** K-way merge of sorted iterators (a binary heap of their heads). */
export function* mergeSorted(sources: Iterator<SortEntry>[]): Generator<SortEntry> {
  const heads: Array<{ entry: SortEntry; source: Iterator<SortEntry> }> = [];
  for (const source of sources) {
    const r = source.next();
    if (!r.done) heads.push({ entry: r.value, source });
  }
  const less = (i: number, j: number): boolean => compareEntries(heads[i].entry, heads[j].entry) < 0;
  const down = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heads.length && less(l, m)) m = l;
      if (r < heads.length && less(r, m)) m = r;
      if (m === i) return;
      [heads[i], heads[m]] = [heads[m], heads[i]];
      i = m;
    }
  };
  for (let i = (heads.length >> 1) - 1; i >= 0; i--) down(i);
  while (heads.length > 0) {
    const top = heads[0];
    yield top.entry;
    const r = top.source.next();
    if (!r.done) top.entry = r.value;
    else {
      const last = heads.pop()!;
      if (heads.length === 0) return;
      heads[0] = last;
    }
    down(0);
  }
}
