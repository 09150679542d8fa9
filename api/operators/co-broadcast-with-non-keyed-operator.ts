// CoBroadcastWithNonKeyedOperator: runs a BroadcastProcessFunction (Flink's operator of the same
// name). Input 1 is the non-broadcast stream and reads the broadcast state; input 2 is the
// broadcast stream and writes it. The broadcast state is snapshotted as union operator state.
// Imports api/ and state/ only.
import type { MapStateDescriptor } from '../../state/state-descriptors.ts';
import type {
  BroadcastContext, BroadcastProcessFunction, BroadcastReadOnlyContext,
} from '../functions/broadcast-process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { BroadcastStateStore } from './broadcast-state-store.ts';
import type { OperatorContext, OperatorStateSnapshot, Output, StateInitializationContext, TwoInputStreamOperator } from './stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Runs a BroadcastProcessFunction: input 1 non-broadcast, input 2 broadcast. */
export class CoBroadcastWithNonKeyedOperator<IN1, IN2, OUT> extends AbstractStreamOperator<OUT>
  implements TwoInputStreamOperator<IN1, IN2, OUT> {
  private collector!: TimestampedCollector<OUT>;
  private readOnlyCtx!: BroadcastReadOnlyContext;
  private ctx!: BroadcastContext;
  /** The broadcast states of this subtask. */
  readonly broadcastStates: BroadcastStateStore;

  constructor(private readonly fn: BroadcastProcessFunction<IN1, IN2, OUT>, descriptors: readonly MapStateDescriptor<any, any>[]) {
    super();
    this.broadcastStates = new BroadcastStateStore(descriptors);
  }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    const collector = (this.collector = new TimestampedCollector(output));
    const store = this.broadcastStates;
    const base = {
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      currentProcessingTime: () => context.clock.now(),
      currentWatermark: () => this.currentWatermark,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
    };
    this.readOnlyCtx = { ...base, getBroadcastState: (d) => store.getReadOnlyBroadcastState(d) };
    this.ctx = { ...base, getBroadcastState: (d) => store.getBroadcastState(d) };
  }

  initializeState(context: StateInitializationContext): void { this.broadcastStates.restore(context); }

  snapshotState(): OperatorStateSnapshot { return this.broadcastStates.snapshot(); }

  override async open(): Promise<void> { await this.fn.open?.(createRuntimeContext(this.context)); }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement(value, this.readOnlyCtx, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processBroadcastElement(value, this.ctx, this.collector);
  }

  override async close(): Promise<void> { await this.fn.close?.(); }
}
