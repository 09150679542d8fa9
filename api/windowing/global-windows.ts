// GlobalWindows: every element in the one global window; it fires only through a custom trigger
// (count windows). The default trigger never fires; createWithEndOfStreamTrigger() makes one that
// fires once, when a bounded input ends (Flink's EndOfStreamTrigger). Imports api/windowing and
// state/ only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { GlobalWindow } from './time-window.ts';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { Trigger, type TriggerContext, type TriggerResult } from './trigger.ts';

const GLOBAL: readonly GlobalWindow[] = [GlobalWindow.get()];

/** A trigger that never fires (the default of GlobalWindows). */
export class NeverTrigger<T> extends Trigger<T, GlobalWindow> {
  onElement(): TriggerResult { return 'CONTINUE'; }
  onEventTime(): TriggerResult { return 'CONTINUE'; }
  onProcessingTime(): TriggerResult { return 'CONTINUE'; }
  clear(): void {}
  canMerge(): boolean { return true; }
  onMerge(): void {}
}

/**
 * Fires the global window once, when event time ends: at the end of a bounded input, whose
 * MAX_WATERMARK reaches the window's end (the end of time).
 */
export class EndOfStreamTrigger<T> extends Trigger<T, GlobalWindow> {
  onElement(_element: T, _timestamp: number, window: GlobalWindow, ctx: TriggerContext): TriggerResult {
    // One timer per key: registering it again for every element is deduplicated.
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(time: number, window: GlobalWindow): TriggerResult { return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE'; }
  onProcessingTime(): TriggerResult { return 'CONTINUE'; }
  clear(window: GlobalWindow, ctx: TriggerContext): void { ctx.deleteEventTimeTimer(window.maxTimestamp()); }
  canMerge(): boolean { return true; }
  onMerge(): void {}
  toString(): string { return 'EndOfStreamTrigger()'; }
}

/** Assigns every element to the single GlobalWindow. */
export class GlobalWindows<T = unknown> extends WindowAssigner<T, GlobalWindow> {
  private constructor(private readonly endOfStream: boolean) { super(); }
  /** The global-window assigner; its default trigger never fires. */
  static create<T = unknown>(): GlobalWindows<T> { return new GlobalWindows<T>(false); }
  /** The global-window assigner whose default trigger fires once at the end of a bounded input. */
  static createWithEndOfStreamTrigger<T = unknown>(): GlobalWindows<T> { return new GlobalWindows<T>(true); }
  assignWindows(_element: T, _timestamp: number, _context: WindowAssignerContext): readonly GlobalWindow[] { return GLOBAL; }
  getDefaultTrigger(): Trigger<T, GlobalWindow> { return this.endOfStream ? new EndOfStreamTrigger<T>() : new NeverTrigger<T>(); }
  isEventTime(): boolean { return false; }
  namespaceOf(_window: GlobalWindow): Namespace { return 0; }
  windowOf(_namespace: Namespace): GlobalWindow { return GlobalWindow.get(); }
  toString(): string { return 'GlobalWindows()'; }
  /** True when the default trigger fires once at the end of input (createWithEndOfStreamTrigger). */
  get firesAtEndOfStream(): boolean { return this.endOfStream; }
}
