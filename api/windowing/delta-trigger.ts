// DeltaTrigger: fires when an element's delta to the element that fired last (or the window's
// first element) exceeds a threshold (Flink's DeltaTrigger). The reference element is value state
// per key and window, which cannot merge: like Flink's, this trigger refuses merging windows.
// Imports api/windowing and state/ descriptors only.
import { ValueStateDescriptor } from '../../state/state-descriptors.ts';
import { checkDelta, type DeltaFunction } from './delta-evictor.ts';
import type { Window } from './time-window.ts';
import { Trigger, type TriggerContext, type TriggerResult } from './trigger.ts';

/** Fires when delta(reference, element) > threshold; the element then becomes the reference. */
export class DeltaTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly delta: (oldDataPoint: T, newDataPoint: T) => number;
  private readonly referenceDescriptor = new ValueStateDescriptor<{ element: T }>('delta-trigger-last');

  private constructor(readonly threshold: number, deltaFunction: DeltaFunction<T>) {
    super();
    this.delta = checkDelta('DeltaTrigger', threshold, deltaFunction);
  }

  /** Fires when `deltaFunction(reference, element)` exceeds `threshold`. */
  static of<T = unknown, W extends Window = Window>(threshold: number, deltaFunction: DeltaFunction<T>): DeltaTrigger<T, W> {
    return new DeltaTrigger<T, W>(threshold, deltaFunction);
  }

  onElement(element: T, _timestamp: number, _window: W, ctx: TriggerContext): TriggerResult {
    const reference = ctx.getPartitionedState(this.referenceDescriptor);
    // Boxed: an element may itself be null or undefined, which value state reads as "no value".
    const last = reference.value();
    if (last === undefined) {
      reference.update({ element });
      return 'CONTINUE';
    }
    if (this.delta(last.element, element) > this.threshold) {
      reference.update({ element });
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onEventTime(): TriggerResult { return 'CONTINUE'; }
  onProcessingTime(): TriggerResult { return 'CONTINUE'; }
  clear(_window: W, ctx: TriggerContext): void { ctx.getPartitionedState(this.referenceDescriptor).clear(); }
  canMerge(): boolean { return false; }
  toString(): string { return `DeltaTrigger(${this.threshold})`; }
}
