// KeyedTimerOperator: the common base of operators that run a user function with per-key timers
// (KeyedProcessOperator, KeyedCoProcessOperator, CoBroadcastWithKeyedOperator): the collector that
// stamps output with the current timestamp, the time domain of the firing timer, advancing the
// timers on watermarks, and the timer callbacks. Imports api/ and state/ contracts only.
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService, Timer, Triggerable } from '../../state/timer-service.ts';
import type { TimeDomain } from '../functions/keyed-process-function.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext, Output } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** The keyed state backend of a keyed operator, or a clear error when the runtime gave none. */
export function requireKeyedState(context: OperatorContext): KeyedStateBackend {
  if (!context.keyedState) throw new Error(`operator "${context.operatorName}" needs keyed state: its input must be keyed`);
  return context.keyedState;
}

/** Base of keyed operators whose user function has onTimer. */
export abstract class KeyedTimerOperator<OUT> extends AbstractStreamOperator<OUT> implements Triggerable {
  protected collector!: TimestampedCollector<OUT>;
  protected backend!: KeyedStateBackend;
  /** The operator's 'user-timers' service; subclasses create it in setup() or open(). */
  protected timers!: InternalTimerService;
  /** The domain of the timer firing now (or of the last one). */
  protected domain: TimeDomain = 'event-time';

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.collector = new TimestampedCollector(output);
    this.backend = requireKeyedState(context);
  }

  /** Calls the user function's onTimer; the collector and domain are already set. */
  protected abstract fireTimer(timestamp: number): void;

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  onEventTime(timer: Timer): void {
    this.domain = 'event-time';
    this.collector.timestamp = timer.timestamp;
    this.fireTimer(timer.timestamp);
  }

  onProcessingTime(timer: Timer): void {
    this.domain = 'processing-time';
    // Flink emits records of processing-time timers without a timestamp.
    this.collector.timestamp = NO_TIMESTAMP;
    this.fireTimer(timer.timestamp);
  }
}
