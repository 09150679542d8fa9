// EventTimeTrigger: fires once the watermark passes the window's end (the default of event-time
// assigners); fires at once for elements of a window the watermark already passed (late firing
// within allowed lateness). Imports api/windowing only.
import type { TimeWindow } from './time-window.ts';
import { Trigger, type OnMergeContext, type TriggerContext, type TriggerResult } from './trigger.ts';

/** Fires when the watermark passes window.maxTimestamp(). */
export class EventTimeTrigger<T = unknown> extends Trigger<T, TimeWindow> {
  private constructor() { super(); }
  /** The event-time trigger. */
  static create<T = unknown>(): EventTimeTrigger<T> { return new EventTimeTrigger<T>(); }

  onElement(_element: T, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const max = window.maxTimestamp();
    if (max <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(max);
    return 'CONTINUE';
  }

  onEventTime(time: number, window: TimeWindow, _ctx: TriggerContext): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: TimeWindow, _ctx: TriggerContext): TriggerResult { return 'CONTINUE'; }

  clear(window: TimeWindow, ctx: TriggerContext): void { ctx.deleteEventTimeTimer(window.maxTimestamp()); }

  canMerge(): boolean { return true; }

  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // A merged window the watermark already passed fires through onElement, not a timer.
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(max);
  }

  toString(): string { return 'EventTimeTrigger()'; }
}
