// The keyed functions of GROUP BY: GroupAggregateFunction keeps one accumulator row per group in
// keyed state and emits the group's result as an updating changelog (+I the first time, -U/+U
// when it changes, -D when the group's last row is retracted), consuming retractions of an updating
// input exactly (Flink's GroupAggFunction). WindowAggregateFunction keeps one accumulator per group
// and window and emits +I once the watermark passes the window's end (append-only); rows of a
// window the watermark has passed are late and dropped, as in Flink. DISTINCT aggregates of a
// GROUP BY over the same arguments share one map state of the values seen (Flink's distinct views:
// q15's four COUNT(DISTINCT bidder) with different FILTERs look a bidder up once), keyed by the
// value itself, holding a bit per aggregate (or a count per aggregate when the input retracts);
// map state is snapshotted entry by entry as plain pairs, not cloned as one object.
// Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, ValueStateDescriptor, type MapState, type ValueState } from '../../../../state/state-descriptors.ts';
import type { Accumulator } from '../../functions/aggregate-functions.ts';
import { isAccumulate, type Change } from '../../types/row.ts';

/** DISTINCT aggregates over the same argument values: at most 31, so a bit each fits an int. */
export interface DistinctGroup {
  /** The argument fields (of the group's first call; the others compute the same values). */
  readonly args: readonly number[];
  /** Indices into the layout's calls; their `acc` is the plain (not DISTINCT) aggregate. */
  readonly calls: readonly number[];
}

/** How the aggregation reads its input rows. */
export interface AggregateLayout {
  readonly groupKeys: readonly number[];
  readonly calls: readonly {
    readonly args: readonly number[]; readonly filter?: number; readonly acc: Accumulator;
    /** COUNT(*) (not DISTINCT): its accumulator is the row count, added to directly by GROUP BY. */
    readonly countStar?: boolean;
  }[];
  /** GROUP BY only: DISTINCT calls whose seen values live in shared map state, not in their accumulators. */
  readonly distinct?: readonly DistinctGroup[];
}

/** Group state: the accumulators and how many input rows are in the group. */
export type GroupState = [accs: unknown[], rows: number];

/** Whether two result rows hold the same values (no -U/+U for an unchanged result). */
export function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Adds (or retracts) one row to the accumulators of the calls not handled by a distinct group. */
export function accumulate(layout: AggregateLayout, accs: unknown[], row: unknown[], add: boolean, shared?: readonly boolean[]): void {
  const calls = layout.calls;
  for (let i = 0; i < calls.length; i++) {
    if (shared !== undefined && shared[i]) continue;
    const call = calls[i];
    if (call.filter !== undefined && row[call.filter] !== true) continue;
    const args = argValues(call.args, row);
    accs[i] = add ? call.acc.add(accs[i], args) : call.acc.retract(accs[i], args);
  }
}

/** No arguments (COUNT(*)): one shared array, nothing is stored into it. */
const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** The values of `fields` in `row`, a fresh array (DISTINCT keeps it); no closure per call. */
function argValues(fields: readonly number[], row: readonly unknown[]): unknown[] {
  switch (fields.length) {
    case 0: return NO_ARGS as unknown[];
    case 1: return [row[fields[0]]];
    default: {
      const out = new Array<unknown>(fields.length);
      for (let k = 0; k < fields.length; k++) out[k] = row[fields[k]];
      return out;
    }
  }
}

/** The output row: the group keys (read from `row`) and each call's value. */
export function resultRow(layout: AggregateLayout, row: unknown[], accs: unknown[]): unknown[] {
  const out: unknown[] = layout.groupKeys.map((k) => row[k]);
  for (let i = 0; i < layout.calls.length; i++) out.push(layout.calls[i].acc.value(accs[i]));
  return out;
}

