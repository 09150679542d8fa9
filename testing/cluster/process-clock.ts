// ProcessClock: the clock one simulated process sees, over the simulation's clock. Its timers can
// be held (a paused process, as in a long GC pause: what falls due meanwhile runs when the pause
// ends) and halted for good (a killed process runs nothing again). Time itself is shared: every
// process reads the same virtual now, plus its own wall-clock offset once its clock jumped (timers
// and monotonic time keep to the shared time). Imports the Clock.
import type { Cancel, Clock } from '../../api/time/clock.ts';

const NO_TIMER: Cancel = () => {};

/**
 * One timer of a process: an object rather than closures, as a simulated cluster schedules tens of
 * thousands of them a run.
 */
class ProcessTimer {
  private done = false;
  private inner: Cancel | undefined;
  constructor(private readonly clock: ProcessClock, private readonly callback: () => void) {}

  arm(delayMs: number): void { this.inner = this.clock.arm(this, delayMs); }

  fire(): void {
    if (this.done) return;
    const wait = this.clock.waitOf();
    if (wait < 0) return;
    if (wait > 0) { this.arm(wait); return; }
    this.done = true;
    this.clock.forget(this);
    this.callback();
  }

  cancel(): void {
    this.done = true;
    this.inner?.();
    this.clock.forget(this);
  }
}

/** The clock of one simulated process. */
export class ProcessClock implements Clock {
  private halted = false;
  private resumeAt = 0;
  private offset = 0;
  private readonly timers = new Set<ProcessTimer>();
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
    if (this.halted) return NO_TIMER;
    this.scheduled++;
    const timer = new ProcessTimer(this, callback);
    this.timers.add(timer);
    timer.arm(delayMs);
    return () => { timer.cancel(); };
  }

  /** @internal a timer of this process fell due: how long it must still wait (a pause), or 0 to run it; -1 when halted. */
  waitOf(): number { return this.halted ? -1 : Math.max(0, this.resumeAt - this.base.now()); }

  /** @internal schedules a timer of this process on the shared clock. */
  arm(timer: ProcessTimer, delayMs: number): Cancel { return this.base.schedule(delayMs, () => { timer.fire(); }); }

  /** @internal a timer of this process ran or was cancelled. */
  forget(timer: ProcessTimer): void { this.timers.delete(timer); }

  /** Holds this process's timers for `ms` (they run, in order, when the pause ends). */
  pauseFor(ms: number): void { this.resumeAt = Math.max(this.resumeAt, this.base.now() + ms); }

  /** The process died: its timers never run, later ones are never scheduled. */
  halt(): void {
    this.halted = true;
    for (const timer of [...this.timers]) timer.cancel();
    this.timers.clear();
  }

  /** Timers waiting. */
  get pending(): number { return this.timers.size; }
}
