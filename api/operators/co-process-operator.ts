// CoProcessOperator and KeyedCoProcessOperator: run a (Keyed)CoProcessFunction over two inputs
// (ConnectedStreams.process). The keyed one gets timers per key; as for one-input keyed
// operators, the runtime sets the current key before each element. Imports api/ and state/.
import type { Key } from '../../state/key-groups.ts';
import type {
  CoProcessFunction, KeyedCoOnTimerContext, KeyedCoProcessFunction, CoOnTimerContext,
} from '../functions/co-process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { KeyedTimerService, NonKeyedTimerService, type TimerService } from '../functions/timer-service.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { KeyedTimerOperator } from './keyed-timer-operator.ts';
import type { OperatorContext, Output, TwoInputStreamOperator } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Runs a CoProcessFunction on two non-keyed inputs. */
export class CoProcessOperator<IN1, IN2, OUT> extends AbstractStreamOperator<OUT> implements TwoInputStreamOperator<IN1, IN2, OUT> {
  private collector!: TimestampedCollector<OUT>;
  private ctx!: CoOnTimerContext;

  constructor(private readonly fn: CoProcessFunction<IN1, IN2, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    const collector = (this.collector = new TimestampedCollector(output));
    const timers = new NonKeyedTimerService(() => context.clock.now(), () => this.currentWatermark);
    this.ctx = {
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
      timeDomain: () => 'event-time',
    };
  }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement1(value, this.ctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement2(value, this.ctx, this.collector);
  }

  override async close(): Promise<void> { await this.fn.close?.(); }
}

/** Runs a KeyedCoProcessFunction on two keyed inputs: keyed state and timers per key. */
export class KeyedCoProcessOperator<K extends Key, IN1, IN2, OUT> extends KeyedTimerOperator<OUT>
  implements TwoInputStreamOperator<IN1, IN2, OUT> {
  private ctx!: KeyedCoOnTimerContext<K>;

  constructor(private readonly fn: KeyedCoProcessFunction<K, IN1, IN2, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    const collector = this.collector;
    const backend = this.backend;
    this.timers = context.getTimerService!('user-timers', this);
    const timers: TimerService = new KeyedTimerService(this.timers);
    this.ctx = {
      getCurrentKey: () => backend.getCurrentKey() as K,
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
      timeDomain: () => this.domain,
    };
  }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement1(value, this.ctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement2(value, this.ctx, this.collector);
  }

  protected fireTimer(timestamp: number): void {
    this.fn.onTimer?.(timestamp, this.ctx, this.collector);
  }

  override async close(): Promise<void> { await this.fn.close?.(); }
}