/** GROUP BY over any changelog: an updating result per group. */
export class GroupAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private state!: ValueState<GroupState>;
  /** Per distinct group, its seen values: a bit per call (append-only input) or a count per call. */
  private seen: MapState<unknown, number | number[]>[] = [];
  /** Per call, whether a distinct group handles it. */
  private readonly shared: boolean[] | undefined;
  /**
   * Append-only input, per distinct group of one argument: its field, each call's FILTER field
   * (-1: none), accumulator and index. A row's applicable calls become a bit mask first, so a value
   * seen before for all of them costs one lookup (q15: every bid of a known bidder).
   */
  private readonly marks: { field: number; filters: Int32Array; accs: Accumulator[]; calls: number[] }[] | undefined;
  /** The calls no distinct group handles (every call without DISTINCT sharing). */
  private readonly own: readonly number[];
  /** Argument arrays of distinct groups' plain accumulators: they read the value and keep nothing. */
  private readonly scratch: unknown[] = [null];

  /**
   * `ttlMs`: a group idle this long is forgotten (Flink's table.exec.state.ttl). `retracting`: the
   * input carries retractions, so distinct values are counted per call rather than marked.
   */
  constructor(private readonly layout: AggregateLayout, private readonly ttlMs?: number, private readonly retracting = true) {
    super();
    const groups = layout.distinct ?? [];
    if (groups.some((g) => g.calls.length > 31)) throw new Error('a distinct group holds at most 31 aggregate calls');
    this.shared = groups.length === 0 ? undefined : layout.calls.map((_, i) => groups.some((g) => g.calls.includes(i)));
    this.own = layout.calls.flatMap((_, i) => (this.shared?.[i] ? [] : [i]));
    this.marks = retracting || groups.some((g) => g.args.length !== 1) ? undefined : groups.map((g) => ({
      field: g.args[0],
      filters: Int32Array.from(g.calls, (c) => layout.calls[c].filter ?? -1),
      accs: g.calls.map((c) => layout.calls[c].acc),
      calls: [...g.calls],
    }));
  }

  override open(ctx: RuntimeContext): void {
    const options = this.ttlMs ? { ttlMs: this.ttlMs } : {};
    this.state = ctx.getState(new ValueStateDescriptor<GroupState>('group-aggregate', options));
    this.seen = (this.layout.distinct ?? []).map((_, g) => ctx.getMapState(new MapStateDescriptor<unknown, number | number[]>(`group-aggregate-distinct-${g}`, options)));
  }

  /** Adds (or retracts) the row's values to the distinct groups, feeding each call a value the first time it sees it (or the last time it loses it). */
  private accumulateDistinct(accs: unknown[], row: unknown[], add: boolean): void {
    if (this.marks !== undefined) {
      if (!add) throw new Error('a GROUP BY over an append-only input received a retraction');
      this.markDistinct(accs, row);
      return;
    }
    const groups = this.layout.distinct!;
    const calls = this.layout.calls;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      const args = argValues(group.args, row);
      let hasNull = false;
      for (let k = 0; k < args.length; k++) if (args[k] === null || args[k] === undefined) hasNull = true;
      if (hasNull) continue; // DISTINCT skips NULLs
      const key = args.length === 1 && (typeof args[0] !== 'object') ? args[0] : JSON.stringify(args);
      const seen = this.seen[g];
      if (!this.retracting) {
        if (!add) throw new Error('a GROUP BY over an append-only input received a retraction');
        const mask = (seen.get(key) as number | undefined) ?? 0;
        let next = mask;
        for (let j = 0; j < group.calls.length; j++) {
          const c = group.calls[j];
          const call = calls[c];
          if ((mask & (1 << j)) !== 0 || (call.filter !== undefined && row[call.filter] !== true)) continue;
          next |= 1 << j;
          accs[c] = call.acc.add(accs[c], args);
        }
        // With a TTL every touch keeps the values alive as long as the group's accumulators.
        if (next !== mask || this.ttlMs) seen.put(key, next);
        continue;
      }
      let counts = seen.get(key) as number[] | undefined;
      if (counts === undefined) {
        if (!add) continue;
        counts = new Array<number>(group.calls.length).fill(0);
      }
      let changed = false;
      for (let j = 0; j < group.calls.length; j++) {
        const c = group.calls[j];
        const call = calls[c];
        if (call.filter !== undefined && row[call.filter] !== true) continue;
        if (add) {
          if (counts[j]++ === 0) accs[c] = call.acc.add(accs[c], args);
        } else if (counts[j] > 0) {
          if (--counts[j] === 0) accs[c] = call.acc.retract(accs[c], args);
        } else continue;
        changed = true;
      }
      if (!changed && !this.ttlMs) continue;
      if (counts.every((n) => n === 0)) seen.remove(key);
      else seen.put(key, counts);
    }
  }

  /**
   * Mini-batch: applies a bundle of the current key's changes (in arrival order) with one read and
   * one write of the group's state, and emits one change for the whole bundle, as Flink's
   * MiniBatchGroupAggFunction: +I for a new group, -U/+U when its result changed (nothing when it
   * did not), -D when its rows are all retracted. Rows in between go through the same steps as
   * processElement (a group emptied mid-bundle starts over), so the final results are the same.
   */
  /** Adds (or retracts) the row to the calls not handled by a distinct group. */
  private accumulateOwn(accs: unknown[], row: unknown[], add: boolean): void {
    const calls = this.layout.calls;
    const own = this.own;
    for (let k = 0; k < own.length; k++) {
      const i = own[k];
      const call = calls[i];
      if (call.filter !== undefined && row[call.filter] !== true) continue;
      if (call.countStar === true) { accs[i] = (accs[i] as number) + (add ? 1 : -1); continue; }
      const args = argValues(call.args, row);
      accs[i] = add ? call.acc.add(accs[i], args) : call.acc.retract(accs[i], args);
    }
  }

  /** accumulateDistinct over an append-only input with one argument per group (same state, same effect). */
  private markDistinct(accs: unknown[], row: unknown[]): void {
    const marks = this.marks!;
    const scratch = this.scratch;
    for (let g = 0; g < marks.length; g++) {
      const m = marks[g];
      const v = row[m.field];
      if (v === null || v === undefined) continue; // DISTINCT skips NULLs
      const filters = m.filters;
      let applicable = 0;
      for (let j = 0; j < filters.length; j++) {
        const f = filters[j];
        if (f < 0 || row[f] === true) applicable |= 1 << j;
      }
      const key = typeof v !== 'object' ? v : JSON.stringify([v]);
      const seen = this.seen[g];
      const mask = (seen.get(key) as number | undefined) ?? 0;
      const added = applicable & ~mask;
      if (added !== 0) {
        scratch[0] = v;
        for (let j = 0; j < filters.length; j++) {
          if ((added & (1 << j)) === 0) continue;
          const c = m.calls[j];
          accs[c] = m.accs[j].add(accs[c], scratch);
        }
        seen.put(key, mask | added);
      } else if (this.ttlMs) seen.put(key, mask); // with a TTL every touch keeps the values alive
    }
  }

  processBundle(changes: readonly Change[], out: Collector<Change>): void {
    const layout = this.layout;
    let state = this.state.value();
    const keyRow = changes[0].row;
    const before = state !== undefined && state[1] > 0 ? resultRow(layout, keyRow, state[0]) : undefined;
    let touched = false;
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i];
      const add = isAccumulate(change.op);
      if (state === undefined) {
        if (!add) continue;
        state = [layout.calls.map((c) => c.acc.create()), 0];
        for (const seen of this.seen) seen.clear();
      }
      this.accumulateOwn(state[0], change.row, add);
      if (this.shared !== undefined) this.accumulateDistinct(state[0], change.row, add);
      state[1] += add ? 1 : -1;
      touched = true;
      if (state[1] <= 0) {
        state = undefined;
        for (const seen of this.seen) seen.clear();
      }
    }
    if (!touched) return;
    if (state === undefined) {
      this.state.clear();
      if (before) out.collect({ op: '-D', row: before });
      return;
    }
    this.state.update(state);
    const after = resultRow(layout, keyRow, state[0]);
    if (before === undefined) out.collect({ op: '+I', row: after });
    else if (!sameRow(before, after)) {
      out.collect({ op: '-U', row: before });
      out.collect({ op: '+U', row: after });
    }
  }

  processElement(change: Change, _ctx: KeyedContext<string>, out: Collector<Change>): void {
    const layout = this.layout;
    const add = isAccumulate(change.op);
    let state = this.state.value();
    if (state === undefined) {
      // A retraction of a group that holds nothing (e.g. its state expired): nothing to undo.
      if (!add) return;
      state = [layout.calls.map((c) => c.acc.create()), 0];
      for (const seen of this.seen) seen.clear(); // values of a group whose accumulators expired
    }
    const before = state[1] > 0 ? resultRow(layout, change.row, state[0]) : undefined;
    this.accumulateOwn(state[0], change.row, add);
    if (this.shared !== undefined) this.accumulateDistinct(state[0], change.row, add);
    state[1] += add ? 1 : -1;
    if (state[1] <= 0) {
      this.state.clear();
      for (const seen of this.seen) seen.clear();
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
