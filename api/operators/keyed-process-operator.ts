// KeyedProcessOperator: runs a KeyedProcessFunction. As in Flink, the runtime sets the current key
// on the keyed state backend before each element; timers fire with their key set.
// Imports api/ and state/ contracts; never actors/.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Timer, Triggerable } from '../../state/timer-service.ts';
import type { KeyedProcessFunction, OnTimerContext, TimeDomain } from '../functions/keyed-process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { KeyedTimerService, type TimerService } from '../functions/timer-service.ts';
import type { OutputTag } from '../output-tag.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** The keyed state backend of a keyed operator, or a clear error when the runtime gave none. */
export function requireKeyedState(context: OperatorContext): KeyedStateBackend {
  if (!context.keyedState) throw new Error(`operator "${context.operatorName}" needs keyed state: its input must be keyed`);
  return context.keyedState;
}

/** Calls processElement per element and onTimer per due timer, with the key set. */
export class KeyedProcessOperator<K extends Key, IN, OUT> extends AbstractStreamOperator<OUT>
  implements OneInputStreamOperator<IN, OUT>, Triggerable {
  private collector!: TimestampedCollector<OUT>;
  private backend!: KeyedStateBackend;
  private internalTimers!: InternalTimerService;
  private ctx!: OnTimerContext<K>;
  private domain: TimeDomain = 'event-time';

  constructor(private readonly fn: KeyedProcessFunction<K, IN, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.collector = new TimestampedCollector(output);
    this.backend = requireKeyedState(context);
    this.internalTimers = context.getTimerService!('user-timers', this);
    const timers: TimerService = new KeyedTimerService(this.internalTimers);
    const collector = this.collector;
    const backend = this.backend;
    this.ctx = {
      getCurrentKey: () => backend.getCurrentKey() as K,
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(tag, value, collector.timestamp),
      timeDomain: () => this.domain,
    };
  }

  override async open(): Promise<void> {
    await this.fn.open?.(createRuntimeContext(this.context));
  }

  processElement(value: IN, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement(value, this.ctx, this.collector);
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.internalTimers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: Timer): void {
    this.domain = 'event-time';
    this.collector.timestamp = timer.timestamp;
    this.fn.onTimer?.(timer.timestamp, this.ctx, this.collector);
  }

  onProcessingTime(timer: Timer): void {
    this.domain = 'processing-time';
    // Flink emits records of processing-time timers without a timestamp.
    this.collector.timestamp = NO_TIMESTAMP;
    this.fn.onTimer?.(timer.timestamp, this.ctx, this.collector);
  }

  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
