// ProcessClock: the clock one simulated process sees, over the simulation's clock. Its timers can
// be held (a paused process, as in a long GC pause: what falls due meanwhile runs when the pause
// ends) and halted for good (a killed process runs nothing again). Time itself is shared: every
// process reads the same virtual now, plus its own wall-clock offset once its clock jumped (timers
// and monotonic time keep to the shared time). Imports the Clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';

/** The clock of one simulated process. */
export class ProcessClock implements Clock {
  private halted = false;
  private resumeAt = 0;
  private offset = 0;
  private readonly timers = new Set<Cancel>();
  /** Timers scheduled so far (a measure of activity). */
  scheduled = 0;

  constructor(private readonly base: Clock) {}

  /** The wall clock this process reads: shared time plus its jumps. */
  now(): number { return this.base.now() + this.offset; }

  /** Monotonic time: the shared time, which clock jumps leave alone. */
  monotonicNow(): number { return this.base.now(); }

  /** This process's wall clock jumps by `ms` (negative: backward); its timers keep their delays. */
  jump(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`a clock jump is a finite number of ms, got ${ms}`);
    this.offset += ms;
  }

  schedule(delayMs: number, callback: () => void): Cancel {
    if (this.halted) return () => {};
    this.scheduled++;
    let done = false;
    let inner: Cancel;
    const cancel: Cancel = () => { done = true; inner(); this.timers.delete(cancel); };
    const fire = (): void => {
      if (done || this.halted) return;
      const wait = this.resumeAt - this.base.now();
      if (wait > 0) { inner = this.base.schedule(wait, fire); return; }
      done = true;
      this.timers.delete(cancel);
      callback();
    };
    inner = this.base.schedule(delayMs, fire);
    this.timers.add(cancel);
    return cancel;
  }

  /** Holds this process's timers for `ms` (they run, in order, when the pause ends). */
  pauseFor(ms: number): void { this.resumeAt = Math.max(this.resumeAt, this.base.now() + ms); }

  /** The process died: its timers never run, later ones are never scheduled. */
  halt(): void {
    this.halted = true;
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
  }

  /** Timers waiting. */
  get pending(): number { return this.timers.size; }
}
