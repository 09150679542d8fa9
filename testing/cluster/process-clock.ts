// ProcessClock: the clock one simulated process sees, over the simulation's clock. Its timers can
// be held (a paused process, as in a long GC pause: what falls due meanwhile runs when the pause
// ends) and halted for good (a killed process runs nothing again). Time itself is shared: every
// process reads the same virtual now. Imports the Clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';

/** The clock of one simulated process. */
export class ProcessClock implements Clock {
  private halted = false;
  private resumeAt = 0;
  private readonly timers = new Set<Cancel>();
  /** Timers scheduled so far (a measure of activity). */
  scheduled = 0;

  constructor(private readonly base: Clock) {}

  now(): number { return this.base.now(); }

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
