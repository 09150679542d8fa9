// Creates the keyed state of keyed operators: a HeapKeyedStateBackend for the subtask's key-group
// range and HeapTimerServices whose processing-time timers wake the subtask through its mailbox
// (the operator context's registerProcessingTimer). The heap implementations are loaded once,
// on first use, so jobs without keyed state never load them. Imports state/ and api/.
import type { KeyGroupRange } from '../../state/key-groups.ts';
import type { KeyedStateBackend, Namespace } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Triggerable } from '../../state/timer-service.ts';
import type { Cancel } from '../../api/time/clock.ts';

type BackendClass = new (options: { maxParallelism: number; keyGroupRange: KeyGroupRange; clock?: () => number }) => KeyedStateBackend;
type TimerServiceClass = new (backend: KeyedStateBackend, triggerable: Triggerable, clock: () => number) => InternalTimerService;

let heap: { Backend: BackendClass; TimerService: TimerServiceClass } | undefined;

/** Loads the heap backend and timer service (idempotent). */
export async function loadHeapState(): Promise<void> {
  if (heap) return;
  const backendModule = await import('../../state/heap/heap-keyed-state-backend.ts');
  const timerModule = await import('../../state/heap/heap-timer-service.ts');
  heap = {
    Backend: backendModule.HeapKeyedStateBackend as unknown as BackendClass,
    TimerService: timerModule.HeapTimerService as unknown as TimerServiceClass,
  };
}

/** A keyed state backend for `keyGroupRange`; loadHeapState() must have run. */
export function createKeyedStateBackend(maxParallelism: number, keyGroupRange: KeyGroupRange, now: () => number): KeyedStateBackend {
  if (!heap) throw new Error('keyed state backend not loaded: call loadHeapState() first');
  return new heap.Backend({ maxParallelism, keyGroupRange, clock: now });
}

/**
 * A timer service whose processing-time timers fire on time: every registration that moves the
 * earliest timer forward schedules a wake-up through `registerProcessingTimer` (the mailbox).
 */
export function createTimerService(
  backend: KeyedStateBackend,
  triggerable: Triggerable,
  now: () => number,
  registerProcessingTimer: (timestamp: number, callback: (time: number) => void) => Cancel,
): InternalTimerService {
  if (!heap) throw new Error('timer service not loaded: call loadHeapState() first');
  const inner = new heap.TimerService(backend, triggerable, now);
  let wakeAt = Infinity;
  let cancelWake: Cancel | undefined;
  const schedule = (): void => {
    const next = inner.nextProcessingTime();
    if (next === wakeAt) return;
    cancelWake?.();
    cancelWake = undefined;
    wakeAt = next;
    if (next === Infinity) return;
    cancelWake = registerProcessingTimer(next, (time) => {
      wakeAt = Infinity;
      cancelWake = undefined;
      inner.advanceProcessingTime(time);
      schedule();
    });
  };
  return {
    currentProcessingTime: () => inner.currentProcessingTime(),
    currentWatermark: () => inner.currentWatermark(),
    registerEventTimeTimer: (ns: Namespace, t: number) => inner.registerEventTimeTimer(ns, t),
    deleteEventTimeTimer: (ns: Namespace, t: number) => inner.deleteEventTimeTimer(ns, t),
    registerProcessingTimeTimer: (ns: Namespace, t: number) => { inner.registerProcessingTimeTimer(ns, t); if (t < wakeAt) schedule(); },
    deleteProcessingTimeTimer: (ns: Namespace, t: number) => { inner.deleteProcessingTimeTimer(ns, t); if (t === wakeAt) schedule(); },
    advanceWatermark: (w: number) => inner.advanceWatermark(w),
    advanceProcessingTime: (t: number) => { inner.advanceProcessingTime(t); schedule(); },
    nextProcessingTime: () => inner.nextProcessingTime(),
    nextEventTime: () => inner.nextEventTime(),
    snapshot: () => inner.snapshot(),
    restore: (s) => { inner.restore(s); schedule(); },
  };
}
