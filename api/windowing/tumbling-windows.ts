// Tumbling windows in event time and processing time: fixed-size, non-overlapping windows
// aligned to the epoch plus an offset. The last assigned window is cached so that consecutive
// elements of one window allocate nothing. Imports api/windowing and state/ contracts only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { TimeWindow } from './time-window.ts';
import { missingTimestampError, WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';

abstract class TumblingWindows<T> extends WindowAssigner<T, TimeWindow> {
  protected cached: TimeWindow[] = [new TimeWindow(NaN, NaN)];
  /** The timestamps `cached` holds the windows of: [validFrom, validTo). */
  protected validFrom = NaN;
  protected validTo = NaN;

  protected constructor(readonly size: number, readonly offset: number) {
    super();
    if (!(size > 0)) throw new RangeError(`tumbling window size must be > 0, got ${size}`);
    if (!(Math.abs(offset) < size)) throw new RangeError(`tumbling window offset must satisfy |offset| < size, got ${offset}`);
  }

  protected windowsAt(timestamp: number): readonly TimeWindow[] {
    const last = this.cached[0];
    if (timestamp >= last.start && timestamp < last.end) return this.cached;
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.size);
    this.cached = [new TimeWindow(start, start + this.size)];
    this.validFrom = start;
    this.validTo = start + this.size;
    return this.cached;
  }

  namespaceOf(window: TimeWindow): Namespace { return window.start; }
  windowOf(namespace: Namespace): TimeWindow {
    const start = namespace as number;
    const last = this.cached[0];
    return last.start === start ? last : new TimeWindow(start, start + this.size);
  }
}

/** Tumbling windows of `size` ms in event time, starting at multiples of size (+ offset). */
export class TumblingEventTimeWindows<T = unknown> extends TumblingWindows<T> {
  /** Windows of `size` ms, shifted by `offset` ms (e.g. for time zones). */
  static of<T = unknown>(size: number, offset = 0): TumblingEventTimeWindows<T> { return new TumblingEventTimeWindows<T>(size, offset); }
  assignWindows(_element: T, timestamp: number, _context: WindowAssignerContext): readonly TimeWindow[] {
    // Small enough to inline into the window operator's loop: the timestamp is never boxed.
    if (timestamp >= this.validFrom && timestamp < this.validTo) return this.cached;
    return this.assignAt(timestamp);
  }
  private assignAt(timestamp: number): readonly TimeWindow[] {
    if (timestamp === -Infinity) throw missingTimestampError();
    return this.windowsAt(timestamp);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return EventTimeTrigger.create<T>(); }
  isEventTime(): boolean { return true; }
  toString(): string { return `TumblingEventTimeWindows(${this.size})`; }
}

/** Tumbling windows of `size` ms in processing time. */
export class TumblingProcessingTimeWindows<T = unknown> extends TumblingWindows<T> {
  /** Windows of `size` ms, shifted by `offset` ms. */
  static of<T = unknown>(size: number, offset = 0): TumblingProcessingTimeWindows<T> { return new TumblingProcessingTimeWindows<T>(size, offset); }
  assignWindows(_element: T, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    return this.windowsAt(context.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return ProcessingTimeTrigger.create<T>(); }
  isEventTime(): boolean { return false; }
  toString(): string { return `TumblingProcessingTimeWindows(${this.size})`; }
}
