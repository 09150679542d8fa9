// CountTrigger: fires every `maxCount` elements of a window (count windows). The count lives in
// reducing state per key and window, so it merges with session windows. Imports api/windowing
// and state/ descriptors only.
import { ReducingStateDescriptor } from '../../state/state-descriptors.ts';
import type { Window } from './time-window.ts';
import { Trigger, type OnMergeContext, type TriggerContext, type TriggerResult } from './trigger.ts';

const sum = (a: number, b: number): number => a + b;

/** Fires once a window holds `maxCount` elements, then counts again from zero. */
export class CountTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly countDescriptor = new ReducingStateDescriptor<number>('count-trigger', sum);

  private constructor(readonly maxCount: number) {
    super();
    if (!(maxCount >= 1)) throw new RangeError(`CountTrigger needs maxCount >= 1, got ${maxCount}`);
  }

  /** Fires every `maxCount` elements. */
  static of<T = unknown, W extends Window = Window>(maxCount: number): CountTrigger<T, W> { return new CountTrigger<T, W>(maxCount); }

  onElement(_element: T, _timestamp: number, _window: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.countDescriptor);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult { return 'CONTINUE'; }

  onProcessingTime(): TriggerResult { return 'CONTINUE'; }

  clear(_window: W, ctx: TriggerContext): void { ctx.getPartitionedState(this.countDescriptor).clear(); }

  canMerge(): boolean { return true; }

  onMerge(_window: W, ctx: OnMergeContext): void { ctx.mergePartitionedState(this.countDescriptor); }

  toString(): string { return `CountTrigger(${this.maxCount})`; }
}
