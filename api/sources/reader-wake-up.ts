// ReaderWakeUp: the availability promise of a source reader that waits for a time (a rate limit or
// pacing) or for splits. The runtime waits on the one promise `isAvailable()` returned until it
// resolves, so the promise must also resolve when splits or the end of splits arrive (on a cluster
// a reader polls before its first split does). Imports only the clock.
import type { Cancel, Clock } from '../time/clock.ts';

/** One pending wake-up of a reader: resolved at a due time on the clock, or at once by `wakeUp`. */
export class ReaderWakeUp {
  private wake: (() => void) | undefined;
  private cancelTimer: Cancel | undefined;

  constructor(private readonly clock: Clock) {}

  /** A promise resolved at `dueAt` (never by the clock when undefined), or earlier by `wakeUp()`. */
  wait(dueAt?: number): Promise<void> {
    return new Promise((resolve) => {
      this.cancel();
      this.wake = resolve;
      if (dueAt !== undefined) this.cancelTimer = this.clock.schedule(dueAt - this.clock.now(), () => this.wakeUp());
    });
  }

  /** Resolves the pending promise (splits arrived, or the due time came). */
  wakeUp(): void {
    this.cancel();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Drops the pending timer (the reader closes). */
  cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
