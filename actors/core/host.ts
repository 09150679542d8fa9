// Host: what the runtime takes from its surroundings that is not deterministic: timers and the
// wall clock, a monotonic clock for slice deadlines, event-loop turns, and randomness. The real
// host uses the platform's; the deterministic simulation (actorflow/testing) passes its own, so
// that one seed always gives the same run. Never consulted per record. Imports api/time only.
import { setImmediate } from 'node:timers';
import { systemClock, type Clock } from '../../api/time/clock.ts';

/** The runtime's access to time, event-loop turns and randomness. */
export interface Host {
  /** Processing time and timers. */
  readonly clock: Clock;
  /** Milliseconds on a monotonic clock (slice deadlines and durations). */
  monotonicNow(): number;
  /** Runs `callback` on a later event-loop turn (a macrotask); `label` names it in simulation traces. */
  yieldTurn(label: string, callback: () => void): void;
  /** A float in [0, 1). */
  random(): number;
  /**
   * Scheduler rounds that run before yielding the turn. The real host yields by time
   * (Infinity rounds); a simulated one, whose monotonic clock stands still within a turn, by count.
   */
  readonly roundsPerTurn: number;
}

/** The platform: the system clock, performance.now(), setImmediate and Math.random. */
export const realHost: Host = {
  clock: systemClock,
  monotonicNow: () => performance.now(),
  yieldTurn: (_label, callback) => { setImmediate(callback); },
  random: () => Math.random(),
  roundsPerTurn: Infinity,
};

/** The real host with processing time from `clock` (tests that only inject a clock). */
export function hostWithClock(clock: Clock): Host {
  return clock === systemClock ? realHost : { ...realHost, clock };
}
