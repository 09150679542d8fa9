// Sliding windows in event time and processing time: windows of `size` every `slide`; an element
// belongs to ceil(size / slide) windows (fewer when slide does not divide size). The windows of
// the last pane (a slide-long interval) are cached. Imports api/windowing and state/ only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { TimeWindow } from './time-window.ts';
import { missingTimestampError, WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';

abstract class SlidingWindows<T> extends WindowAssigner<T, TimeWindow> {
  private paneStart = NaN;
  protected cached: TimeWindow[] = [];
  /** The timestamps `cached` holds the windows of: [validFrom, validTo). */
  protected validFrom = NaN;
  protected validTo = NaN;

  protected constructor(readonly size: number, readonly slide: number, readonly offset: number) {
    super();
    if (!(size > 0) || !(slide > 0)) throw new RangeError(`sliding windows need size > 0 and slide > 0, got ${size}, ${slide}`);
    if (!(Math.abs(offset) < slide)) throw new RangeError(`sliding window offset must satisfy |offset| < slide, got ${offset}`);
  }

  protected windowsAt(timestamp: number): readonly TimeWindow[] {
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.slide);
    // Within a pane the windows are the same, except how many when slide does not divide size.
    const count = Math.ceil((lastStart - timestamp + this.size) / this.slide);
    if (lastStart === this.paneStart && count === this.cached.length) return this.cached;
    const windows: TimeWindow[] = [];
    for (let start = lastStart; start > timestamp - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    this.paneStart = lastStart;
    this.cached = windows;
    // Within the pane, timestamps get the same windows from where the window before the oldest
    // has ended until the oldest ends (they differ only when the slide does not divide the size;
    // with no window, a slide longer than the size left a gap, and the "oldest" is the next one).
    const oldestStart = windows.length > 0 ? windows[windows.length - 1].start : lastStart + this.slide;
    this.validFrom = Math.max(lastStart, oldestStart - this.slide + this.size);
    this.validTo = Math.min(lastStart + this.slide, oldestStart + this.size);
    return windows;
  }

  namespaceOf(window: TimeWindow): Namespace { return window.start; }
  windowOf(namespace: Namespace): TimeWindow { return new TimeWindow(namespace as number, (namespace as number) + this.size); }
}

/** Sliding windows of `size` ms every `slide` ms in event time. */
export class SlidingEventTimeWindows<T = unknown> extends SlidingWindows<T> {
  /** Windows of `size` ms starting every `slide` ms (+ offset). */
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingEventTimeWindows<T> {
    return new SlidingEventTimeWindows<T>(size, slide, offset);
  }
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
  toString(): string { return `SlidingEventTimeWindows(${this.size}, ${this.slide})`; }
}

/** Sliding windows of `size` ms every `slide` ms in processing time. */
export class SlidingProcessingTimeWindows<T = unknown> extends SlidingWindows<T> {
  /** Windows of `size` ms starting every `slide` ms (+ offset). */
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows<T> {
    return new SlidingProcessingTimeWindows<T>(size, slide, offset);
  }
  assignWindows(_element: T, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    return this.windowsAt(context.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return ProcessingTimeTrigger.create<T>(); }
  isEventTime(): boolean { return false; }
  toString(): string { return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`; }
}
