// KeyedProcessOperator: runs a KeyedProcessFunction. As in Flink, the runtime sets the current key
// on the keyed state backend before each element; timers fire with their key set.
// Imports api/ and state/ contracts; never actors/.
import type { Key } from '../../state/key-groups.ts';
import type { KeyedProcessFunction, OnTimerContext } from '../functions/keyed-process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { KeyedTimerService, type TimerService } from '../functions/timer-service.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { KeyedTimerOperator } from './keyed-timer-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from './stream-operator.ts';

export { requireKeyedState } from './keyed-timer-operator.ts';

/** Calls processElement per element and onTimer per due timer, with the key set. */
export class KeyedProcessOperator<K extends Key, IN, OUT> extends KeyedTimerOperator<OUT>
  implements OneInputStreamOperator<IN, OUT> {
  private ctx!: OnTimerContext<K>;

  constructor(private readonly fn: KeyedProcessFunction<K, IN, OUT>) { super(); }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    this.timers = context.getTimerService!('user-timers', this);
    const timers: TimerService = new KeyedTimerService(this.timers);
    const collector = this.collector;
    const backend = this.backend;
    this.ctx = {
      getCurrentKey: () => backend.getCurrentKey() as K,
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      timerService: () => timers,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
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

  protected fireTimer(timestamp: number): void {
    this.fn.onTimer?.(timestamp, this.ctx, this.collector);
  }

  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
