// Checkers: what a simulated run must satisfy, computed independently of the runtime. Exactly-once
// output compares the records a job committed with what a plain loop over the same input gives;
// the supervision model predicts an actor's lifecycle state from the failures it was sent (OTP's
// restart intensity); acknowledged actor state must survive crashes. Imports nothing.

/** Whether `actual` holds exactly the records of `expected` (as a multiset), and if not, the first difference. */
export function compareMultisets<T>(actual: readonly T[], expected: readonly T[], show: (t: T) => string = (t) => JSON.stringify(t)): { ok: boolean; detail?: string } {
  const counts = new Map<string, number>();
  for (const e of expected) { const k = show(e); counts.set(k, (counts.get(k) ?? 0) + 1); }
  for (const a of actual) { const k = show(a); counts.set(k, (counts.get(k) ?? 0) - 1); }
  const missing: string[] = [], extra: string[] = [];
  for (const [k, n] of [...counts].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (n > 0) missing.push(n > 1 ? `${k} x${n}` : k);
    else if (n < 0) extra.push(-n > 1 ? `${k} x${-n}` : k);
  }
  if (missing.length === 0 && extra.length === 0) return { ok: true };
  const parts = [`${actual.length} records, expected ${expected.length}`];
  if (missing.length > 0) parts.push(`missing ${missing.length} distinct (first ${missing.slice(0, 3).join(', ')})`);
  if (extra.length > 0) parts.push(`duplicated or unexpected ${extra.length} distinct (first ${extra.slice(0, 3).join(', ')})`);
  return { ok: false, detail: parts.join('; ') };
}

/** What `keyBy(key).sum(1)` over (key, 1) pairs emits, by a plain loop: each key's running counts. */
export function expectedRunningCounts(keys: Iterable<number>): Array<[number, number]> {
  const counts = new Map<number, number>();
  const out: Array<[number, number]> = [];
  for (const k of keys) {
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    out.push([k, n]);
  }
  return out;
}

/** What tumbling windows of `sizeMs` summing (key, value) by event time emit, by a plain loop: [key, windowStart, sum]. */
export function expectedWindowSums(records: Iterable<{ key: number; value: number; timestamp: number }>, sizeMs: number): Array<[number, number, number]> {
  const sums = new Map<string, [number, number, number]>();
  for (const r of records) {
    const start = r.timestamp - (((r.timestamp % sizeMs) + sizeMs) % sizeMs);
    const id = `${r.key}@${start}`;
    const cur = sums.get(id);
    if (cur) cur[2] += r.value;
    else sums.set(id, [r.key, start, r.value]);
  }
  return [...sums.values()];
}

/**
 * OTP restart intensity as a plain model: a supervisor allows `maxRestarts` restarts within any
 * `withinMs`; one more fails it (then the system guardian stops it).
 */
export class SupervisionModel {
  private times: number[] = [];
  /** Whether the supervisor is still running. */
  running = true;

  constructor(readonly maxRestarts: number, readonly withinMs: number) {}

  /** A child failed at `now` and is to be restarted; false when that exceeds the intensity (the supervisor stops). */
  childFailed(now: number): boolean {
    if (!this.running) return false;
    this.times = this.times.filter((t) => t > now - this.withinMs);
    this.times.push(now);
    if (this.times.length > this.maxRestarts) this.running = false;
    return this.running;
  }

  /** The supervisor started afresh (its process restarted). */
  reset(): void { this.times = []; this.running = true; }
}
