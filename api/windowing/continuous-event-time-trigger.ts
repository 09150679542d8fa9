// ContinuousEventTimeTrigger: fires every `interval` ms of event time while the window is open,
// and at its end (early results). The next firing time is reducing state (min) per key and
// window, so it merges with sessions. Imports api/windowing and state/ descriptors only.
import { ReducingStateDescriptor } from '../../state/state-descriptors.ts';
import type { Window } from './time-window.ts';
import { Trigger, type OnMergeContext, type TriggerContext, type TriggerResult } from './trigger.ts';

const min = (a: number, b: number): number => Math.min(a, b);

/** Fires at every multiple of `interval` in event time, and when the window ends. */
export class ContinuousEventTimeTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly fireDescriptor = new ReducingStateDescriptor<number>('continuous-fire-time', min);

  private constructor(readonly interval: number) {
    super();
    if (!(interval > 0)) throw new RangeError(`ContinuousEventTimeTrigger needs interval > 0, got ${interval}`);
  }

  /** Fires every `interval` ms of event time. */
  static of<T = unknown, W extends Window = Window>(interval: number): ContinuousEventTimeTrigger<T, W> {
    return new ContinuousEventTimeTrigger<T, W>(interval);
  }

  onElement(_element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireDescriptor);
    if (fireTime.get() === undefined) this.registerNextFireTime(timestamp - (timestamp % this.interval), window, ctx);
    return 'CONTINUE';
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getPartitionedState(this.fireDescriptor);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onProcessingTime(): TriggerResult { return 'CONTINUE'; }

  clear(_window: W, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireDescriptor);
    const at = fireTime.get();
    if (at !== undefined) { ctx.deleteEventTimeTimer(at); fireTime.clear(); }
  }

  canMerge(): boolean { return true; }

  onMerge(window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireDescriptor);
    const at = ctx.getPartitionedState(this.fireDescriptor).get();
    if (at !== undefined) ctx.registerEventTimeTimer(at);
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  toString(): string { return `ContinuousEventTimeTrigger(${this.interval})`; }

  private registerNextFireTime(time: number, window: W, ctx: TriggerContext): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    ctx.getPartitionedState(this.fireDescriptor).add(next);
    ctx.registerEventTimeTimer(next);
  }
}
