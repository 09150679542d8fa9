// Restart-strategy arithmetic (Flink's RestartBackoffTimeStrategy): after each failure of a job,
// may it restart, and after how long? Pure and clock-driven: the JobMaster calls
// notifyFailure(now) then canRestart() / backoffMs(). Imports nothing from the runtime.

/** A restart strategy as configured by the user (RestartStrategies.* builds these). */
export type RestartStrategyConfig =
  | { readonly kind: 'no-restart' }
  | { readonly kind: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | { readonly kind: 'failure-rate'; readonly maxFailures: number; readonly intervalMs: number; readonly delayMs: number }
  | {
      readonly kind: 'exponential-delay'; readonly initialMs: number; readonly maxMs: number;
      readonly multiplier: number; readonly resetAfterMs: number;
    };

/** The decision state of one job's restart strategy. */
export interface RestartBackoff {
  /** Records a failure at `now` (ms). */
  notifyFailure(now: number): void;
  /** Whether the job may restart after the failures recorded so far. */
  canRestart(): boolean;
  /** How long to wait before the restart that follows the last failure. */
  backoffMs(): number;
  /** Failures recorded so far. */
  readonly failures: number;
  /** A sentence for the error of a job that gave up. */
  describe(): string;
}

/** Builds the backoff logic for `config`. */
export function createRestartBackoff(config: RestartStrategyConfig): RestartBackoff {
  switch (config.kind) {
    case 'no-restart': return new NoRestart();
    case 'fixed-delay': return new FixedDelay(config.attempts, config.delayMs);
    case 'failure-rate': return new FailureRate(config.maxFailures, config.intervalMs, config.delayMs);
    case 'exponential-delay': return new ExponentialDelay(config.initialMs, config.maxMs, config.multiplier, config.resetAfterMs);
  }
}

class NoRestart implements RestartBackoff {
  failures = 0;
  notifyFailure(): void { this.failures++; }
  canRestart(): boolean { return false; }
  backoffMs(): number { return 0; }
  describe(): string { return 'restart strategy: no restart'; }
}

class FixedDelay implements RestartBackoff {
  failures = 0;
  constructor(private readonly attempts: number, private readonly delayMs: number) {
    if (attempts < 0 || delayMs < 0) throw new RangeError('fixed-delay restart needs attempts >= 0 and delay >= 0');
  }
  notifyFailure(): void { this.failures++; }
  canRestart(): boolean { return this.failures <= this.attempts; }
  backoffMs(): number { return this.delayMs; }
  describe(): string { return `restart strategy: fixed delay, ${this.attempts} restart attempts allowed, ${this.failures} failures`; }
}

class FailureRate implements RestartBackoff {
  failures = 0;
  private readonly times: number[] = [];
  private last = 0;
  constructor(private readonly maxFailures: number, private readonly intervalMs: number, private readonly delayMs: number) {
    if (maxFailures < 1 || intervalMs <= 0 || delayMs < 0) throw new RangeError('failure-rate restart needs maxFailures >= 1, interval > 0, delay >= 0');
  }
  notifyFailure(now: number): void {
    this.failures++;
    this.last = now;
    this.times.push(now);
    while (this.times.length && this.times[0] <= now - this.intervalMs) this.times.shift();
  }
  /** Restarts while the failures inside the last interval (this one included) do not exceed the maximum. */
  canRestart(): boolean { return this.times.length <= this.maxFailures; }
  backoffMs(): number { return this.delayMs; }
  describe(): string {
    return `restart strategy: failure rate, more than ${this.maxFailures} failures within ${this.intervalMs} ms (last at ${this.last}, ${this.failures} in all)`;
  }
}

class ExponentialDelay implements RestartBackoff {
  failures = 0;
  private current: number;
  private lastFailure = -Infinity;
  constructor(private readonly initialMs: number, private readonly maxMs: number, private readonly multiplier: number, private readonly resetAfterMs: number) {
    if (initialMs <= 0 || maxMs < initialMs || multiplier < 1 || resetAfterMs <= 0) {
      throw new RangeError('exponential-delay restart needs 0 < initialMs <= maxMs, multiplier >= 1, resetAfterMs > 0');
    }
    this.current = 0;
  }
  notifyFailure(now: number): void {
    this.failures++;
    // A job that ran stably for resetAfterMs since its last failure starts over at initialMs.
    if (this.current === 0 || now - this.lastFailure >= this.resetAfterMs) this.current = this.initialMs;
    else this.current = Math.min(this.maxMs, this.current * this.multiplier);
    this.lastFailure = now;
  }
  canRestart(): boolean { return true; }
  backoffMs(): number { return this.current; }
  describe(): string { return `restart strategy: exponential delay (${this.failures} failures, next backoff ${this.current} ms)`; }
}
