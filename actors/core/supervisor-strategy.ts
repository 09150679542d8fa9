// Supervision arithmetic, Erlang/OTP style, as plain functions: which siblings a failure
// restarts (one-for-one, one-for-all, rest-for-one), whether a supervisor's restart intensity is
// exceeded (more than maxRestarts within withinMs), and the backoff before a restart. The actor
// cell only calls these. Imports only the ActorRef type.

import type { ActorRef } from './actor-ref.ts';

/** What a supervisor does with a failed child. */
export type SupervisorDirective = 'restart' | 'resume' | 'stop' | 'escalate';

/** Which children a failure restarts. */
export type SupervisionKind = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/** Exponential backoff between restarts of one child. */
export interface RestartBackoffOptions { readonly minMs: number; readonly maxMs: number; readonly factor?: number }

/** How an actor treats its failing children. */
export interface SupervisorStrategy {
  readonly kind: SupervisionKind;
  /** Restarts allowed within `withinMs`; one more fails the supervisor itself (it escalates). */
  readonly maxRestarts: number;
  readonly withinMs: number;
  readonly backoff?: RestartBackoffOptions;
  /** Chooses the directive for a failure; restart when absent. */
  readonly decider?: (error: unknown, child: ActorRef) => SupervisorDirective;
}

/** Akka's and OTP's middle ground: restart one-for-one, at most 10 times a minute. */
export const DEFAULT_SUPERVISOR_STRATEGY: SupervisorStrategy = { kind: 'one-for-one', maxRestarts: 10, withinMs: 60_000 };

/**
 * The children a failure of `failed` restarts, in start order: itself (one-for-one), every child
 * (one-for-all), or itself and the children started after it (rest-for-one).
 */
export function restartTargets<T>(kind: SupervisionKind, childrenInStartOrder: readonly T[], failed: T): T[] {
  const index = childrenInStartOrder.indexOf(failed);
  if (index < 0) return [];
  switch (kind) {
    case 'one-for-one': return [failed];
    case 'one-for-all': return childrenInStartOrder.slice();
    case 'rest-for-one': return childrenInStartOrder.slice(index);
  }
}

/** A sliding window of restart times: OTP's restart intensity. */
export class RestartIntensity {
  private readonly times: number[] = [];

  constructor(readonly maxRestarts: number, readonly withinMs: number) {}

  /** Records a restart at `now`; false when it exceeds the intensity (the supervisor must fail). */
  tryRestart(now: number): boolean {
    this.expire(now);
    this.times.push(now);
    return this.times.length <= this.maxRestarts;
  }

  /** Restarts recorded within the window ending at `now`. */
  restartsWithin(now: number): number {
    this.expire(now);
    return this.times.length;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= now - this.withinMs) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}

/** The delay before the `attempt`-th consecutive restart (1-based): minMs * factor^(attempt-1), capped. */
export function backoffDelayMs(backoff: RestartBackoffOptions | undefined, attempt: number): number {
  if (!backoff) return 0;
  const factor = backoff.factor ?? 2;
  const delay = backoff.minMs * Math.pow(factor, Math.max(0, attempt - 1));
  return Math.min(backoff.maxMs, delay);
}
