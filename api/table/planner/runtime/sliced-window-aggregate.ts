// The keyed function of a window aggregation over shared slices (Flink's slicing window
// aggregate): per group (the keys that are not window columns) one accumulator row per slice; each
// row is added to the one slice its time falls in, and a window's result merges the accumulators
// of its slices when the watermark passes its end. A slice is dropped once the last window holding
// it has fired. Timers are few, as in Flink's slicing operator: a new slice registers only its
// first window that has not fired, and a firing window registers the next one holding a slice. Rows behave as in WindowAggregateFunction: a row counts in every window of its
// time that has not fired yet, and is dropped as late when all of them have. State is one plain
// array per group (checkpointed as it is); timers are the window ends. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import type { WindowColumn, WindowSlicer } from '../window-slicing.ts';
import type { AggregateLayout } from './group-aggregate.ts';

/** One slice: its end, the ends of the first and last windows holding it, and its accumulators. */
type Slice = [end: number, firstWindowEnd: number, lastWindowEnd: number, accs: unknown[]];
/** A group's state: its key values (input row positions of the layout's keys) and its slices, by end. */
type SlicesState = [keys: unknown[], slices: Slice[]];

/** Window aggregation over slices; input rows carry their time at `timeField`. */
export class SlicedWindowAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private state!: ValueState<SlicesState>;

  /** `keyColumns`: per group key of `layout`, the window column it is, or undefined for a key from the row. */
  constructor(
    private readonly layout: AggregateLayout,
    private readonly keyColumns: readonly (WindowColumn | undefined)[],
    private readonly slicer: WindowSlicer,
    private readonly timeField: number,
  ) { super(); }

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<SlicesState>('sliced-window-aggregate'));
  }

  processElement(change: Change, ctx: KeyedContext<string>, _out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('a window aggregation needs an append-only input, but it received a retraction');
    const row = change.row;
    const t = row[this.timeField] as number | null;
    if (t === null) return;
    const sliceEnd = this.slicer.sliceEnd(t);
    let state = this.state.value();
    let slice = state === undefined ? undefined : findSlice(state[1], sliceEnd);
    if (slice === undefined) {
      // A new slice: a timer for its first window that has not fired (the others have passed);
      // each firing registers the next window holding a slice, so its later windows follow.
      const timers = ctx.timerService();
      const watermark = timers.currentWatermark();
      const windows = this.slicer.windowsOf(sliceEnd);
      const first = windows.find(([, end]) => end - 1 > watermark);
      if (first === undefined) return; // late: every window of this row has fired
      timers.registerEventTimeTimer(first[1] - 1);
      if (state === undefined) {
        const keys: unknown[] = [];
        for (let k = 0; k < this.keyColumns.length; k++) keys.push(this.keyColumns[k] === undefined ? row[this.layout.groupKeys[k]] : null);
        state = [keys, []];
      }
      slice = [sliceEnd, windows[0][1], windows[windows.length - 1][1], this.layout.calls.map((c) => c.acc.create())];
      insertSlice(state[1], slice);
    }
    const calls = this.layout.calls;
    const accs = slice[3];
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      if (call.filter !== undefined && row[call.filter] !== true) continue;
      const args = call.args.length === 0 ? NO_ARGS : call.args.map((a) => row[a]);
      accs[i] = call.acc.add(accs[i], args);
    }
    this.state.update(state!);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<Change>): void {
    const state = this.state.value();
    if (state === undefined) return;
    const end = timestamp + 1;
    const start = this.slicer.windowStart(end);
    const slices = state[1];
    let first = -1, last = -1, expired = 0;
    for (let i = 0; i < slices.length; i++) {
      const s = slices[i];
      if (s[0] > start && s[0] <= end) { if (first < 0) first = i; last = i; }
      if (s[2] <= end) expired++;
    }
    if (first >= 0) out.collect({ op: '+I', row: this.result(state[0], start, end, slices, first, last) });
    if (expired === slices.length) { this.state.clear(); return; }
    const kept = expired === 0 ? slices : slices.filter((s) => s[2] > end);
    if (expired > 0) this.state.update([state[0], kept]);
    // The next window after this one that holds a slice: a slice's windows are `stride` apart
    // from its first to its last, and this window's end is on that grid.
    const stride = this.slicer.stride;
    let next = Infinity;
    for (const s of kept) {
      const e = end < s[1] ? s[1] : end + stride;
      if (e < next) next = e;
    }
    ctx.timerService().registerEventTimeTimer(next - 1);
  }

  /** The window's row: keys (window columns filled in), then each aggregate over the merged slices. */
  private result(keys: unknown[], start: number, end: number, slices: Slice[], first: number, last: number): unknown[] {
    const row: unknown[] = [];
    for (let k = 0; k < this.keyColumns.length; k++) {
      const c = this.keyColumns[k];
      row.push(c === undefined ? keys[k] : c === 'start' ? start : c === 'end' ? end : end - 1);
    }
    const calls = this.layout.calls;
    for (let i = 0; i < calls.length; i++) {
      const acc = calls[i].acc;
      if (first === last) { row.push(acc.value(slices[first][3][i])); continue; }
      let merged = acc.create();
      for (let k = first; k <= last; k++) merged = acc.merge!(merged, slices[k][3][i]);
      row.push(acc.value(merged));
    }
    return row;
  }
}

const NO_ARGS: readonly unknown[] = [];

function findSlice(slices: Slice[], end: number): Slice | undefined {
  for (let i = slices.length - 1; i >= 0; i--) if (slices[i][0] === end) return slices[i];
  return undefined;
}

/** Inserts `slice` keeping the slices ordered by end. */
function insertSlice(slices: Slice[], slice: Slice): void {
  let i = slices.length;
  while (i > 0 && slices[i - 1][0] > slice[0]) i--;
  slices.splice(i, 0, slice);
}
