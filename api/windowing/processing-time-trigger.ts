// ProcessingTimeTrigger: fires when processing time reaches the window's end (the default of
// processing-time assigners). Imports api/windowing only.
import type { TimeWindow } from './time-window.ts';
import { Trigger, type OnMergeContext, type TriggerContext, type TriggerResult } from './trigger.ts';

/** Fires when processing time passes window.maxTimestamp(). */
export class ProcessingTimeTrigger<T = unknown> extends Trigger<T, TimeWindow> {
  private constructor() { super(); }
  /** The processing-time trigger. */
  static create<T = unknown>(): ProcessingTimeTrigger<T> { return new ProcessingTimeTrigger<T>(); }

  onElement(_element: T, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: TimeWindow, _ctx: TriggerContext): TriggerResult { return 'CONTINUE'; }

  onProcessingTime(_time: number, _window: TimeWindow, _ctx: TriggerContext): TriggerResult { return 'FIRE'; }

  clear(window: TimeWindow, ctx: TriggerContext): void { ctx.deleteProcessingTimeTimer(window.maxTimestamp()); }

  canMerge(): boolean { return true; }

  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    const max = window.maxTimestamp();
    if (max > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  }

  toString(): string { return 'ProcessingTimeTrigger()'; }
}
