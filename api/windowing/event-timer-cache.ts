// EventTimerCache: skips re-registering the event-time timer a key registered last. Every
// element of a window asks for the same trigger and cleanup timer (Flink's EventTimeTrigger
// does), and the timer service's dedup costs several map lookups; this costs one. Remembers one
// timer per key (the latest), and forgets it when it fires or is deleted, so it holds at most one
// entry per key with a pending timer. Imports state/ contracts only.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Timer } from '../../state/timer-service.ts';

interface Slot { namespace: Namespace; timestamp: number }

/** Event-time timer registration with a per-key memo of the last registered timer. */
export class EventTimerCache {
  private readonly last = new Map<Key, Slot>();

  constructor(private readonly timers: InternalTimerService, private readonly backend: KeyedStateBackend) {}

  /** Registers an event-time timer for the current key, unless it is the one registered last. */
  register(namespace: Namespace, timestamp: number): void {
    const key = this.backend.getCurrentKey();
    // Composite keys are arrays: they do not compare by value in a Map.
    if (typeof key === 'object') { this.timers.registerEventTimeTimer(namespace, timestamp); return; }
    const slot = this.last.get(key);
    if (slot !== undefined && slot.timestamp === timestamp && slot.namespace === namespace) return;
    this.timers.registerEventTimeTimer(namespace, timestamp);
    if (slot === undefined) this.last.set(key, { namespace, timestamp });
    else { slot.namespace = namespace; slot.timestamp = timestamp; }
  }

  /** Deletes an event-time timer of the current key. */
  delete(namespace: Namespace, timestamp: number): void {
    this.timers.deleteEventTimeTimer(namespace, timestamp);
    this.forget(this.backend.getCurrentKey(), namespace, timestamp);
  }

  /** A timer fired (the timer service already removed it). */
  fired(timer: Timer): void { this.forget(timer.key, timer.namespace, timer.timestamp); }

  /** Number of remembered timers (one per key at most). */
  get size(): number { return this.last.size; }

  private forget(key: Key, namespace: Namespace, timestamp: number): void {
    if (typeof key === 'object') return;
    const slot = this.last.get(key);
    if (slot !== undefined && slot.timestamp === timestamp && slot.namespace === namespace) this.last.delete(key);
  }
}
