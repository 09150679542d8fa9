// Mini-batch GROUP BY (Flink's table.exec.mini-batch.*): the operators buffer their input in memory
// and aggregate it per key at once, so keyed state is read and written once per key and batch, not
// once per row, and a key emits one change per batch instead of a -U/+U pair per row.
// A batch is flushed when it holds `size` rows, when `latencyMs` of processing time passed since
// its first row (a timer on the runtime's injected clock: Flink injects processing-time mini-batch
// watermarks from a MiniBatchAssigner; here each operator keeps its own timer), before the
// checkpoint barrier is forwarded (the operators flush in snapshotState, which the runtime calls
// head to tail along the chain before the barrier leaves the subtask, so every row taken before
// the barrier is in the state of the snapshot or in the output ahead of the barrier: exactly-once
// holds across failures), and at end of input.
// - MiniBatchGroupAggregateOperator (one phase, keyed): rows per key, applied by
//   GroupAggregateFunction.processBundle (DISTINCT sharing and state TTL as without mini-batch).
// - LocalGroupAggregateOperator (before the exchange, no state): accumulators per key, emitted as
//   partial rows [keys..., accumulators..., row count delta].
// - GlobalGroupAggregateOperator (keyed): merges the partials of a batch per key, then into the
//   group's state, and emits as the one-phase form does.
// Records are emitted without a timestamp, as Flink's bundle operators do. Imports api/ and state/.
import type { Collector } from '../../../functions/collector.ts';
import { createRuntimeContext } from '../../../functions/runtime-context.ts';
import { AbstractStreamOperator } from '../../../operators/abstract-stream-operator.ts';
import { requireKeyedState } from '../../../operators/keyed-timer-operator.ts';
import type { OneInputStreamOperator, OperatorContext, Output } from '../../../operators/stream-operator.ts';
import { NO_TIMESTAMP } from '../../../stream-elements.ts';
import type { Cancel } from '../../../time/clock.ts';
import type { Key } from '../../../../state/key-groups.ts';
import type { KeyedStateBackend } from '../../../../state/keyed-state-backend.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { accumulate, GroupAggregateFunction, resultRow, sameRow, type AggregateLayout, type GroupState } from './group-aggregate.ts';
import { rowKeySelector } from './row-key.ts';

/** When a mini-batch is flushed: `size` rows buffered, or `latencyMs` after its first row. */
export interface MiniBatchOptions {
  readonly latencyMs: number;
  readonly size: number;
}

/** Counts a batch's rows and owns its latency timer; calls `flush` on either trigger. */
class MiniBatchTrigger {
  private count = 0;
  private cancelTimer: Cancel | undefined;

  constructor(private readonly context: OperatorContext, private readonly options: MiniBatchOptions, private readonly flush: () => void) {}

  /** One more row is buffered. */
  added(): void {
    if (this.count++ === 0) {
      this.cancelTimer = this.context.registerProcessingTimer(this.context.clock.now() + this.options.latencyMs, () => {
        this.cancelTimer = undefined;
        this.fire();
      });
    }
    if (this.count >= this.options.size) this.fire();
  }

  /** Flushes what is buffered (if anything) and stops the latency timer. */
  fire(): void {
    if (this.cancelTimer !== undefined) {
      this.cancelTimer();
      this.cancelTimer = undefined;
    }
    if (this.count === 0) return;
    this.count = 0;
    this.flush();
  }
}

/** The common base: the trigger, the output collector, and flushing at barriers and at end of input. */
abstract class MiniBatchOperator<IN> extends AbstractStreamOperator<Change> implements OneInputStreamOperator<IN, Change> {
  protected trigger!: MiniBatchTrigger;
  protected collector!: Collector<Change>;

  constructor(protected readonly options: MiniBatchOptions) {
    super();
    if (!(options.size > 0) || !(options.latencyMs > 0)) throw new Error(`a mini-batch needs a size and a latency above 0, got size ${options.size} and latency ${options.latencyMs} ms`);
  }

  override setup(context: OperatorContext, output: Output<Change>): void {
    super.setup(context, output);
    this.trigger = new MiniBatchTrigger(context, this.options, () => this.flush());
    this.collector = { collect: (c) => output.collect(c, NO_TIMESTAMP) };
  }

  abstract processElement(value: IN, timestamp: number): void;

  /** Emits (and for keyed operators, stores) what the batch holds, and empties it. */
  protected abstract flush(): void;

  /** Before the barrier leaves the subtask: the batch goes into state and output (Flink's prepareSnapshotPreBarrier). */
  snapshotState(): undefined {
    this.trigger.fire();
    return undefined;
  }

  endInput(): void { this.trigger.fire(); }
}

/** One-phase mini-batch GROUP BY: each key's rows of a batch applied at once to its group. */
export class MiniBatchGroupAggregateOperator extends MiniBatchOperator<Change> {
  private backend!: KeyedStateBackend;
  private currentKey: Key = '';
  /** Rows per key in arrival order (a Map keeps keys in first-seen order). */
  private buffer = new Map<Key, Change[]>();

  constructor(private readonly fn: GroupAggregateFunction, options: MiniBatchOptions) { super(options); }

  override setup(context: OperatorContext, output: Output<Change>): void {
    super.setup(context, output);
    this.backend = requireKeyedState(context);
  }

  override open(): void { this.fn.open(createRuntimeContext(this.context)); }

