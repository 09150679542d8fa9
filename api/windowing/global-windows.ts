// GlobalWindows: every element in the one global window; it fires only through a custom trigger
// (count windows). The default trigger never fires. Imports api/windowing and state/ only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import { GlobalWindow } from './time-window.ts';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { Trigger, type TriggerResult } from './trigger.ts';

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

/** Assigns every element to the single GlobalWindow. */
export class GlobalWindows<T = unknown> extends WindowAssigner<T, GlobalWindow> {
  private constructor() { super(); }
  /** The global-window assigner. */
  static create<T = unknown>(): GlobalWindows<T> { return new GlobalWindows<T>(); }
  assignWindows(_element: T, _timestamp: number, _context: WindowAssignerContext): readonly GlobalWindow[] { return GLOBAL; }
  getDefaultTrigger(): Trigger<T, GlobalWindow> { return new NeverTrigger<T>(); }
  isEventTime(): boolean { return false; }
  namespaceOf(_window: GlobalWindow): Namespace { return 0; }
  windowOf(_namespace: Namespace): GlobalWindow { return GlobalWindow.get(); }
  toString(): string { return 'GlobalWindows()'; }
}
