// EventTimerCache: skips re-registering event-time timers a key registered recently. Every
// element of a window asks for the same trigger and cleanup timer (Flink's EventTimeTrigger
// does), and the timer service's dedup costs several map lookups and allocations; this costs one
// lookup and a short scan. Remembers up to SLOTS pending timers per key (enough for the windows
// of sliding assigners), forgets them when they fire or are deleted, so it holds no more than
// the pending timers. Imports state/ contracts only.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Timer } from '../../state/timer-service.ts';

/** Timers remembered per key; older ones are overwritten round robin (registering again is harmless). */
const SLOTS = 16;

interface Slots { namespaces: Namespace[]; timestamps: number[]; next: number; hit: number }

/** Event-time timer registration with a per-key memo of recently registered timers. */
export class EventTimerCache {
  private readonly byKey = new Map<Key, Slots>();
  /** The timer being fired: the service already removed it, so deleting it again is skipped. */
  private firing: Timer | undefined;
  /**
   * The timer registered or found last, known pending until the next delete or firing: a window
   * trigger's timer and the cleanup timer right after it are usually the same.
   */
  private lastKey: Key | undefined;
  private lastNamespace: Namespace | undefined;
  private lastTimestamp = NaN;

  constructor(private readonly timers: InternalTimerService, private readonly backend: KeyedStateBackend) {}

  /** Registers an event-time timer for the current key, unless it is known to be pending. */
  register(namespace: Namespace, timestamp: number): void {
    const key = this.backend.getCurrentKey();
    // Composite keys are arrays: they do not compare by value in a Map.
    if (typeof key === 'object') { this.timers.registerEventTimeTimer(namespace, timestamp); return; }
    if (key === this.lastKey && timestamp === this.lastTimestamp && namespace === this.lastNamespace) return;
    let slots = this.byKey.get(key);
    if (slots !== undefined) {
      const { namespaces, timestamps } = slots;
      const h = slots.hit;
      if (timestamps[h] === timestamp && namespaces[h] === namespace) { this.remember(key, namespace, timestamp); return; }
      for (let i = 0; i < timestamps.length; i++) {
        if (timestamps[i] === timestamp && namespaces[i] === namespace) { slots.hit = i; this.remember(key, namespace, timestamp); return; }
      }
    } else {
      slots = { namespaces: [], timestamps: [], next: 0, hit: 0 };
      this.byKey.set(key, slots);
    }
    this.timers.registerEventTimeTimer(namespace, timestamp);
    this.remember(key, namespace, timestamp);
    // Registered again while firing: it is pending anew, so a later delete must reach the service.
    const f = this.firing;
    if (f !== undefined && f.timestamp === timestamp && f.namespace === namespace && f.key === key) this.firing = undefined;
    if (slots.timestamps.length < SLOTS) {
      slots.hit = slots.timestamps.length;
      slots.namespaces.push(namespace);
      slots.timestamps.push(timestamp);
    } else {
      slots.hit = slots.next;
      slots.namespaces[slots.next] = namespace;
      slots.timestamps[slots.next] = timestamp;
      slots.next = (slots.next + 1) % SLOTS;
    }
  }

  /** Deletes an event-time timer of the current key. */
  delete(namespace: Namespace, timestamp: number): void {
    const key = this.backend.getCurrentKey();
    this.lastKey = undefined;
    const f = this.firing;
    if (f !== undefined && f.timestamp === timestamp && f.namespace === namespace && f.key === key) return;
    this.timers.deleteEventTimeTimer(namespace, timestamp);
    this.forget(key, namespace, timestamp);
  }

  /** A timer starts firing (the timer service already removed it); `done` ends it. */
  fired(timer: Timer): void {
    this.firing = timer;
    this.lastKey = undefined;
    this.forget(timer.key, timer.namespace, timer.timestamp);
  }

  /** The firing timer's callback returned. */
  done(): void { this.firing = undefined; }

  /** Number of keys with remembered timers. */
  get size(): number { return this.byKey.size; }

  private remember(key: Key, namespace: Namespace, timestamp: number): void {
    this.lastKey = key;
    this.lastNamespace = namespace;
    this.lastTimestamp = timestamp;
  }

  private forget(key: Key, namespace: Namespace, timestamp: number): void {
    if (typeof key === 'object') return;
    const slots = this.byKey.get(key);
    if (slots === undefined) return;
    const { namespaces, timestamps } = slots;
    for (let i = 0; i < timestamps.length; i++) {
      if (timestamps[i] !== timestamp || namespaces[i] !== namespace) continue;
      const last = timestamps.length - 1;
      namespaces[i] = namespaces[last];
      timestamps[i] = timestamps[last];
      namespaces.length = last;
      timestamps.length = last;
      slots.next = 0;
      if (last === 0) this.byKey.delete(key);
      return;
    }
  }
}
