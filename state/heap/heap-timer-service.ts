// HeapTimerService: event- and processing-time timers of one operator (Flink's
// InternalTimerServiceImpl over heap priority queues). Timers belong to the backend's current key;
// firing sets that key again. Imports only state/ contracts; never api/ or actors/.
import { assignToKeyGroup, type Key } from '../key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../keyed-state-backend.ts';
import type { InternalTimerService, Timer, Triggerable } from '../timer-service.ts';
import { keyToken } from './state-table.ts';
import { TimerQueue, type TimerNode } from './timer-queue.ts';

/** The checkpointed form of a timer service: plain timers per time domain. */
export interface TimersSnapshot { eventTime: Timer[]; processingTime: Timer[] }

/** Timers per key and namespace, deduplicated, fired in timestamp order. */
export class HeapTimerService implements InternalTimerService {
  private readonly eventTimeTimers = new TimerQueue();
  private readonly processingTimeTimers = new TimerQueue();
  private watermark = -Infinity;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly triggerable: Triggerable,
    private readonly clock: () => number,
  ) {}

  currentProcessingTime(): number { return this.clock(); }
  currentWatermark(): number { return this.watermark; }

  registerEventTimeTimer(namespace: Namespace, timestamp: number): void {
    const key = this.backend.getCurrentKey();
    // Called per record by window triggers: the token is inlined rather than computed by a call.
    this.eventTimeTimers.add(timestamp, key, typeof key === 'object' ? keyToken(key) : key, namespace);
  }

  deleteEventTimeTimer(namespace: Namespace, timestamp: number): void {
    this.eventTimeTimers.delete(timestamp, tokenOf(this.backend.getCurrentKey()), namespace);
  }

  registerProcessingTimeTimer(namespace: Namespace, timestamp: number): void {
    const key = this.backend.getCurrentKey();
    this.processingTimeTimers.add(timestamp, key, tokenOf(key), namespace);
  }

  deleteProcessingTimeTimer(namespace: Namespace, timestamp: number): void {
    this.processingTimeTimers.delete(timestamp, tokenOf(this.backend.getCurrentKey()), namespace);
  }

  advanceWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
    const queue = this.eventTimeTimers;
    // Timers that callbacks register at or before the watermark fire in this same advance.
    const backend = this.backend;
    const triggerable = this.triggerable;
    for (let next = queue.peek(); next !== undefined && next.timestamp <= watermark; next = queue.peek()) {
      queue.poll();
      backend.setCurrentKey(next.key);
      triggerable.onEventTime(next);
    }
  }

  advanceProcessingTime(time: number): void {
    const queue = this.processingTimeTimers;
    for (let next = queue.peek(); next !== undefined && next.timestamp <= time; next = queue.peek()) {
      queue.poll();
      this.backend.setCurrentKey(next.key);
      this.triggerable.onProcessingTime(next);
    }
  }

  nextProcessingTime(): number { return this.processingTimeTimers.peek()?.timestamp ?? Infinity; }

  /** Number of pending event-time and processing-time timers. */
  numTimers(): { eventTime: number; processingTime: number } {
    return { eventTime: this.eventTimeTimers.size, processingTime: this.processingTimeTimers.size };
  }

  snapshot(): TimersSnapshot {
    return { eventTime: plain(this.eventTimeTimers.all()), processingTime: plain(this.processingTimeTimers.all()) };
  }

  /** Adds the snapshot's timers whose key belongs to the backend's key-group range. */
  restore(snapshot: TimersSnapshot): void {
    const { start, end } = this.backend.keyGroupRange;
    const maxParallelism = this.backend.maxParallelism;
    const load = (timers: readonly Timer[], queue: TimerQueue): void => {
      for (const t of timers) {
        const kg = assignToKeyGroup(t.key, maxParallelism);
        if (kg >= start && kg <= end) queue.add(t.timestamp, t.key, tokenOf(t.key), t.namespace);
      }
    };
    load(snapshot.eventTime, this.eventTimeTimers);
    load(snapshot.processingTime, this.processingTimeTimers);
  }

  /** Drops every timer. */
  dispose(): void {
    this.eventTimeTimers.clear();
    this.processingTimeTimers.clear();
  }
}

function tokenOf(key: Key): unknown { return typeof key === 'object' ? keyToken(key) : key; }

function plain(nodes: readonly TimerNode[]): Timer[] {
  // Sorted by firing order, so registration order within a timestamp survives the round trip.
  return nodes.slice().sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq)
    .map((n) => ({ timestamp: n.timestamp, key: n.key, namespace: n.namespace }));
}
