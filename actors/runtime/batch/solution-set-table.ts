// The solution set of a delta iteration while it runs: a partitioned hash table that keeps a
// bounded amount in memory and spills whole buckets to local files, as Flink's solution set is a
// hash table in managed memory. Keys go to key partitions as keyBy assigns them (the partition is
// the subtask that writes them out at the end), and within a partition to buckets by other bits
// of the same hash. A bucket is resident (a Map in memory) or spilled (a file of frames, each a
// list of entries; a later entry of a key replaces an earlier one, so the delta merged at a
// superstep barrier is appended, and a file with more stale entries than live ones is rewritten
// when it is next read). Resident buckets hold at most half the budget; beyond it the largest
// one spills. The number of buckets comes from the initial solution's size; when the solution
// grew so that a bucket (resident, or read back) holds more than a quarter of the budget, the
// table doubles its buckets at the next barrier (flush), moving every entry, a bucket at a time.
// A join probes through SpillingProbe (solution-set-probe.ts): a key of a resident bucket is
// answered at once; lookups of spilled buckets wait until the join's input ends, then are
// answered bucket by bucket, each bucket read once (a hybrid hash join). Nothing changes the
// entries during a superstep (puts come at the barrier), so every lookup sees the solution as it
// was when the superstep started. Every file is removed by dispose(), which the iteration runs
// at its end and on failure. Imports state/, api/ and actors/runtime/batch.
import { unlinkSync } from 'node:fs';
import { keyHash, operatorIndexForKeyGroup, type Key } from '../../../state/key-groups.ts';
import { mapKey, type SolutionSetPartitions, type SolutionSetProbe, type SolutionSetTable } from '../../../api/graph/iteration-spec.ts';
import { estimateBytes } from '../../../api/operators/key-order.ts';
import { appendFrameList, SpillingProbe } from './solution-set-probe.ts';
import { readFrames, type SpillDirectory } from './spill-files.ts';

/** Entries per frame of a bucket or probe file. */
const FRAME_ENTRIES = 512;

/** What the table measured (tests, logs). */
export interface SolutionSetStats {
  buckets: number;
  /** Times a bucket was moved to disk, and buckets read back from disk. */
  bucketSpills: number;
  bucketReads: number;
  /** Workset elements whose lookup waited for a spilled bucket. */
  deferredProbes: number;
  /** Entries (and waiting lookups and puts) held in memory now, and at most. */
  entriesInMemory: number;
  peakEntriesInMemory: number;
  /** Spill files the table created. */
  files: number;
  /** Times the solution outgrew its buckets and their number doubled. */
  rehashes: number;
}

interface Bucket {
  /** The entries, when the bucket is resident. */
  map: Map<unknown, unknown> | undefined;
  /** Estimated bytes of the resident entries. */
  bytes: number;
  /** The bucket's file, when spilled; entries written to it (stale ones included) and live ones. */
  path: string | undefined;
  written: number;
  live: number;
  /** Puts into the spilled bucket not yet written. */
  pending: unknown[];
  /** Estimated bytes of the spilled bucket's live entries: exact when read, plus what was appended since. */
  estimate: number;
}

const emptyBucket = (): Bucket => ({ map: new Map(), bytes: 0, path: undefined, written: 0, live: 0, pending: [], estimate: 0 });

/** Most buckets per key partition. */
const MAX_BUCKETS_PER_PARTITION = 4096;

/** Writes `entries` as frames of FRAME_ENTRIES at the end of `path`. */
function appendFrames(path: string, entries: readonly unknown[], directory: SpillDirectory): void {
  const frames: unknown[][] = [];
  for (let i = 0; i < entries.length; i += FRAME_ENTRIES) frames.push(entries.slice(i, i + FRAME_ENTRIES));
  appendFrameList(path, frames, directory);
}


function remove(path: string | undefined): void {
  if (path === undefined) return;
  try { unlinkSync(path); } catch { /* the job's spill directory goes with the job anyway */ }
}

/** A delta iteration's solution set over `partitions.keySelector`, within `memoryBytes`. */
export class SpillingSolutionSet<S> implements SolutionSetTable<S> {
  readonly stats: SolutionSetStats;
  private buckets: Bucket[];
  private perPartition: number;
  private residentBytes = 0;
  private pendingBytes = 0;
  private readonly probes = new Set<SpillingProbe<unknown, S>>();
  private readonly files = new Set<string>();
  private disposed = false;
  /** Bytes of the largest bucket measured over a quarter of the budget (0: none), and whether one only grew past it by appends. */
  private oversized = 0;
  private grown = false;

