// The timer service contract: event- and processing-time timers per key and namespace,
// deduplicated, deletable, fired in timestamp order with the key set on the keyed backend.
// Imports nothing from api/ or actors/.
import type { Key } from './key-groups.ts';
import type { Namespace } from './keyed-state-backend.ts';

/** A registered timer. */
export interface Timer { readonly timestamp: number; readonly key: Key; readonly namespace: Namespace }

/** What fires when a timer is due; the backend's current key is the timer's key during the call. */
export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/** Timers of one operator (Flink's InternalTimerService); keys come from the backend's current key. */
export interface InternalTimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(namespace: Namespace, timestamp: number): void;
  deleteEventTimeTimer(namespace: Namespace, timestamp: number): void;
  registerProcessingTimeTimer(namespace: Namespace, timestamp: number): void;
  deleteProcessingTimeTimer(namespace: Namespace, timestamp: number): void;
  /** Fires every event-time timer with timestamp <= watermark, in timestamp order. */
  advanceWatermark(watermark: number): void;
  /** Fires every processing-time timer with timestamp <= time, in timestamp order. */
  advanceProcessingTime(time: number): void;
  /** The earliest pending processing-time timer, or Infinity (the task schedules a wake-up for it). */
  nextProcessingTime(): number;
  /** The earliest pending event-time timer, or Infinity. */
  nextEventTime(): number;
  /** All pending timers, for checkpoints. */
  snapshot(): { eventTime: Timer[]; processingTime: Timer[] };
  restore(snapshot: { eventTime: Timer[]; processingTime: Timer[] }): void;
}
