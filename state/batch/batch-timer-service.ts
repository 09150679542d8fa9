// BatchTimerService: the timer service of a keyed operator in BATCH mode (Flink's
// BatchExecutionInternalTimeService). Input arrives grouped by key, so it holds the timers of the
// current key only: event-time timers fire, in timestamp order, when the operator is told that
// the key's input ended (advanceWatermark(MAX) at the end of the key), and are then forgotten
// with the key (clearKey). Processing-time timers never fire in batch mode and are not kept.
// The watermark an operator sees is -Infinity while a key's records are processed and the
// firing time while its timers fire. Imports state/ contracts only.
import type { Namespace, KeyedStateBackend } from '../keyed-state-backend.ts';
import type { InternalTimerService, Timer, Triggerable } from '../timer-service.ts';

interface Entry { readonly timestamp: number; readonly namespace: Namespace; readonly seq: number; readonly id: string }

/** Event-time timers of the current key, fired when its input ends. */
export class BatchTimerService implements InternalTimerService {
  private watermark = -Infinity;
  /** Pending timers by `timestamp|namespace` (deduplication, deletion). */
  private readonly live = new Map<string, Entry>();
  /** A binary heap by (timestamp, seq); deleted entries are skipped when they come up. */
  private heap: Entry[] = [];
  private seq = 0;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly triggerable: Triggerable,
    private readonly now: () => number,
  ) {}

  currentProcessingTime(): number { return this.now(); }
  currentWatermark(): number { return this.watermark; }

  registerEventTimeTimer(namespace: Namespace, timestamp: number): void {
    const id = `${timestamp}|${typeof namespace}|${namespace}`;
    if (this.live.has(id)) return;
    const entry: Entry = { timestamp, namespace, seq: this.seq++, id };
    this.live.set(id, entry);
    this.push(entry);
  }

  deleteEventTimeTimer(namespace: Namespace, timestamp: number): void {
    this.live.delete(`${timestamp}|${typeof namespace}|${namespace}`);
  }

  /** Batch mode has no processing time: such timers never fire. */
  registerProcessingTimeTimer(): void {}
  deleteProcessingTimeTimer(): void {}

  /** Fires the current key's timers up to `watermark` in timestamp order (also those registered meanwhile). */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    for (;;) {
      const top = this.peekLive();
      if (top === undefined || top.timestamp > watermark) return;
      this.pop();
      this.live.delete(top.id);
      const timer: Timer = { timestamp: top.timestamp, key: this.backend.getCurrentKey(), namespace: top.namespace };
      this.triggerable.onEventTime(timer);
    }
  }

  advanceProcessingTime(): void {}
  nextProcessingTime(): number { return Infinity; }
  nextEventTime(): number { return this.peekLive()?.timestamp ?? Infinity; }

  /** The current key's pending event-time timers (batch jobs take no snapshots). */
  snapshot(): { eventTime: Timer[]; processingTime: Timer[] } {
    const key = this.live.size > 0 ? this.backend.getCurrentKey() : undefined;
    return { eventTime: [...this.live.values()].map((e) => ({ timestamp: e.timestamp, key: key!, namespace: e.namespace })), processingTime: [] };
  }

  restore(snapshot: { eventTime: Timer[]; processingTime: Timer[] }): void {
    for (const t of snapshot.eventTime) this.registerEventTimeTimer(t.namespace, t.timestamp);
  }

  /** The key's input and timers are done: forget its timers, the watermark starts over. */
  clearKey(): void {
    this.live.clear();
    this.heap = [];
    this.watermark = -Infinity;
  }

  /** Pending timers of the current key (tests). */
  get size(): number { return this.live.size; }

  private peekLive(): Entry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.live.get(top.id) === top) return top;
      this.pop();
    }
    return undefined;
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
}
