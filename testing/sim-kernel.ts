// SimKernel: the single-threaded scheduler a simulation runs on. Every timer of the virtual clock
// and every event-loop turn the runtime yields goes into one queue ordered by (virtual time,
// sequence); the driver runs one event, lets the microtasks it started settle, then runs the next,
// so the order of everything is a function of the seed. Yielded turns cost 0 or 1 virtual ms
// (drawn from the seed), which both varies interleavings between seeds and lets virtual time move
// while subtasks stay busy. Imports api/time and actors/core/host (types), testing/.
import { setImmediate } from 'node:timers';
import type { Cancel, Clock } from '../api/time/clock.ts';
import type { Host } from '../actors/core/host.ts';
import type { SimRandom } from './sim-random.ts';
import type { Trace } from './trace.ts';

/** An event waiting in the kernel's queue. */
export interface SimEvent { at: number; seq: number; label: string; run: () => void; cancelled: boolean }

/** The virtual epoch a simulation starts at (2020-01-01T00:00:00Z): processing time looks real. */
export const SIM_EPOCH_MS = 1_577_836_800_000;

/** Thrown when the scenario waits for something while no event is left that could bring it. */
export class SimulationDeadlockError extends Error {}

/** A binary heap of events ordered by (at, seq); sifting moves a hole instead of swapping pairs. */
class EventQueue {
  private readonly heap: SimEvent[] = [];
  get size(): number { return this.heap.length; }
  push(e: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }
  pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const m = l + 1 < n && before(h[l + 1], h[l]) ? l + 1 : l;
        if (!before(h[m], last)) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq); }

/** Events run in the macrotasks queued together by one batch (the last task runs only the watchers). */
const TURNS_PER_BATCH = 64;

/** One macrotask of the real event loop: every microtask queued before it has run. */
function realTurn(): Promise<void> { return new Promise((resolve) => setImmediate(resolve)); }

/** The scheduler, virtual clock and host of one simulation. */
export class SimKernel {
  private readonly queue = new EventQueue();
  private seq = 0;
  private time = SIM_EPOCH_MS;
  private wallOffset = 0;
  private executed = 0;
  /** Replaced, never changed in place: a round of calls after an event needs no copy of its own. */
  private watchers: ReadonlyArray<() => void> = [];
  /** Errors thrown by events (the runtime's bugs surface here rather than vanish). */
  readonly uncaught: unknown[] = [];
  /** The virtual clock: processing time and timers of everything in the simulation. */
  readonly clock: Clock;
  /** What the runtime is given instead of the platform: virtual time, queued turns, seeded randomness. */
  readonly host: Host;

  constructor(readonly random: SimRandom, readonly trace: Trace, private readonly maxEvents = 20_000_000) {
    const kernel = this;
    this.clock = {
      now: () => kernel.time + kernel.wallOffset,
      schedule: (delayMs, callback) => kernel.at(kernel.time + Math.max(0, Number.isFinite(delayMs) ? delayMs : 0), 'timer', callback),
    };
    const turns = random.fork();
    const ids = random.fork();
    this.host = {
      clock: this.clock,
      monotonicNow: () => kernel.time - SIM_EPOCH_MS,
      yieldTurn: (label, callback) => { kernel.post(kernel.time + (turns.next() < 0.5 ? 0 : 1), label, callback); },
      random: () => ids.next(),
      roundsPerTurn: 1,
    };
  }

  /** Virtual milliseconds since the epoch. */
  get now(): number { return this.time; }

  /**
   * How far the wall clock the runtime reads (clock.now()) is off virtual time: a clock jump moves
   * it, while timers, monotonic time and the event order keep to virtual time.
   */
  get wallClockOffset(): number { return this.wallOffset; }

  /** The wall clock jumps by `ms` (negative: backward); monotonic time and timers go on unchanged. */
  jumpWallClock(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`a clock jump is a finite number of ms, got ${ms}`);
    this.wallOffset += ms;
  }

  /** Events run so far. */
  get eventCount(): number { return this.executed; }

  /** Events waiting. */
  get pendingEvents(): number { return this.queue.size; }

  /** Queues `run` at virtual time `at` (never before now); `label` names it in the trace. */
  at(at: number, label: string, run: () => void): Cancel {
    const event = this.post(at, label, run);
    return () => { event.cancelled = true; };
  }

  /** at() for an event nobody cancels (turns, storage completions): no Cancel is made for it. */
  post(at: number, label: string, run: () => void): SimEvent {
    const event: SimEvent = { at: Math.max(at, this.time), seq: this.seq++, label, run, cancelled: false };
    this.queue.push(event);
    return event;
  }

  /** Appends a line about something that is not an event (a fault, a check) to the trace. */
  note(what: string): void { this.trace.add(`${this.time - SIM_EPOCH_MS} ${what}`); }

  /** Calls `watcher` after every event (runUntil's predicates); returns its removal. */
  watch(watcher: () => void): () => void {
    if (!this.watchers.includes(watcher)) this.watchers = [...this.watchers, watcher];
    return () => { this.watchers = this.watchers.filter((w) => w !== watcher); };
  }

  /**
   * Runs events until `main` settles and returns what it resolves to. Between events only
   * microtasks run. When no event is left while `main` still waits, real I/O gets a few turns
   * before the simulation is declared deadlocked.
   */
  async drive<T>(main: Promise<T>): Promise<T> {
    let settled = false;
    main.then(() => { settled = true; }, () => { settled = true; });
    await realTurn();
    while (!settled) {
      if (this.queue.size === 0) {
        for (let i = 0; i < 20 && !settled && this.queue.size === 0; i++) await realTurn();
        if (!settled && this.queue.size === 0) {
          throw new SimulationDeadlockError(`simulation deadlock at virtual ${this.time - SIM_EPOCH_MS} ms: the scenario waits but no timer or turn is scheduled`);
        }
        continue;
      }
      await this.runTurns(() => settled);
    }
    return main;
  }

  /**
   * Runs up to TURNS_PER_BATCH events, each in a macrotask of its own queued together: Node and
   * Deno drain the microtask queue between two such tasks, so every event's microtasks settle
   * before the next event runs (or the watchers look), as with one awaited turn per event, for a
   * third of its cost. Ends early when `settled` holds or no event is left.
   */
  private runTurns(settled: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      let ran = 0;
      let ended = false;
      const step = (): void => {
        if (ended) return;
        try {
          if (ran > 0) for (const w of this.watchers) w();
          let event = settled() || ran === TURNS_PER_BATCH ? undefined : this.queue.pop();
          while (event?.cancelled) event = this.queue.pop();
          if (event === undefined) { ended = true; resolve(); return; }
          if (++this.executed > this.maxEvents) throw new Error(`the simulation ran ${this.maxEvents} events without the scenario ending (a livelock?)`);
          ran++;
          this.time = event.at;
          this.trace.add(`${event.at - SIM_EPOCH_MS} #${event.seq} ${event.label}`);
          try { event.run(); } catch (error) { this.uncaught.push(error); this.note(`uncaught ${event.label}: ${(error as Error)?.message ?? String(error)}`); }
        } catch (error) {
          ended = true;
          reject(error);
        }
      };
      for (let i = 0; i <= TURNS_PER_BATCH; i++) setImmediate(step);
    });
  }
}
