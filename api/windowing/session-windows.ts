// Session windows in event time and processing time: each element opens [ts, ts + gap); windows
// that overlap merge. The gap is fixed or extracted per element. Imports api/windowing and state/.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { TimeWindow } from './time-window.ts';
import { MergingWindowAssigner, missingTimestampError, type WindowAssignerContext } from './window-assigner.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';

/** Extracts the session gap of an element (Flink's SessionWindowTimeGapExtractor). */
export type SessionGapExtractor<T> = (element: T) => number;

abstract class SessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  protected constructor(protected readonly gap: SessionGapExtractor<T>) { super(); }

  protected windowFor(element: T, start: number): readonly TimeWindow[] {
    const gap = this.gap(element);
    if (!(gap > 0)) throw new RangeError(`session gap must be > 0, got ${gap}`);
    return [new TimeWindow(start, start + gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, merge);
  }
  namespaceOf(window: TimeWindow): Namespace { return TimeWindow.toNamespace(window); }
  windowOf(namespace: Namespace): TimeWindow { return TimeWindow.fromNamespace(namespace); }
}

function fixedGap<T>(gap: number): SessionGapExtractor<T> {
  if (!(gap > 0)) throw new RangeError(`session gap must be > 0, got ${gap}`);
  return () => gap;
}

/** Session windows in event time: a session ends after `gap` ms without elements. */
export class EventTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  /** Sessions with a fixed gap. */
  static withGap<T = unknown>(gap: number): EventTimeSessionWindows<T> { return new EventTimeSessionWindows<T>(fixedGap(gap)); }
  /** Sessions whose gap each element decides. */
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): EventTimeSessionWindows<T> { return new EventTimeSessionWindows<T>(extractor); }
  assignWindows(element: T, timestamp: number, _context: WindowAssignerContext): readonly TimeWindow[] {
    if (timestamp === -Infinity) throw missingTimestampError();
    return this.windowFor(element, timestamp);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return EventTimeTrigger.create<T>(); }
  isEventTime(): boolean { return true; }
  toString(): string { return 'EventTimeSessionWindows'; }
}

/** Session windows in processing time. */
export class ProcessingTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  /** Sessions with a fixed gap. */
  static withGap<T = unknown>(gap: number): ProcessingTimeSessionWindows<T> { return new ProcessingTimeSessionWindows<T>(fixedGap(gap)); }
  /** Sessions whose gap each element decides. */
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): ProcessingTimeSessionWindows<T> { return new ProcessingTimeSessionWindows<T>(extractor); }
  assignWindows(element: T, _timestamp: number, context: WindowAssignerContext): readonly TimeWindow[] {
    return this.windowFor(element, context.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> { return ProcessingTimeTrigger.create<T>(); }
  isEventTime(): boolean { return false; }
  toString(): string { return 'ProcessingTimeSessionWindows'; }
}
