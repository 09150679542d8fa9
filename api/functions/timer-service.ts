// TimerService: the user-facing timers of process functions (Flink's TimerService). Keyed
// functions register timers for the current key; non-keyed functions may only read time.
// Imports the state/ timer contract; never actors/.
import type { InternalTimerService } from '../../state/timer-service.ts';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.ts';

/** Time and timers as a process function sees them. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

/** The timer service of a keyed function: timers for the current key, in the void namespace. */
export class KeyedTimerService implements TimerService {
  constructor(private readonly timers: InternalTimerService) {}
  currentProcessingTime(): number { return this.timers.currentProcessingTime(); }
  currentWatermark(): number { return this.timers.currentWatermark(); }
  registerEventTimeTimer(t: number): void { this.timers.registerEventTimeTimer(VOID_NAMESPACE, t); }
  registerProcessingTimeTimer(t: number): void { this.timers.registerProcessingTimeTimer(VOID_NAMESPACE, t); }
  deleteEventTimeTimer(t: number): void { this.timers.deleteEventTimeTimer(VOID_NAMESPACE, t); }
  deleteProcessingTimeTimer(t: number): void { this.timers.deleteProcessingTimeTimer(VOID_NAMESPACE, t); }
}

/** The timer service of a non-keyed function: reads time; timers need a keyed stream (as in Flink). */
export class NonKeyedTimerService implements TimerService {
  constructor(private readonly now: () => number, private readonly watermark: () => number) {}
  currentProcessingTime(): number { return this.now(); }
  currentWatermark(): number { return this.watermark(); }
  registerEventTimeTimer(_timestamp: number): void { throw unsupported(); }
  registerProcessingTimeTimer(_timestamp: number): void { throw unsupported(); }
  deleteEventTimeTimer(_timestamp: number): void { throw unsupported(); }
  deleteProcessingTimeTimer(_timestamp: number): void { throw unsupported(); }
}

function unsupported(): Error {
  return new Error('setting timers is only supported on a keyed stream: use keyBy() before process()');
}
