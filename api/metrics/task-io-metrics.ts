// The metric types the runtime updates on the data path, as plain numbers (no I/O, no timers):
// Flink's task I/O metrics of one subtask — records in and out, counted per batch where batches
// are read and written, the input and output watermarks, and the time its loop spent busy,
// back-pressured (waiting for credit) and idle (waiting for input). Times come from the caller
// (a monotonic ms clock), so that this stays pure; rates per second are computed from samples
// of these counts by whoever reports them (actors/observability).
// Imports nothing.

/** The watermark before any (Flink reports Long.MIN_VALUE; -Infinity here, as watermarks are). */
export const NO_WATERMARK = -Infinity;

/** Cumulative values of one subtask's I/O metrics at one instant. */
export interface TaskIOSample {
  readonly numRecordsIn: number;
  readonly numRecordsOut: number;
  /** Milliseconds the subtask's loop ran (processing input, emitting, running mail). */
  readonly busyTimeMs: number;
  /** Milliseconds it could not go on because an output had no credit. */
  readonly backPressuredTimeMs: number;
  /** Milliseconds it was neither busy nor back-pressured: waiting for input (or for its turn). */
  readonly idleTimeMs: number;
  readonly currentInputWatermark: number;
  readonly currentOutputWatermark: number;
}

/** The I/O counters of one subtask; the subtask's loop updates them per batch and per slice. */
export class TaskIOMetrics {
  /** Records read from the input gate (a source subtask reads none). */
  numRecordsIn = 0;
  /** The watermark the input gate combined over its channels last. */
  currentInputWatermark = NO_WATERMARK;
  /** Cumulative busy time (ms), added by the loop after each slice. */
  busyTimeMs = 0;
  private backPressuredMs = 0;
  private blockedSince: number | undefined;
  private startedAt: number | undefined;
  private endedAt: number | undefined;

  /** The subtask started running at `now` (times before it count as nothing). */
  start(now: number): void { this.startedAt ??= now; }

  /** The subtask ended (finished, failed or cancelled) at `now`: its times stop there. */
  end(now: number): void {
    if (this.endedAt !== undefined) return;
    this.markWritable(now);
    this.endedAt = now;
  }

  /** An output ran out of credit at `now`. */
  markBlocked(now: number): void { this.blockedSince ??= now; }

  /** Every output has credit again at `now`. */
  markWritable(now: number): void {
    if (this.blockedSince === undefined) return;
    this.backPressuredMs += Math.max(0, now - this.blockedSince);
    this.blockedSince = undefined;
  }

  /**
   * The cumulative values at `now`; `recordsOut` and `outputWatermark` come from the subtask's
   * writers (they count what they send), or equal the input's for a subtask without outputs.
   */
  sample(now: number, recordsOut: number, outputWatermark: number): TaskIOSample {
    const until = this.endedAt ?? now;
    const elapsed = this.startedAt === undefined ? 0 : Math.max(0, until - this.startedAt);
    const backPressured = this.backPressuredMs + (this.blockedSince !== undefined && this.endedAt === undefined ? Math.max(0, now - this.blockedSince) : 0);
    const busy = Math.min(this.busyTimeMs, elapsed);
    return {
      numRecordsIn: this.numRecordsIn,
      numRecordsOut: recordsOut,
      busyTimeMs: busy,
      backPressuredTimeMs: Math.min(backPressured, elapsed - busy),
      idleTimeMs: Math.max(0, elapsed - busy - backPressured),
      currentInputWatermark: this.currentInputWatermark,
      currentOutputWatermark: outputWatermark,
    };
  }
}
