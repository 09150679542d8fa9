// A test harness for one-input operators (not a test file): a real operator context (heap keyed
// state and heap timers when keyed, a ManualClock, processing timers run at once when due) and
// an output that records everything the operator emits.
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import type { Key } from '../../../state/key-groups.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from '../../../api/operators/stream-operator.ts';
import type { OutputTag } from '../../../api/output-tag.ts';
import { ManualClock } from '../../../api/time/clock.ts';

/** What the harness recorded. */
export interface Recorded<T> {
  records: Array<[T, number]>;
  side: Array<[string, unknown, number]>;
  watermarks: number[];
  statuses: boolean[];
}

/** Sets up `operator` with a recording output; `key` sets the current key before each element. */
export async function harness<IN, OUT>(operator: OneInputStreamOperator<IN, OUT>, options: { keyBy?: (v: IN) => Key; clock?: ManualClock; subtaskIndex?: number; parallelism?: number } = {}) {
  const clock = options.clock ?? new ManualClock(0);
  const recorded: Recorded<OUT> = { records: [], side: [], watermarks: [], statuses: [] };
  const output: Output<OUT> = {
    collect: (v, t) => { recorded.records.push([v, t]); },
    collectSide: <X>(tag: OutputTag<X>, v: X, t: number) => { recorded.side.push([tag.id, v, t]); },
    emitWatermark: (t) => { recorded.watermarks.push(t); },
    emitWatermarkStatus: (idle) => { recorded.statuses.push(idle); },
  };
  const backend = options.keyBy ? new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 }, clock: () => clock.now() }) : undefined;
  const timerServices: HeapTimerService[] = [];
  const context: OperatorContext = {
    operatorName: 'op under test', uid: 'op-1', subtaskIndex: options.subtaskIndex ?? 0, parallelism: options.parallelism ?? 1,
    maxParallelism: 128, attemptNumber: 0, clock,
    registerProcessingTimer: (ts, cb) => clock.schedule(ts - clock.now(), () => cb(clock.now())),
    keyedState: backend,
    getTimerService: backend ? (_name, triggerable) => {
      const s = new HeapTimerService(backend, triggerable, () => clock.now());
      timerServices.push(s);
      return s;
    } : undefined,
    accumulators: new Map(),
  };
  operator.setup(context, output);
  await operator.open();
  return {
    recorded, clock, context, backend,
    process(value: IN, timestamp = -Infinity): void {
      if (options.keyBy) backend!.setCurrentKey(options.keyBy(value));
      operator.processElement(value, timestamp);
    },
    watermark(t: number): void { operator.processWatermark(t); },
    /** Advances processing time and fires due processing-time timers. */
    advanceProcessingTime(ms: number): void { clock.advance(ms); for (const s of timerServices) s.advanceProcessingTime(clock.now()); },
    values: () => recorded.records.map(([v]) => v),
  };
}
