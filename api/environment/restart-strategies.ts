// RestartStrategies: how a failed job restarts (Flink's RestartStrategies). Plain data; the
// JobMaster's failover logic interprets it. Imports nothing.

/** A restart strategy configuration. */
export type RestartStrategy =
  | { readonly kind: 'no-restart' }
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | { readonly kind: 'failure-rate'; readonly maxFailures: number; readonly intervalMs: number; readonly delayMs: number }
  | { readonly kind: 'exponential-delay'; readonly initialMs: number; readonly maxMs: number; readonly multiplier: number; readonly resetAfterMs: number };

/** Factories of restart strategies. */
export const RestartStrategies = {
  /** Never restart: the first failure fails the job. */
  noRestart: (): RestartStrategy => ({ kind: 'no-restart' }),
  /** Restart up to `attempts` times, waiting `delayMs` before each. */
  fixedDelay: (attempts: number, delayMs: number): RestartStrategy => ({ kind: 'fixed-delay', attempts, delayMs }),
  /** Restart unless more than `maxFailures` failures happen within `intervalMs`. */
  failureRate: (maxFailures: number, intervalMs: number, delayMs: number): RestartStrategy =>
    ({ kind: 'failure-rate', maxFailures, intervalMs, delayMs }),
  /** Restart with exponentially growing delays, reset after `resetAfterMs` without failure. */
  exponentialDelay: (o: { initialMs: number; maxMs: number; multiplier: number; resetAfterMs: number }): RestartStrategy =>
    ({ kind: 'exponential-delay', initialMs: o.initialMs, maxMs: o.maxMs, multiplier: o.multiplier, resetAfterMs: o.resetAfterMs }),
};
