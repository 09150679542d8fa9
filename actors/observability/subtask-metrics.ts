// A subtask's metrics as the JobManager, REST and Prometheus see them: Flink's task I/O metric
// names, the cumulative counts plus rates per second. Rates come from samples of the cumulative
// counts (SubtaskMetricsMeter): each snapshot compares with the oldest sample within a short
// window, so a reader polled every second sees the last seconds, and one polled once sees the
// average since the subtask started. Each chained operator's records in and out come along (read
// from the chain when sampled). The snapshot is plain data: TaskManagers send it to their
// JobManager in msgpack. Imports api/metrics only.
import type { TaskIOSample } from '../../api/metrics/task-io-metrics.ts';

/** One subtask's metrics at one instant (Flink's names). */
export interface SubtaskMetricsSnapshot {
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
  readonly numRecordsInPerSecond: number;
  readonly numRecordsOutPerSecond: number;
  readonly busyTimeMsPerSecond: number;
  readonly backPressuredTimeMsPerSecond: number;
  readonly idleTimeMsPerSecond: number;
  readonly currentInputWatermark: number;
  readonly currentOutputWatermark: number;
  /** Each chained operator's records in and out, head first (Flink's operator scope); absent from older reporters. */
  readonly operators?: readonly OperatorMetrics[];
}

/** One chained operator's counts. */
export interface OperatorMetrics {
  /** Its stream node id. */
  readonly id: string;
  readonly name: string;
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
}

/** The metric names of a chained operator. */
export const OPERATOR_METRIC_NAMES = ['numRecordsIn', 'numRecordsOut'] as const;

/** The metric names of a subtask, in Flink's order. */
export const SUBTASK_METRIC_NAMES: readonly (Exclude<keyof SubtaskMetricsSnapshot, 'operators'>)[] = [
  'numRecordsIn', 'numRecordsOut', 'numRecordsInPerSecond', 'numRecordsOutPerSecond',
  'busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'idleTimeMsPerSecond',
  'currentInputWatermark', 'currentOutputWatermark',
];

/**
 * Something that reports its cumulative I/O metrics (a StreamTask), its chained operators' counts,
 * and the monotonic clock its times are measured by (its host's: virtual under a simulation).
 */
export interface IOSampled { ioSample(): TaskIOSample; operatorIOSample?(): readonly OperatorMetrics[]; monotonicNow?(): number }

interface Sample { readonly at: number; readonly value: TaskIOSample }

/** Default span of the rates: the last 5 seconds. */
export const RATE_WINDOW_MS = 5000;

/** Turns samples of a subtask's cumulative counts into a snapshot with rates per second. */
export class SubtaskMetricsMeter {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly source: IOSampled,
    /** A monotonic clock in ms (performance.now() by default; tests pass their own). */
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs = RATE_WINDOW_MS,
  ) {
    if (!(windowMs > 0)) throw new RangeError(`the rate window must be a positive number of ms, got ${windowMs}`);
  }

  /** The metrics now. */
  snapshot(): SubtaskMetricsSnapshot {
    const now = this.now();
    const current = this.source.ioSample();
    if (this.samples.length === 0) {
      // Nothing earlier: the subtask's whole run so far (it started with zero counts).
      const elapsed = current.busyTimeMs + current.backPressuredTimeMs + current.idleTimeMs;
      this.samples.push({ at: now - elapsed, value: ZERO });
    }
    this.record(now, current);
    const ref = this.samples[0];
    const dt = now - ref.at;
    const v = ref.value;
    const operators = this.source.operatorIOSample?.();
    return {
      ...(operators !== undefined && operators.length > 0 ? { operators } : {}),
      numRecordsIn: current.numRecordsIn,
      numRecordsOut: current.numRecordsOut,
      numRecordsInPerSecond: perSecond(current.numRecordsIn, v.numRecordsIn, dt),
      numRecordsOutPerSecond: perSecond(current.numRecordsOut, v.numRecordsOut, dt),
      busyTimeMsPerSecond: timeShare(current.busyTimeMs, v.busyTimeMs, dt),
      backPressuredTimeMsPerSecond: timeShare(current.backPressuredTimeMs, v.backPressuredTimeMs, dt),
      idleTimeMsPerSecond: timeShare(current.idleTimeMs, v.idleTimeMs, dt),
      currentInputWatermark: current.currentInputWatermark,
      currentOutputWatermark: current.currentOutputWatermark,
    };
  }

  /** Keeps the newest sample and the oldest one still inside the window (at most ~20 in between). */
  private record(now: number, value: TaskIOSample): void {
    const samples = this.samples;
    const last = samples[samples.length - 1];
    if (samples.length > 1 && now - last.at < this.windowMs / 20) samples[samples.length - 1] = { at: now, value };
    else samples.push({ at: now, value });
    while (samples.length > 2 && samples[1].at <= now - this.windowMs) samples.shift();
  }
}

/** The rate of a count that went from `b` to `a` over `dt` ms, per second (0 over no time). */
function perSecond(a: number, b: number, dt: number): number { return dt > 0 ? ((a - b) * 1000) / dt : 0; }

/** Ms per second spent in a state whose total went from `b` to `a` over `dt` ms, within [0, 1000]. */
function timeShare(a: number, b: number, dt: number): number { return Math.min(1000, Math.max(0, perSecond(a, b, dt))); }

const ZERO: TaskIOSample = {
  numRecordsIn: 0, numRecordsOut: 0, busyTimeMs: 0, backPressuredTimeMs: 0, idleTimeMs: 0,
  currentInputWatermark: -Infinity, currentOutputWatermark: -Infinity,
};

const meters = new WeakMap<IOSampled, SubtaskMetricsMeter>();

/** The metrics of a subtask in this process now (one meter per subtask, kept as long as the subtask). */
export function subtaskMetricsOf(task: IOSampled): SubtaskMetricsSnapshot {
  let meter = meters.get(task);
  if (meter === undefined) {
    // Rates over the task's own clock: under a simulation a real one would put real time into
    // the metrics a TaskManager sends (and so into the run's trace).
    meter = task.monotonicNow !== undefined ? new SubtaskMetricsMeter(task, () => task.monotonicNow!()) : new SubtaskMetricsMeter(task);
    meters.set(task, meter);
  }
  return meter.snapshot();
}
