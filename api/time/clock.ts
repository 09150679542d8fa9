// Clock: the only source of processing time. Injected everywhere (actor scheduling, processing-time
// timers, TTL, buffer timeouts) so tests drive time by hand with ManualClock and never sleep.

/** Cancels a scheduled callback. */
export type Cancel = () => void;

/** Processing time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now. */
  schedule(delayMs: number, callback: () => void): Cancel;
}

/** The wall clock, through the host's timers. Timers do not keep the process alive when unref'd. */
export class SystemClock implements Clock {
  now(): number { return Date.now(); }
  schedule(delayMs: number, callback: () => void): Cancel {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  }
}

/** The shared wall clock. */
export const systemClock: Clock = new SystemClock();

interface ManualTimer { at: number; seq: number; callback: () => void; cancelled: boolean }

/** A clock that moves only when told to: `advance(ms)` runs due callbacks in time order. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 0) { this.time = startMs; }

  now(): number { return this.time; }

  schedule(delayMs: number, callback: () => void): Cancel {
    const timer: ManualTimer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return () => { timer.cancelled = true; };
  }

  /** Moves time forward by `ms`, running every callback that falls due, earliest first. */
  advance(ms: number): void { this.advanceTo(this.time + ms); }

  /** Moves time to `target` (never backwards), running due callbacks in order. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.callback();
    }
    this.time = Math.max(this.time, target);
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  /** Number of callbacks waiting. */
  pending(): number { return this.timers.filter((t) => !t.cancelled).length; }

  private nextDue(target: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
