// PurgingTrigger: turns every FIRE of the wrapped trigger into FIRE_AND_PURGE (count windows
// emit each batch once). Imports api/windowing only.
import type { Window } from './time-window.ts';
import { Trigger, type OnMergeContext, type TriggerContext, type TriggerResult } from './trigger.ts';

function purging(result: TriggerResult): TriggerResult { return result === 'FIRE' ? 'FIRE_AND_PURGE' : result; }

/** Wraps a trigger so that each firing also purges the window. */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(readonly nestedTrigger: Trigger<T, W>) { super(); }

  /** Purges whenever `nestedTrigger` fires. */
  static of<T, W extends Window>(nestedTrigger: Trigger<T, W>): PurgingTrigger<T, W> { return new PurgingTrigger(nestedTrigger); }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onElement(element, timestamp, window, ctx));
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onEventTime(time, window, ctx));
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onProcessingTime(time, window, ctx));
  }
  clear(window: W, ctx: TriggerContext): void { this.nestedTrigger.clear(window, ctx); }
  canMerge(): boolean { return this.nestedTrigger.canMerge?.() ?? false; }
  onMerge(window: W, ctx: OnMergeContext): void { this.nestedTrigger.onMerge?.(window, ctx); }
  toString(): string { return `PurgingTrigger(${String(this.nestedTrigger)})`; }
}
