// Trigger: decides when a window's contents are emitted (fired) and/or dropped (purged), from
// elements, timers and merges (Flink's Trigger). Custom triggers extend it, or are plain objects of
// the same shape. Imports api/windowing and state/ contracts only.
import type {
  AggregatingState, AggregatingStateDescriptor, ListState, ListStateDescriptor, MapState, MapStateDescriptor,
  ReducingState, ReducingStateDescriptor, StateDescriptor, ValueState, ValueStateDescriptor,
} from '../../state/state-descriptors.ts';
import type { Window } from './time-window.ts';

/** What a trigger decides: keep going, emit, drop, or emit then drop. */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/** True for FIRE and FIRE_AND_PURGE. */
export function isFire(result: TriggerResult): boolean { return result === 'FIRE' || result === 'FIRE_AND_PURGE'; }

/** True for PURGE and FIRE_AND_PURGE. */
export function isPurge(result: TriggerResult): boolean { return result === 'PURGE' || result === 'FIRE_AND_PURGE'; }

/** State per key and window, as getPartitionedState returns it. */
export type PartitionedState<D> =
  D extends ValueStateDescriptor<infer T> ? ValueState<T>
  : D extends ListStateDescriptor<infer T> ? ListState<T>
  : D extends MapStateDescriptor<infer K, infer V> ? MapState<K, V>
  : D extends ReducingStateDescriptor<infer T> ? ReducingState<T>
  : D extends AggregatingStateDescriptor<infer IN, any, infer OUT> ? AggregatingState<IN, OUT>
  : never;

/** What a trigger may do: read time, set timers for its window, keep state per key and window. */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** State of the current key in the current window's namespace. */
  getPartitionedState<D extends StateDescriptor>(descriptor: D): PartitionedState<D>;
}

/** The context of onMerge: also folds the merged windows' state into the new window. */
export interface OnMergeContext extends TriggerContext {
  mergePartitionedState(descriptor: ListStateDescriptor<any> | ReducingStateDescriptor<any> | AggregatingStateDescriptor<any, any, any>): void;
}

/** Decides when windows fire and purge. */
export abstract class Trigger<T, W extends Window> {
  /** Called for every element added to `window`. */
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer of `window` fires. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer of `window` fires. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Removes timers and state of `window` (it is being purged for good). */
  abstract clear(window: W, ctx: TriggerContext): void;
  /** True when the trigger supports merging windows (session windows). */
  canMerge?(): boolean;
  /** Called when windows merged into `window`: re-register timers, merge state. */
  onMerge?(window: W, ctx: OnMergeContext): void;
}
