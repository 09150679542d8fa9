// VirtualClock: a ManualClock that also tells when its next timer is due, so that a driver can
// jump over virtual time in which nothing is scheduled instead of stepping through it. Timers due
// at the same instant run in the order they were scheduled. A binary heap keeps scheduling and
// advancing O(log n) with the thousands of timers a simulated cluster holds. Imports the Clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';

interface Timer { readonly at: number; readonly seq: number; readonly callback: () => void; cancelled: boolean }

function before(a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq); }

/** Virtual time that moves only when told to. */
export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(startMs = 0) { this.time = startMs; }

  now(): number { return this.time; }

  schedule(delayMs: number, callback: () => void): Cancel {
    const timer: Timer = { at: this.time + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0), seq: this.seq++, callback, cancelled: false };
    this.push(timer);
    return () => { timer.cancelled = true; };
  }

  /** When the next live timer is due, if any. */
  nextDueAt(): number | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap[0]?.at;
  }

  /** Moves time forward by `ms`, running every callback that falls due, earliest first. */
  advance(ms: number): void { this.advanceTo(this.time + ms); }

  /** Moves time to `target` (never backwards), running due callbacks in order (also ones they schedule). */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDueAt();
      if (next === undefined || next > target) break;
      const timer = this.pop()!;
      this.time = Math.max(this.time, timer.at);
      timer.cancelled = true;
      timer.callback();
    }
    this.time = Math.max(this.time, target);
  }

  /** Live timers waiting. */
  pending(): number { return this.heap.filter((t) => !t.cancelled).length; }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
