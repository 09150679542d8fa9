// Watermark generators (Flink's WatermarkGenerator family): they see every event and are asked
// periodically for a watermark. The built-ins: bounded out-of-orderness (monotonous = bound 0),
// no watermarks, and the idleness wrapper. Imports only api/time/clock.ts.
import type { Clock } from './clock.ts';

/** Where a generator emits; watermarks take effect at once (Flink's WatermarkOutput). */
export interface WatermarkOutput {
  /** Emits watermark `timestamp`; ignored unless it advances the current watermark. */
  emitWatermark(timestamp: number): void;
  /** Declares this output idle: downstream excludes it from the min-watermark. */
  markIdle(): void;
  /** Declares this output active again. */
  markActive(): void;
}

/** Generates watermarks from events and/or periodically. */
export interface WatermarkGenerator<T> {
  /** Called for every event, after its timestamp is assigned. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every auto-watermark interval. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** What a generator factory gets (Flink's WatermarkGeneratorSupplier.Context). */
export interface WatermarkGeneratorContext {
  /** Processing time, for idleness and other time-based generators. */
  readonly clock: Clock;
}

/**
 * Watermarks for events that arrive at most `maxOutOfOrdernessMs` late: the watermark is the
 * largest timestamp seen minus the bound minus 1 (a record with exactly the bound of delay is
 * still on time, as in Flink).
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = -Infinity;

  constructor(readonly maxOutOfOrdernessMs: number) {
    if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError(`maxOutOfOrderness must be >= 0, got ${maxOutOfOrdernessMs}`);
  }

  onEvent(_event: T, timestamp: number, _output?: WatermarkOutput): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    // Nothing seen yet: there is no watermark to give (Flink emits Long.MIN_VALUE, a no-op).
    if (this.maxTimestamp === -Infinity) return;
    output.emitWatermark(this.maxTimestamp - this.maxOutOfOrdernessMs - 1);
  }
}

/** Watermarks for ascending timestamps: the largest timestamp seen minus 1. */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() { super(0); }
}

/** Emits no watermarks at all (processing-time jobs, or timestamps only). */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(_event: T, _timestamp: number, _output?: WatermarkOutput): void {}
  onPeriodicEmit(_output?: WatermarkOutput): void {}
}

/**
 * Detects inactivity by processing time: counts events, and when a periodic check sees the same
 * count for `timeoutMs`, the input is idle (Flink's IdlenessTimer; no clock read per event).
 */
export class IdlenessTimer {
  private counter = 0;
  private lastCounter = 0;
  private startOfInactivity = NaN;

  constructor(private readonly clock: Clock, readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError(`idle timeout must be > 0, got ${timeoutMs}`);
  }

  /** Records activity (an event). */
  activity(): void { this.counter++; }

  /** True when no activity has been seen for the timeout. */
  checkIfIdle(): boolean {
    const now = this.clock.now();
    if (this.counter !== this.lastCounter || Number.isNaN(this.startOfInactivity)) {
      this.lastCounter = this.counter;
      this.startOfInactivity = now;
      return false;
    }
    return now - this.startOfInactivity >= this.timeoutMs;
  }
}

/** Wraps a generator: marks the output idle when no events arrive for `idleTimeoutMs`. */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly timer: IdlenessTimer;
  private idle = false;

  constructor(private readonly watermarks: WatermarkGenerator<T>, idleTimeoutMs: number, clock: Clock) {
    this.timer = new IdlenessTimer(clock, idleTimeoutMs);
  }

  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, timestamp, output);
    this.timer.activity();
    if (this.idle) { this.idle = false; output.markActive(); }
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.timer.checkIfIdle()) {
      if (!this.idle) { this.idle = true; output.markIdle(); }
      return;
    }
    this.watermarks.onPeriodicEmit(output);
  }
}
