// Driving a simulation on a ManualClock: time moves in steps, and after each step the event
// loop's queued work (actor mailboxes, promise chains, the task scheduler's turns) runs, so that
// work done "at" a virtual instant takes no virtual time beyond its step. No real time passes
// beyond the CPU the work takes. Imports the Clock and node:timers.
import { setImmediate } from 'node:timers';
import type { ManualClock } from '../../api/time/clock.ts';

/** Event-loop turns run after each step (work chains longer than this continue in the next step). */
export const TURNS_PER_STEP = 4;

/** Lets the work queued on the event loop run (a few macrotask turns, their microtasks with them). */
export async function settle(turns = TURNS_PER_STEP): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Advances `clock` by `ms` in steps of `stepMs`, settling after each. */
export async function advance(clock: ManualClock, ms: number, stepMs = 5): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(Math.min(stepMs, end - clock.now()));
    await settle();
  }
}

/**
 * Advances `clock` in steps until `condition` holds; rejects (naming `what`) when it does not
 * within `maxMs` virtual milliseconds.
 */
export async function advanceUntil(clock: ManualClock, condition: () => boolean, maxMs: number, what: string, stepMs = 5): Promise<void> {
  const end = clock.now() + maxMs;
  await settle();
  while (!condition()) {
    if (clock.now() >= end) throw new Error(`${what}: not within ${maxMs} virtual ms`);
    clock.advance(stepMs);
    await settle();
  }
}
