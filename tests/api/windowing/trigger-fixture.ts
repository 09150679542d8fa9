// Test support: a trigger context over a real heap backend and timer service, recording which
// timers are pending, for unit tests of triggers.
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import type { Timer } from '../../../state/timer-service.ts';
import { WindowTriggerContext } from '../../../api/windowing/window-contexts.ts';
import type { Window } from '../../../api/windowing/time-window.ts';

/** A trigger context for key "k" with a settable watermark and processing time. */
export function triggerFixture<W extends Window>(namespaceOf: (w: W) => string | number) {
  const state = { watermark: -Infinity, now: 0 };
  const backend = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
  backend.setCurrentKey('k');
  const fired: Timer[] = [];
  const timers = new HeapTimerService(backend, { onEventTime: (t) => fired.push(t), onProcessingTime: (t) => fired.push(t) }, () => state.now);
  const ctx = new WindowTriggerContext<W>(backend, timers, () => state.watermark);
  return {
    ctx, backend, timers, state, fired,
    /** Points the context at `window`. */
    at(window: W): WindowTriggerContext<W> { ctx.window = window; ctx.namespace = namespaceOf(window); return ctx; },
    /** Pending timers as "event@ts" / "proc@ts". */
    pending(): string[] {
      const s = timers.snapshot();
      return [...s.eventTime.map((t) => `event@${t.timestamp}`), ...s.processingTime.map((t) => `proc@${t.timestamp}`)].sort();
    },
  };
}
