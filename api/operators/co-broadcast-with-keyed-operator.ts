// CoBroadcastWithKeyedOperator: runs a KeyedBroadcastProcessFunction (Flink's operator of the
// same name). Input 1 is keyed (the runtime sets its key before each element) and gets keyed
// state, timers and read-only broadcast state; input 2 is the broadcast stream: it writes the
// broadcast state and reaches every key's state through applyToKeyedState. The broadcast state
// is snapshotted as union operator state; keyed state and timers by the runtime.
// Imports api/ and state/ only.
import type { Key } from '../../state/key-groups.ts';
import { VOID_NAMESPACE, type KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import type { MapStateDescriptor, StateDescriptor } from '../../state/state-descriptors.ts';
import type {
  KeyedBroadcastContext, KeyedBroadcastOnTimerContext, KeyedBroadcastProcessFunction, KeyedStateFunction,
} from '../functions/broadcast-process-function.ts';
import { createRuntimeContext } from '../functions/runtime-context.ts';
import { KeyedTimerService, type TimerService } from '../functions/timer-service.ts';
import { requireOutputTag, type OutputTag } from '../output-tag.ts';
import { NO_TIMESTAMP } from '../stream-elements.ts';
import { BroadcastStateStore } from './broadcast-state-store.ts';
import { KeyedTimerOperator } from './keyed-timer-operator.ts';
import type { OperatorContext, OperatorStateSnapshot, Output, StateInitializationContext, TwoInputStreamOperator } from './stream-operator.ts';

/** Runs a KeyedBroadcastProcessFunction: input 1 keyed, input 2 broadcast. */
export class CoBroadcastWithKeyedOperator<K extends Key, IN1, IN2, OUT> extends KeyedTimerOperator<OUT>
  implements TwoInputStreamOperator<IN1, IN2, OUT> {
  private userTimers!: TimerService;
  /** The keyed side's context; also onTimer's (the time domain tells them apart). */
  private readOnlyCtx!: KeyedBroadcastOnTimerContext<K>;
  private ctx!: KeyedBroadcastContext;
  /** The broadcast states of this subtask. */
  readonly broadcastStates: BroadcastStateStore;

  constructor(private readonly fn: KeyedBroadcastProcessFunction<K, IN1, IN2, OUT>, descriptors: readonly MapStateDescriptor<any, any>[]) {
    super();
    this.broadcastStates = new BroadcastStateStore(descriptors);
  }

  override setup(context: OperatorContext, output: Output<OUT>): void {
    super.setup(context, output);
    const collector = this.collector;
    const backend = this.backend;
    const store = this.broadcastStates;
    const base = {
      timestamp: () => (collector.timestamp === NO_TIMESTAMP ? undefined : collector.timestamp),
      currentProcessingTime: () => context.clock.now(),
      currentWatermark: () => this.currentWatermark,
      output: <X>(tag: OutputTag<X>, value: X) => output.collectSide(requireOutputTag(tag), value, collector.timestamp),
    };
    this.readOnlyCtx = {
      ...base,
      getBroadcastState: (d) => store.getReadOnlyBroadcastState(d),
      getCurrentKey: () => backend.getCurrentKey() as K,
      timerService: () => this.userTimers,
      timeDomain: () => this.domain,
    };
    this.ctx = {
      ...base,
      getBroadcastState: (d) => store.getBroadcastState(d),
      applyToKeyedState: (d, f) => this.applyToKeyedState(d, f as KeyedStateFunction<Key, unknown>),
    };
  }

  initializeState(context: StateInitializationContext): void { this.broadcastStates.restore(context); }

  snapshotState(): OperatorStateSnapshot { return this.broadcastStates.snapshot(); }

  override async open(): Promise<void> {
    // Created in open(), after the restore (which may wrap the timer service factory).
    this.timers = this.context.getTimerService!('user-timers', this);
    this.userTimers = new KeyedTimerService(this.timers);
    await this.fn.open?.(createRuntimeContext(this.context));
  }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processElement(value, this.readOnlyCtx, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processBroadcastElement(value, this.ctx, this.collector);
  }

  protected fireTimer(timestamp: number): void {
    this.fn.onTimer?.(timestamp, this.readOnlyCtx, this.collector);
  }

  override async close(): Promise<void> { await this.fn.close?.(); }

  /** Every key of this subtask with state under `descriptor`, each made current in turn. */
  private applyToKeyedState(descriptor: StateDescriptor, fn: KeyedStateFunction<Key, unknown>): void {
    const backend = this.backend;
    const state = stateOf(backend, descriptor);
    // A copy: fn may clear the state it is given, which removes the key from the live set.
    const keys = [...backend.getKeys(descriptor.name, VOID_NAMESPACE)];
    for (const key of keys) {
      backend.setCurrentKey(key);
      fn(key, state);
    }
  }
}

function stateOf(backend: KeyedStateBackend, d: StateDescriptor): unknown {
  switch (d.kind) {
    case 'value': return backend.getValueState(d);
    case 'list': return backend.getListState(d);
    case 'map': return backend.getMapState(d);
    case 'reducing': return backend.getReducingState(d);
    case 'aggregating': return backend.getAggregatingState(d);
  }
}
