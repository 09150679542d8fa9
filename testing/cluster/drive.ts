// Driving a simulation on a ManualClock: time moves in steps, and after each step the event
// loop's queued work (actor mailboxes, promise chains, the task scheduler's turns) runs, so that
// work done "at" a virtual instant takes no virtual time beyond its step. With an `activity`
// probe (a count that grows with every write and timer of the simulated processes) a step's work
// runs to quiescence: however the CPU's speed splits it into event-loop turns (the task scheduler
// yields after real milliseconds), it all happens at the same virtual instant, so the run does not
// depend on how fast this machine is. No real time passes beyond the CPU the work takes.
// Imports the Clock and node:timers.
import { setImmediate } from 'node:timers';

/** A clock a test moves: ManualClock, or VirtualClock, which also names its next due time. */
export interface SteppedClock {
  now(): number;
  advance(ms: number): void;
  /** When the next timer is due (lets the driver jump over idle virtual time). */
  nextDueAt?(): number | undefined;
}

/** Event-loop turns run after each step at least (without an activity probe). */
export const TURNS_PER_STEP = 4;
/** Turns without new activity after which a step's work counts as done. */
const QUIET_TURNS = 2;
/** A step whose work goes on for this many turns is left to continue in the next one. */
const MAX_TURNS_PER_STEP = 2000;

/** How to drive. */
export interface DriveOptions {
  /** Virtual milliseconds per step (default 5). */
  readonly stepMs?: number;
  /** A count that changes while the simulated processes work (SimulatedCluster.activity). */
  readonly activity?: () => number;
}

function turn(): Promise<void> { return new Promise<void>((resolve) => setImmediate(resolve)); }

/** Lets the work queued on the event loop run: a few turns, or until `activity` stops changing. */
export async function settle(activity?: () => number): Promise<void> {
  if (!activity) {
    for (let i = 0; i < TURNS_PER_STEP; i++) await turn();
    return;
  }
  let last = activity();
  for (let quiet = 0, turns = 0; quiet < QUIET_TURNS && turns < MAX_TURNS_PER_STEP; turns++) {
    await turn();
    const now = activity();
    if (now === last) quiet++; else { quiet = 0; last = now; }
  }
}

/**
 * How far the next step goes: `step`, but with an activity probe and a clock that names its next
 * timer, straight to that timer when nothing is due sooner (the settled processes wait for it).
 */
function stepSize(clock: SteppedClock, step: number, limit: number, options: DriveOptions): number {
  const next = options.activity ? clock.nextDueAt?.() : undefined;
  const jump = next === undefined ? step : Math.max(step, next - clock.now());
  return Math.min(jump, limit - clock.now());
}

/** Advances `clock` by `ms` in steps, settling after each. */
export async function advance(clock: SteppedClock, ms: number, options: DriveOptions = {}): Promise<void> {
  const step = options.stepMs ?? 5;
  const end = clock.now() + ms;
  while (clock.now() < end) {
    clock.advance(stepSize(clock, step, end, options));
    await settle(options.activity);
  }
}

/**
 * Advances `clock` in steps until `condition` holds; rejects (naming `what`) when it does not
 * within `maxMs` virtual milliseconds.
 */
export async function advanceUntil(clock: SteppedClock, condition: () => boolean, maxMs: number, what: string, options: DriveOptions = {}): Promise<void> {
  const step = options.stepMs ?? 5;
  const end = clock.now() + maxMs;
  await settle(options.activity);
  while (!condition()) {
    if (clock.now() >= end) throw new Error(`${what}: not within ${maxMs} virtual ms`);
    clock.advance(stepSize(clock, step, end, options));
    await settle(options.activity);
  }
}