  /** The runtime hands the key here instead of setting it on the backend per row. */
  setKeyContext(key: Key): void { this.currentKey = key; }

  processElement(change: Change): void {
    const rows = this.buffer.get(this.currentKey);
    if (rows === undefined) this.buffer.set(this.currentKey, [change]);
    else rows.push(change);
    this.trigger.added();
  }

  protected flush(): void {
    const buffer = this.buffer;
    this.buffer = new Map();
    for (const [key, rows] of buffer) {
      this.backend.setCurrentKey(key);
      this.fn.processBundle(rows, this.collector);
    }
  }
}

/** A key's partial aggregate in a batch: its key values (a row holding them), accumulators and row count delta. */
type Partial = [keyRow: readonly unknown[], accs: unknown[], rows: number];

/** Local aggregation before the exchange: accumulators per key, no state; emits one partial row per key and batch. */
export class LocalGroupAggregateOperator extends MiniBatchOperator<Change> {
  private buffer = new Map<string, Partial>();
  private readonly key: (row: readonly unknown[]) => string;

  constructor(private readonly layout: AggregateLayout, options: MiniBatchOptions) {
    super(options);
    if (layout.distinct !== undefined) throw new Error('a local aggregation cannot hold DISTINCT aggregates');
    this.key = rowKeySelector(layout.groupKeys);
  }

  processElement(change: Change): void {
    const key = this.key(change.row);
    let partial = this.buffer.get(key);
    if (partial === undefined) {
      partial = [change.row, this.layout.calls.map((c) => c.acc.create()), 0];
      this.buffer.set(key, partial);
    }
    const add = isAccumulate(change.op);
    accumulate(this.layout, partial[1], change.row, add);
    partial[2] += add ? 1 : -1;
    this.trigger.added();
  }

  protected flush(): void {
    const buffer = this.buffer;
    this.buffer = new Map();
    const keys = this.layout.groupKeys;
    for (const [keyRow, accs, rows] of buffer.values()) {
      const row: unknown[] = keys.map((k) => keyRow[k]);
      for (let i = 0; i < accs.length; i++) row.push(accs[i]);
      row.push(rows);
      this.collector.collect({ op: '+I', row });
    }
  }
}

/**
 * Global aggregation after the exchange: partial rows (keys at 0..k-1, then one accumulator per
 * call, then the row count delta) merged per key within a batch, then into the group's state.
 * `layout` is the aggregation's layout over the local input (its accumulators merge; its group
 * keys are not read here).
 */
export class GlobalGroupAggregateOperator extends MiniBatchOperator<Change> {
  private backend!: KeyedStateBackend;
  private state!: ValueState<GroupState>;
  private currentKey: Key = '';
  private buffer = new Map<Key, Partial>();
  /** The output layout: keys 0..k-1 of a partial row (resultRow reads the keys from there). */
  private readonly outLayout: AggregateLayout;

  constructor(private readonly layout: AggregateLayout, options: MiniBatchOptions, private readonly ttlMs?: number) {
    super(options);
    if (layout.calls.some((c) => c.acc.merge === undefined)) throw new Error('a global aggregation needs aggregates that merge');
    this.outLayout = { groupKeys: layout.groupKeys.map((_, i) => i), calls: layout.calls };
  }

  override setup(context: OperatorContext, output: Output<Change>): void {
    super.setup(context, output);
    this.backend = requireKeyedState(context);
    this.state = this.backend.getValueState(new ValueStateDescriptor<GroupState>('group-aggregate', this.ttlMs ? { ttlMs: this.ttlMs } : {}));
  }

  setKeyContext(key: Key): void { this.currentKey = key; }

  processElement(change: Change): void {
    const row = change.row;
    const calls = this.layout.calls;
    const k = this.layout.groupKeys.length;
    let partial = this.buffer.get(this.currentKey);
    if (partial === undefined) {
      partial = [row, calls.map((c) => c.acc.create()), 0];
      this.buffer.set(this.currentKey, partial);
    }
    const accs = partial[1];
    for (let i = 0; i < calls.length; i++) accs[i] = calls[i].acc.merge!(accs[i], row[k + i]);
    partial[2] += row[k + calls.length] as number;
    this.trigger.added();
  }

  protected flush(): void {
    const buffer = this.buffer;
    this.buffer = new Map();
    const calls = this.layout.calls;
    const layout = this.outLayout;
    for (const [key, [keyRow, accs, rows]] of buffer) {
      this.backend.setCurrentKey(key);
      let state = this.state.value();
      const before = state !== undefined && state[1] > 0 ? resultRow(layout, keyRow as unknown[], state[0]) : undefined;
      // A group with no state (never seen, or expired by its TTL) that only loses rows: nothing to undo.
      if (state === undefined && rows <= 0) continue;
      if (state === undefined) state = [calls.map((c) => c.acc.create()), 0];
      for (let i = 0; i < calls.length; i++) state[0][i] = calls[i].acc.merge!(state[0][i], accs[i]);
      state[1] += rows;
      if (state[1] <= 0) {
        this.state.clear();
        if (before) this.collector.collect({ op: '-D', row: before });
        continue;
      }
      this.state.update(state);
      const after = resultRow(layout, keyRow as unknown[], state[0]);
      if (before === undefined) this.collector.collect({ op: '+I', row: after });
      else if (!sameRow(before, after)) {
        this.collector.collect({ op: '-U', row: before });
        this.collector.collect({ op: '+U', row: after });
      }
    }
  }
}