  /**
   * `expectedBytes`: the estimated size of the solution set (the initial one), which sets the
   * number of buckets so that one bucket read back fits in an eighth of the budget.
   */
  constructor(
    private readonly partitions: SolutionSetPartitions<S>,
    private readonly parallelism: number,
    private readonly maxParallelism: number,
    readonly memoryBytes: number,
    private readonly directory: SpillDirectory,
    expectedBytes: number,
  ) {
    const bucketBytes = Math.max(1, memoryBytes / 8);
    this.perPartition = Math.min(MAX_BUCKETS_PER_PARTITION, Math.max(1, Math.ceil((expectedBytes * 1.5) / bucketBytes / parallelism)));
    this.buckets = Array.from({ length: parallelism * this.perPartition }, emptyBucket);
    this.stats = { buckets: this.buckets.length, bucketSpills: 0, bucketReads: 0, deferredProbes: 0, entriesInMemory: 0, peakEntriesInMemory: 0, files: 0, rehashes: 0 };
  }

  /** The bucket index of `key`. */
  bucketOf(key: Key): number {
    const hash = keyHash(key);
    const partition = operatorIndexForKeyGroup(this.maxParallelism, this.parallelism, hash % this.maxParallelism);
    return partition * this.perPartition + (Math.floor(hash / this.maxParallelism) % this.perPartition);
  }

  /** The resident entries of bucket `index`, or undefined when it is spilled. */
  resident(index: number): Map<unknown, unknown> | undefined { return this.buckets[index].map; }

  put(value: S): void {
    this.checkOpen();
    const key = this.partitions.keyOf(value);
    const bucket = this.buckets[this.bucketOf(key)];
    const size = estimateBytes(value);
    if (bucket.map !== undefined) {
      const k = mapKey(key);
      const old = bucket.map.get(k);
      if (old === undefined) this.count(1); else { bucket.bytes -= estimateBytes(old); this.residentBytes -= estimateBytes(old); }
      bucket.map.set(k, value);
      bucket.bytes += size;
      this.residentBytes += size;
      if (bucket.bytes > this.memoryBytes / 4) this.oversized = Math.max(this.oversized, bucket.bytes);
      this.evict();
      return;
    }
    bucket.pending.push(value);
    this.pendingBytes += size;
    this.count(1);
    if (bucket.pending.length >= FRAME_ENTRIES) this.writePending(bucket);
    if (this.pendingBytes > this.memoryBytes / 8) for (const b of this.buckets) this.writePending(b);
  }

  flush(): void {
    // Between supersteps every join subtask has finished: a probe still open is a failed
    // attempt's that was never closed; its waiting lookups and file go.
    for (const probe of this.probes) probe.dispose();
    for (const b of this.buckets) this.writePending(b);
    if ((this.oversized > 0 || this.grown) && this.perPartition < MAX_BUCKETS_PER_PARTITION) this.rehash();
  }

  *values(index: number): Generator<S> {
    this.checkOpen();
    for (let b = index * this.perPartition; b < (index + 1) * this.perPartition; b++) {
      const resident = this.buckets[b].map;
      if (resident !== undefined) { yield* resident.values() as IterableIterator<S>; continue; }
      const loaded = this.read(b);
      try { yield* loaded.values() as IterableIterator<S>; } finally { this.release(loaded); }
    }
  }

  /** Doubles the buckets (until none would hold more than an eighth of the budget), moving every entry. */
  private rehash(): void {
    const old = this.buckets;
    let factor = 2;
    while (this.perPartition * factor < MAX_BUCKETS_PER_PARTITION && this.oversized / factor > this.memoryBytes / 8) factor *= 2;
    this.oversized = 0;
    this.grown = false;
    this.perPartition = Math.min(MAX_BUCKETS_PER_PARTITION, this.perPartition * factor);
    this.buckets = Array.from({ length: this.parallelism * this.perPartition }, emptyBucket);
    this.residentBytes = 0;
    this.stats.buckets = this.buckets.length;
    this.stats.rehashes++;
    for (const bucket of old) {
      if (bucket.map !== undefined) {
        const map = bucket.map;
        bucket.map = undefined;
        try { for (const value of map.values()) this.put(value as S); } finally { this.release(map); }
      } else {
        // Frame by frame, in the order written: a later entry of a key replaces an earlier one here too.
        this.writePending(bucket);
        if (bucket.path !== undefined) for (const frame of readFrames(bucket.path)) for (const value of frame as unknown[]) this.put(value as S);
      }
      this.forget(bucket.path);
    }
    for (const b of this.buckets) this.writePending(b);
  }

