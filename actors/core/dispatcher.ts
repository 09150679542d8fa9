// The dispatcher: runs actors that have messages, one turn each in round-robin order, and yields
// to the event loop after a time slice so that timers, I/O and other systems interleave fairly.
// A turn processes up to `throughput` messages of one actor synchronously. The first drain after
// idleness starts on a microtask (low latency); a drain that used its slice continues on a
// macrotask (the host's yieldTurn: setImmediate, or a simulated turn). Imports only the host.

import { realHost, type Host } from './host.ts';

/** Something the dispatcher can run: an actor cell. */
export interface Runnable {
  /** Set by the dispatcher while the runnable is queued. */
  scheduled: boolean;
  /** Processes up to `budget` messages; returns how many it processed. */
  runTurn(budget: number): number;
  /** Whether another turn would make progress now. */
  hasRunnableWork(): boolean;
}

/** Messages one actor processes per turn before the next actor gets its turn. */
export const DEFAULT_THROUGHPUT = 256;
/** Messages processed per drain before yielding to the event loop. */
export const DEFAULT_SLICE = 16_384;

/** Runs ready actors fairly. */
export class Dispatcher {
  private ready: Runnable[] = [];
  private head = 0;
  private pending = false;
  private microtaskDrains = 0;

  constructor(
    private readonly throughput = DEFAULT_THROUGHPUT,
    private readonly slice = DEFAULT_SLICE,
    private readonly host: Host = realHost,
    /** Names this dispatcher's turns in simulation traces. */
    private readonly label = 'dispatcher',
  ) {}

  /** Queues `r` for a turn (no-op when already queued). */
  schedule(r: Runnable): void {
    if (r.scheduled) return;
    r.scheduled = true;
    this.ready.push(r);
    if (!this.pending) {
      this.pending = true;
      // A chain of promise-driven drains must still let the event loop breathe now and then.
      if (this.microtaskDrains < 64) { this.microtaskDrains++; queueMicrotask(this.drain); }
      else this.host.yieldTurn(this.label, this.drainAfterYield);
    }
  }

  /** Whether any actor is waiting for a turn. */
  get idle(): boolean { return this.head >= this.ready.length && !this.pending; }

  private readonly drainAfterYield = (): void => {
    this.microtaskDrains = 0;
    this.drain();
  };

  private readonly drain = (): void => {
    let processed = 0;
    const ready = this.ready;
    while (this.head < ready.length) {
      const r = ready[this.head];
      ready[this.head++] = undefined as unknown as Runnable;
      r.scheduled = false;
      processed += r.runTurn(this.throughput);
      if (!r.scheduled && r.hasRunnableWork()) { r.scheduled = true; ready.push(r); }
      if (processed >= this.slice) break;
    }
    if (this.head >= ready.length) {
      ready.length = 0;
      this.head = 0;
      this.pending = false;
    } else {
      if (this.head > 1024) { ready.splice(0, this.head); this.head = 0; }
      this.host.yieldTurn(this.label, this.drainAfterYield);
    }
  };
}
