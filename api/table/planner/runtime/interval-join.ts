// The keyed function of an interval join (Flink's time-bounded inner join: `r.rt BETWEEN l.rt -
// INTERVAL a AND l.rt + INTERVAL b` on two append-only inputs): each side's rows are buffered by
// their time and joined with the other side's rows whose time is within the bounds (and that pass
// the rest of the condition); a buffered row is dropped once the watermark shows that no row of the
// other side can still match it, so state stays bounded. Rows behind the watermark are late and
// dropped, as in Flink. The output is append-only. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoOnTimerContext, type KeyedCoProcessContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, type MapState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { NULL_KEY } from './regular-join.ts';

/** Bounds of right time - left time, inclusive (ms). */
export interface IntervalBounds { readonly leftTime: number; readonly rightTime: number; readonly lower: number; readonly upper: number }

/** The keyed co-process function of an interval join. */
export class IntervalJoinFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  private left!: MapState<number, unknown[][]>;
  private right!: MapState<number, unknown[][]>;

  constructor(private readonly bounds: IntervalBounds, private readonly residual?: (row: unknown[]) => boolean) { super(); }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getMapState(new MapStateDescriptor<number, unknown[][]>('interval-left'));
    this.right = ctx.getMapState(new MapStateDescriptor<number, unknown[][]>('interval-right'));
  }

  processElement1(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, true, ctx, out);
  }

  processElement2(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, false, ctx, out);
  }

  private process(change: Change, isLeft: boolean, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('an interval join needs append-only inputs, but it received a retraction');
    if (ctx.getCurrentKey() === NULL_KEY) return;
    const { leftTime, rightTime, lower, upper } = this.bounds;
    const row = change.row;
    const t = row[isLeft ? leftTime : rightTime] as number | null;
    const timers = ctx.timerService();
    if (t === null || t < timers.currentWatermark()) return;
    // The other side's times that match: right in [t + lower, t + upper], left in [t - upper, t - lower].
    const [from, to] = isLeft ? [t + lower, t + upper] : [t - upper, t - lower];
    const other = isLeft ? this.right : this.left;
    for (const [ot, rows] of other.entries()) {
      if (ot < from || ot > to) continue;
      for (const o of rows) {
        const joined = isLeft ? [...row, ...o] : [...o, ...row];
        if (this.residual === undefined || this.residual(joined)) out.collect({ op: '+I', row: joined });
      }
    }
    const mine = isLeft ? this.left : this.right;
    const rows = mine.get(t);
    if (rows) { rows.push(row); mine.put(t, rows); } else mine.put(t, [row]);
    // Rows at or after the watermark may still come: once it passes the last time the other side
    // could match at, this row is of no more use.
    timers.registerEventTimeTimer(isLeft ? t + upper + 1 : t - lower + 1);
  }

  override onTimer(timestamp: number, _ctx: KeyedCoOnTimerContext<string>, _out: Collector<Change>): void {
    const { lower, upper } = this.bounds;
    for (const t of [...this.left.keys()]) if (t + upper < timestamp) this.left.remove(t);
    for (const t of [...this.right.keys()]) if (t - lower < timestamp) this.right.remove(t);
  }
}
