// CollectRelay: the JobManager's side of collecting a query's rows on a cluster (Flink's collect
// sink and CollectResultFetcher, with the JobManager's REST server as the meeting point, since a
// client may reach the JobManager but never a TaskManager). A result is a bounded buffer named by
// an unguessable id the client draws: collect sinks push batches into it, each batch once
// (a batch id seen before is acknowledged and dropped, so a transaction committed again after a
// recovery is not shown twice); the client fetches from an offset, which also acknowledges every
// row before it, freeing room. A full buffer refuses batches until the client catches up (the
// sink retries: that is the backpressure). Results the client stopped fetching from expire, so the
// sinks of a query whose client died learn it (their pushes answer 'closed') and fail its job.
// Plain class, no I/O; times from the injected clock. Imports the Clock type only.
import type { Clock } from '../../api/time/clock.ts';

/** A batch of rows from one sink transaction (or flush), named for deduplication. */
export interface CollectBatch { readonly batch: string; readonly rows: readonly unknown[] }

/** What a push did. */
export type PushOutcome = 'accepted' | 'duplicate' | 'full' | 'closed';

/** Options of a relay. */
export interface CollectRelayOptions {
  readonly clock: Clock;
  /** Rows a result holds before it refuses batches (a batch is taken whenever there is any room). */
  readonly capacity?: number;
  /** A result its client has not fetched from for this long is dropped (its sinks are then told it is closed). */
  readonly idleMs?: number;
}

/** One result's buffer. */
interface ResultBuffer {
  /** Rows not acknowledged yet; rows[0] is at offset `base`. */
  rows: unknown[];
  base: number;
  readonly seen: Set<string>;
  lastUsed: number;
  readonly waiters: Array<() => void>;
}

/** The default number of rows a result buffers. */
export const DEFAULT_COLLECT_CAPACITY = 10_000;

/** Buffers of collected results by id. */
export class CollectRelay {
  private readonly results = new Map<string, ResultBuffer>();
  /** Ids of results closed (by their client, or expired), with when: pushes to them answer 'closed' for idleMs. */
  private readonly closed = new Map<string, number>();
  private readonly capacity: number;
  private readonly idleMs: number;

  constructor(private readonly options: CollectRelayOptions) {
    this.capacity = options.capacity ?? DEFAULT_COLLECT_CAPACITY;
    this.idleMs = options.idleMs ?? 10 * 60_000;
  }

  /** Adds `batch` to result `id` if there is room and it is new. */
  push(id: string, batch: CollectBatch): PushOutcome {
    this.expire();
    if (this.closed.has(id)) return 'closed';
    const r = this.bufferOf(id);
    if (r.seen.has(batch.batch)) return 'duplicate';
    if (r.rows.length >= this.capacity) return 'full';
    r.seen.add(batch.batch);
    for (const row of batch.rows) r.rows.push(row);
    this.wake(r);
    return 'accepted';
  }

  /**
   * Acknowledges the rows of result `id` before `offset` and returns up to `max` rows from there.
   * Throws a RangeError when `offset` is past what was pushed.
   */
  fetch(id: string, offset: number, max: number): { readonly offset: number; readonly rows: unknown[] } {
    this.expire();
    if (this.closed.has(id)) throw new RangeError(`result ${id} is closed`);
    const r = this.bufferOf(id, true);
    const end = r.base + r.rows.length;
    if (offset > end) throw new RangeError(`offset ${offset} is past the ${end} rows result ${id} received`);
    if (offset > r.base) {
      r.rows = r.rows.slice(offset - r.base);
      r.base = offset;
      this.wake(r); // room for the sinks
    }
    const from = Math.max(offset, r.base);
    return { offset: from, rows: r.rows.slice(from - r.base, from - r.base + max) };
  }

  /** Resolves when result `id` changes (rows pushed, rows acknowledged, closed). */
  changed(id: string): Promise<void> {
    const r = this.results.get(id);
    if (r === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => { r.waiters.push(resolve); });
  }

  /** Whether result `id` can take a batch now. */
  hasRoom(id: string): boolean {
    const r = this.results.get(id);
    return r === undefined || r.rows.length < this.capacity;
  }

  /** Drops result `id`; later pushes to it answer 'closed'. */
  close(id: string): void {
    const r = this.results.get(id);
    this.results.delete(id);
    this.closed.set(id, this.options.clock.now());
    if (r) this.wake(r);
  }

  /** Rows buffered in result `id` (not acknowledged yet). */
  buffered(id: string): number { return this.results.get(id)?.rows.length ?? 0; }

  /** The buffer of result `id` (created on first use); `byClient`: the client's fetch keeps it alive. */
  private bufferOf(id: string, byClient = false): ResultBuffer {
    let r = this.results.get(id);
    if (r === undefined) this.results.set(id, r = { rows: [], base: 0, seen: new Set(), lastUsed: this.options.clock.now(), waiters: [] });
    // Only the client's fetches count as use: sinks pushing into a result nobody reads must not keep it.
    if (byClient) r.lastUsed = this.options.clock.now();
    return r;
  }

  private wake(r: ResultBuffer): void {
    for (const w of r.waiters.splice(0)) w();
  }

  /** Drops results idle for longer than idleMs (checked on use: the relay keeps no timers). */
  private expire(): void {
    const now = this.options.clock.now();
    for (const [id, r] of this.results) if (now - r.lastUsed > this.idleMs) this.close(id);
    for (const [id, at] of this.closed) if (now - at > this.idleMs) this.closed.delete(id);
  }
}