  openProbe<W>(onMatch: (entry: S | undefined, w: W, timestamp: number) => void): SolutionSetProbe<W> {
    this.checkOpen();
    const probe = new SpillingProbe<W, S>(this, onMatch, this.directory, Math.max(4096, this.memoryBytes / 4 / this.parallelism));
    this.probes.add(probe as SpillingProbe<unknown, S>);
    return probe;
  }

  /** Reads spilled bucket `index` into a Map (released with `release`); rewrites a file mostly stale. */
  read(index: number): Map<unknown, unknown> { return this.readBucket(this.buckets[index]); }

  private readBucket(bucket: Bucket): Map<unknown, unknown> {
    this.writePending(bucket);
    const map = new Map<unknown, unknown>();
    if (bucket.path !== undefined) {
      for (const frame of readFrames(bucket.path)) {
        for (const value of frame as unknown[]) {
          const k = mapKey(this.partitions.keyOf(value as S));
          if (!map.has(k)) this.count(1);
          map.set(k, value);
        }
      }
    }
    this.stats.bucketReads++;
    bucket.live = map.size;
    let bytes = 0;
    for (const v of map.values()) bytes += estimateBytes(v);
    bucket.estimate = bytes;
    if (bytes > this.memoryBytes / 4) this.oversized = Math.max(this.oversized, bytes);
    if (bucket.written > 2 * bucket.live + 16) {
      const old = bucket.path;
      bucket.path = this.newFile('solution-bucket');
      appendFrames(bucket.path, [...map.values()], this.directory);
      bucket.written = map.size;
      this.forget(old);
    }
    return map;
  }

  /** A Map from `read` is no longer used. */
  release(map: Map<unknown, unknown>): void { this.count(-map.size); }

  /** Entries held for a waiting lookup (`n` may be negative). */
  count(n: number): void {
    const s = this.stats;
    s.entriesInMemory += n;
    if (s.entriesInMemory > s.peakEntriesInMemory) s.peakEntriesInMemory = s.entriesInMemory;
  }

  /** A new spill file of the table (removed by dispose). */
  newFile(prefix: string): string {
    const path = this.directory.newFile(prefix);
    this.files.add(path);
    this.stats.files++;
    return path;
  }

  /** Removes `path`, a file of the table. */
  forget(path: string | undefined): void {
    if (path === undefined) return;
    this.files.delete(path);
    remove(path);
  }

  /** Removes every file of the table and its probes; the table cannot be used after. */
  dispose(): void {
    for (const probe of this.probes) probe.dispose();
    this.probes.clear();
    for (const path of this.files) remove(path);
    this.files.clear();
    for (const b of this.buckets) { b.map = undefined; b.pending = []; }
    this.disposed = true;
  }

  /** @internal a probe is done. */
  probeClosed(probe: SpillingProbe<unknown, S>): void { this.probes.delete(probe); }

  private checkOpen(): void {
    if (this.disposed) throw new Error('the solution set of this delta iteration was already released');
  }

  /** Spills the largest resident buckets while resident entries exceed half the budget. */
  private evict(): void {
    while (this.residentBytes > this.memoryBytes / 2) {
      let largest = -1;
      for (let i = 0; i < this.buckets.length; i++) {
        const b = this.buckets[i];
        if (b.map !== undefined && b.map.size > 0 && (largest < 0 || b.bytes > this.buckets[largest].bytes)) largest = i;
      }
      if (largest < 0) return;
      const bucket = this.buckets[largest];
      const entries = [...bucket.map!.values()];
      bucket.path = this.newFile('solution-bucket');
      appendFrames(bucket.path, entries, this.directory);
      bucket.written = bucket.live = entries.length;
      bucket.estimate = bucket.bytes;
      this.residentBytes -= bucket.bytes;
      this.count(-entries.length);
      bucket.map = undefined;
      bucket.bytes = 0;
      this.stats.bucketSpills++;
    }
  }

  private writePending(bucket: Bucket): void {
    if (bucket.pending.length === 0) return;
    bucket.path ??= this.newFile('solution-bucket');
    appendFrames(bucket.path, bucket.pending, this.directory);
    bucket.written += bucket.pending.length;
    for (const v of bucket.pending) { const bytes = estimateBytes(v); this.pendingBytes -= bytes; bucket.estimate += bytes; }
    // Appends may replace entries, so the estimate only grows: past twice the limit a read
    // measures exactly, the buckets double (once; a measured size may double them further).
    if (bucket.estimate > this.memoryBytes / 2) this.grown = true;
    this.count(-bucket.pending.length);
    bucket.pending = [];
  }
}
