// WindowAssigner: puts each element into zero or more windows, names the default trigger and the
// time domain, and maps windows to state namespaces. Merging assigners (sessions) also merge
// windows. Imports api/windowing and state/ contracts only.
import type { Namespace } from '../../state/keyed-state-backend.ts';
import type { Window } from './time-window.ts';
import type { Trigger } from './trigger.ts';

/** What an assigner may ask while assigning (Flink's WindowAssignerContext). */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/** Assigns elements to windows (Flink's WindowAssigner). */
export abstract class WindowAssigner<T, W extends Window> {
  /**
   * The windows of an element. The returned array may be reused by the next call (hot path:
   * consecutive elements of one window allocate nothing), so callers must not keep or change it.
   */
  abstract assignWindows(element: T, timestamp: number, context: WindowAssignerContext): readonly W[];
  /** The trigger used when the user sets none. */
  abstract getDefaultTrigger(): Trigger<T, W>;
  /** True when windows are in event time (cleanup and lateness follow the watermark). */
  abstract isEventTime(): boolean;
  /** The keyed-state namespace of a window. */
  abstract namespaceOf(window: W): Namespace;
  /** The window of a namespace made by namespaceOf (timers carry namespaces). */
  abstract windowOf(namespace: Namespace): W;
}

/** An assigner whose windows can merge (sessions). */
export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Reports each group of windows that must merge and the window they merge into. */
  abstract mergeWindows(windows: readonly W[], merge: (toBeMerged: W[], mergeResult: W) => void): void;
}

/** The message Flink gives when an event-time assigner sees a record without timestamp. */
export function missingTimestampError(): Error {
  return new Error(
    'Record has no timestamp (NO_TIMESTAMP). Is the stream in processing time, or did you forget to call ' +
    "'DataStream.assignTimestampsAndWatermarks(...)'?");
}

/**
 * Refuses, where the program is built, a trigger that cannot merge on an assigner that merges
 * windows (Flink's check in WindowedStream.trigger): the job would otherwise fail only once deployed.
 */
export function requireMergingTrigger<W extends Window>(assigner: WindowAssigner<any, W>, trigger: Trigger<any, W>): void {
  if (trigger === null || trigger === undefined) throw new TypeError('the window trigger must not be null');
  if (assigner instanceof MergingWindowAssigner && !(trigger.canMerge?.() ?? false)) {
    throw new Error(`A merging window assigner cannot be used with a trigger that does not support merging (${String(assigner)} with ${String(trigger)})`);
  }
}
