// HeapTimerService: event- and processing-time timers of one operator (Flink's
// InternalTimerServiceImpl over heap priority queues). Timers belong to the backend's current key;
// firing sets that key again. Imports only state/ contracts; never api/ or actors/.
import { assignToKeyGroup, type Key } from '../key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../keyed-state-backend.ts';
import type { InternalTimerService, Timer, Triggerable } from '../timer-service.ts';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { RecentTimers } from './key-context.ts';
import { keyToken } from './state-table.ts';
import { TimerQueue, type TimerNode } from './timer-queue.ts';

/** The checkpointed form of a timer service: plain timers per time domain. */
export interface TimersSnapshot { eventTime: Timer[]; processingTime: Timer[] }

/** Event-time timers remembered per key as known pending; older ones are overwritten round robin. */
const RECENT = 16;

/** Timers per key and namespace, deduplicated, fired in timestamp order. */
export class HeapTimerService implements InternalTimerService {
  private readonly eventTimeTimers = new TimerQueue();
  private readonly processingTimeTimers = new TimerQueue();
  private watermark = -Infinity;
  /**
   * With a heap backend: each key's context remembers the event-time timers it registered
   * recently (at `recentIndex`), so that the same registration per record (window triggers)
   * costs a scan of a few numbers, not a lookup in the queue. Firing and deleting forget them.
   */
  private readonly heap: HeapKeyedStateBackend | undefined;
  private readonly recentIndex: number;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly triggerable: Triggerable,
    private readonly clock: () => number,
  ) {
    this.heap = backend instanceof HeapKeyedStateBackend ? backend : undefined;
    this.recentIndex = this.heap?.registerTimerService() ?? -1;
  }

  currentProcessingTime(): number { return this.clock(); }
  currentWatermark(): number { return this.watermark; }

  registerEventTimeTimer(namespace: Namespace, timestamp: number): void {
    const heap = this.heap;
    if (heap === undefined) {
      const key = this.backend.getCurrentKey();
      this.eventTimeTimers.add(timestamp, key, tokenOf(key), namespace);
      return;
    }
    const context = heap.currentContext();
    let recent = context.timers[this.recentIndex];
    if (recent !== undefined) {
      const { namespaces, timestamps } = recent;
      const h = recent.hit;
      if (timestamps[h] === timestamp && namespaces[h] === namespace) return;
      for (let i = 0; i < timestamps.length; i++) {
        if (timestamps[i] === timestamp && namespaces[i] === namespace) { recent.hit = i; return; }
      }
    } else {
      recent = { namespaces: [], timestamps: [], next: 0, hit: 0 };
      context.timers[this.recentIndex] = recent;
    }
    this.eventTimeTimers.add(timestamp, heap.getCurrentKey(), context.token, namespace);
    remember(recent, namespace, timestamp);
  }

  deleteEventTimeTimer(namespace: Namespace, timestamp: number): void {
    if (this.heap !== undefined) {
      const recent = this.heap.currentContext().timers[this.recentIndex];
      if (recent !== undefined) forget(recent, namespace, timestamp);
    }
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
    const heap = this.heap;
    for (let next = queue.peek(); next !== undefined && next.timestamp <= watermark; next = queue.peek()) {
      queue.poll();
      backend.setCurrentKey(next.key);
      if (heap !== undefined) {
        const recent = heap.currentContext().timers[this.recentIndex];
        if (recent !== undefined) forget(recent, next.namespace, next.timestamp);
      }
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

  nextEventTime(): number { return this.eventTimeTimers.peek()?.timestamp ?? Infinity; }

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
    this.heap?.forgetTimers(this.recentIndex);
    this.eventTimeTimers.clear();
    this.processingTimeTimers.clear();
  }
}

function remember(recent: RecentTimers, namespace: Namespace, timestamp: number): void {
  const { namespaces, timestamps } = recent;
  if (timestamps.length < RECENT) {
    recent.hit = timestamps.length;
    namespaces.push(namespace);
    timestamps.push(timestamp);
  } else {
    recent.hit = recent.next;
    namespaces[recent.next] = namespace;
    timestamps[recent.next] = timestamp;
    recent.next = (recent.next + 1) % RECENT;
  }
}

function forget(recent: RecentTimers, namespace: Namespace, timestamp: number): void {
  const { namespaces, timestamps } = recent;
  for (let i = 0; i < timestamps.length; i++) {
    if (timestamps[i] !== timestamp || namespaces[i] !== namespace) continue;
    const last = timestamps.length - 1;
    namespaces[i] = namespaces[last];
    timestamps[i] = timestamps[last];
    namespaces.length = last;
    timestamps.length = last;
    recent.next = 0;
    return;
  }
}

function tokenOf(key: Key): unknown { return typeof key === 'object' ? keyToken(key) : key; }

function plain(nodes: readonly TimerNode[]): Timer[] {
  // Sorted by firing order, so registration order within a timestamp survives the round trip.
  return nodes.slice().sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq)
    .map((n) => ({ timestamp: n.timestamp, key: n.key, namespace: n.namespace }));
}
