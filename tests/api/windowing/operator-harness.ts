// Test support: drives a one- or two-input operator as the runtime would (current key set before
// each element, watermarks, processing time from a ManualClock) over a real HeapKeyedStateBackend
// and HeapTimerService, and collects what it emits.
import { ManualClock } from '../../../api/time/clock.ts';
import type { OneInputStreamOperator, OperatorContext, TwoInputStreamOperator } from '../../../api/operators/stream-operator.ts';
import type { Key } from '../../../state/key-groups.ts';
import type { Triggerable } from '../../../state/timer-service.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { CollectingOutput } from './collecting-output.ts';

export { CollectingOutput } from './collecting-output.ts';

/** Options of a harness. */
export interface HarnessOptions {
  clock?: ManualClock;
  maxParallelism?: number;
  /** Without keyed state the operator gets no backend nor timer services. */
  keyed?: boolean;
}

/** The runtime side shared by both harness shapes. */
abstract class HarnessBase<OUT> {
  readonly clock: ManualClock;
  readonly output = new CollectingOutput<OUT>();
  readonly backend: HeapKeyedStateBackend | undefined;
  readonly timerServices = new Map<string, HeapTimerService>();
  readonly context: OperatorContext;

  constructor(options: HarnessOptions) {
    this.clock = options.clock ?? new ManualClock(0);
    const maxParallelism = options.maxParallelism ?? 128;
    const clock = this.clock;
    const keyed = options.keyed ?? true;
    const backend = keyed ? new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: maxParallelism - 1 }, clock: () => clock.now() }) : undefined;
    this.backend = backend;
    const services = this.timerServices;
    this.context = {
      operatorName: 'operator-under-test', uid: 'uid', subtaskIndex: 0, parallelism: 1, maxParallelism, attemptNumber: 0,
      clock,
      registerProcessingTimer: (timestamp, callback) => clock.schedule(timestamp - clock.now(), () => callback(timestamp)),
      keyedState: backend,
      getTimerService: backend
        ? (name: string, triggerable: Triggerable) => {
          const service = new HeapTimerService(backend, triggerable, () => clock.now());
          services.set(name, service);
          return service;
        }
        : undefined,
      accumulators: new Map(),
    };
  }

  /** Moves processing time to `time`: scheduled callbacks run, then due processing-time timers fire. */
  advanceProcessingTimeTo(time: number): void {
    this.clock.advanceTo(time);
    for (const service of this.timerServices.values()) service.advanceProcessingTime(time);
  }

  protected setKey(key: Key | undefined): void { if (key !== undefined) this.backend!.setCurrentKey(key); }
}

/** Drives a one-input operator. */
export class OneInputHarness<IN, OUT> extends HarnessBase<OUT> {
  constructor(readonly operator: OneInputStreamOperator<IN, OUT>, private readonly keySelector?: (value: IN) => Key, options: HarnessOptions = {}) {
    super({ keyed: keySelector !== undefined, ...options });
    operator.setup(this.context, this.output);
  }
  async open(): Promise<this> { await this.operator.open(); return this; }
  processElement(value: IN, timestamp: number): void {
    const key = this.keySelector?.(value);
    // As the runtime does: the operator takes the key itself when it can.
    if (key !== undefined && this.operator.setKeyContext !== undefined) this.operator.setKeyContext(key);
    else this.setKey(key);
    this.operator.processElement(value, timestamp);
  }
  processWatermark(timestamp: number): void { this.operator.processWatermark(timestamp); }
  endInput(): void { this.operator.endInput?.(); }
  async close(): Promise<void> { await this.operator.close(); }
}

/** Drives a two-input operator. */
export class TwoInputHarness<IN1, IN2, OUT> extends HarnessBase<OUT> {
  constructor(
    readonly operator: TwoInputStreamOperator<IN1, IN2, OUT>,
    private readonly keySelector1?: (value: IN1) => Key,
    private readonly keySelector2?: (value: IN2) => Key,
    options: HarnessOptions = {},
  ) {
    super({ keyed: keySelector1 !== undefined, ...options });
    operator.setup(this.context, this.output);
  }
  async open(): Promise<this> { await this.operator.open(); return this; }
  processElement1(value: IN1, timestamp: number): void {
    this.setKey(this.keySelector1?.(value));
    this.operator.processElement1(value, timestamp);
  }
  processElement2(value: IN2, timestamp: number): void {
    this.setKey(this.keySelector2?.(value));
    this.operator.processElement2(value, timestamp);
  }
  processWatermark(timestamp: number): void { this.operator.processWatermark(timestamp); }
  async close(): Promise<void> { await this.operator.close(); }
}
