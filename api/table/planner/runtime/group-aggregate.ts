// The keyed functions of GROUP BY: GroupAggregateFunction keeps one accumulator row per group in
// keyed state and emits the group's result as an updating changelog (+I the first time, -U/+U
// when it changes, -D when the group's last row is retracted), consuming retractions of an updating
// input exactly (Flink's GroupAggFunction). WindowAggregateFunction keeps one accumulator per group
// and window and emits +I once the watermark passes the window's end (append-only); rows of a
// window the watermark has passed are late and dropped, as in Flink. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import type { Accumulator } from '../../functions/aggregate-functions.ts';
import { isAccumulate, type Change } from '../../types/row.ts';

/** How the aggregation reads its input rows. */
export interface AggregateLayout {
  readonly groupKeys: readonly number[];
  readonly calls: readonly { readonly args: readonly number[]; readonly filter?: number; readonly acc: Accumulator }[];
}

/** Group state: the accumulators and how many input rows are in the group. */
type GroupState = [accs: unknown[], rows: number];

function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function accumulate(layout: AggregateLayout, accs: unknown[], row: unknown[], add: boolean): void {
  const calls = layout.calls;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i];
    if (call.filter !== undefined && row[call.filter] !== true) continue;
    const args = call.args.map((a) => row[a]);
    accs[i] = add ? call.acc.add(accs[i], args) : call.acc.retract(accs[i], args);
  }
}

function resultRow(layout: AggregateLayout, row: unknown[], accs: unknown[]): unknown[] {
  const out: unknown[] = layout.groupKeys.map((k) => row[k]);
  for (let i = 0; i < layout.calls.length; i++) out.push(layout.calls[i].acc.value(accs[i]));
  return out;
}

/** GROUP BY over any changelog: an updating result per group. */
export class GroupAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private state!: ValueState<GroupState>;
  /** `ttlMs`: a group idle this long is forgotten (Flink's table.exec.state.ttl). */
  constructor(private readonly layout: AggregateLayout, private readonly ttlMs?: number) { super(); }

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<GroupState>('group-aggregate', this.ttlMs ? { ttlMs: this.ttlMs } : {}));
  }

  processElement(change: Change, _ctx: KeyedContext<string>, out: Collector<Change>): void {
    const layout = this.layout;
    const add = isAccumulate(change.op);
    let state = this.state.value();
    if (state === undefined) {
      // A retraction of a group that holds nothing (e.g. its state expired): nothing to undo.
      if (!add) return;
      state = [layout.calls.map((c) => c.acc.create()), 0];
    }
    const before = state[1] > 0 ? resultRow(layout, change.row, state[0]) : undefined;
    accumulate(layout, state[0], change.row, add);
    state[1] += add ? 1 : -1;
    if (state[1] <= 0) {
      this.state.clear();
      if (before) out.collect({ op: '-D', row: before });
      return;
    }
    this.state.update(state);
    const after = resultRow(layout, change.row, state[0]);
    if (before === undefined) out.collect({ op: '+I', row: after });
    else if (!sameRow(before, after)) {
      out.collect({ op: '-U', row: before });
      out.collect({ op: '+U', row: after });
    }
  }
}

/**
 * Window aggregation: a group key includes window_start and window_end; results fire on the
 * watermark, or on the clock for windows of processing time (`proctime`; those are never late:
 * a row's window was assigned from the clock moments before).
 */
export class WindowAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private state!: ValueState<[accs: unknown[], row: unknown[]]>;
  constructor(private readonly layout: AggregateLayout, private readonly windowEnd: number, private readonly proctime = false) { super(); }

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<[unknown[], unknown[]]>('window-aggregate'));
  }

  processElement(change: Change, ctx: KeyedContext<string>, _out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('a window aggregation needs an append-only input, but it received a retraction');
    const end = change.row[this.windowEnd] as number;
    const timers = ctx.timerService();
    // Late: the watermark has passed the window's last millisecond; the window has fired.
    if (!this.proctime && end - 1 <= timers.currentWatermark()) return;
    let state = this.state.value();
    if (state === undefined) {
      state = [this.layout.calls.map((c) => c.acc.create()), this.layout.groupKeys.map((k) => change.row[k])];
      if (this.proctime) timers.registerProcessingTimeTimer(end - 1);
      else timers.registerEventTimeTimer(end - 1);
    }
    accumulate(this.layout, state[0], change.row, true);
    this.state.update(state);
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<string>, out: Collector<Change>): void {
    const state = this.state.value();
    if (state === undefined) return;
    const [accs, keys] = state;
    const row = [...keys];
    for (let i = 0; i < this.layout.calls.length; i++) row.push(this.layout.calls[i].acc.value(accs[i]));
    this.state.clear();
    out.collect({ op: '+I', row });
  }
}
