// OVER aggregation (`agg(x) OVER (PARTITION BY k ORDER BY rowtime ROWS|RANGE BETWEEN ... AND
// CURRENT ROW)`) as Flink runs it in streaming: rows are buffered per partition until the watermark
// passes their time, then processed in time order; each row is emitted once with the aggregates of
// its frame appended (append-only). ROWS frames count rows (ties in arrival order), RANGE frames
// span time and include every row of the same time. Rows behind the watermark are late and
// dropped. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, ValueStateDescriptor, type MapState, type ValueState } from '../../../../state/state-descriptors.ts';
import type { Accumulator } from '../../functions/aggregate-functions.ts';
import { isAccumulate, type Change } from '../../types/row.ts';

/** The frame: ROWS (a row count) or RANGE (a time span in ms) before the current row; undefined: unbounded. */
export interface OverFrame { readonly unit: 'ROWS' | 'RANGE'; readonly preceding?: number }

/** One aggregate of the OVER clause. */
export interface OverCall { readonly args: readonly number[]; readonly filter?: number; readonly acc: Accumulator }

/** The keyed function of an OVER aggregation. */
export class OverAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private pending!: MapState<number, unknown[][]>;
  /** Unbounded frames: the accumulators; bounded frames: the rows still inside some frame, as [time, row]. */
  private accs!: ValueState<unknown[]>;
  private history!: ValueState<Array<[number, unknown[]]>>;

  constructor(private readonly timeField: number, private readonly frame: OverFrame, private readonly calls: readonly OverCall[]) { super(); }

  override open(ctx: RuntimeContext): void {
    this.pending = ctx.getMapState(new MapStateDescriptor<number, unknown[][]>('over-pending'));
    this.accs = ctx.getState(new ValueStateDescriptor<unknown[]>('over-accumulators'));
    this.history = ctx.getState(new ValueStateDescriptor<Array<[number, unknown[]]>>('over-history'));
  }

  processElement(change: Change, ctx: KeyedContext<string>, _out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('an OVER aggregation needs an append-only input, but it received a retraction');
    const t = change.row[this.timeField] as number | null;
    const timers = ctx.timerService();
    if (t === null || t <= timers.currentWatermark()) return;
    const rows = this.pending.get(t);
    if (rows) { rows.push(change.row); this.pending.put(t, rows); } else { this.pending.put(t, [change.row]); timers.registerEventTimeTimer(t); }
  }

  private add(accs: unknown[], row: unknown[]): void {
    this.calls.forEach((c, i) => {
      if (c.filter !== undefined && row[c.filter] !== true) return;
      accs[i] = c.acc.add(accs[i], c.args.map((a) => row[a]));
    });
  }

  private values(accs: unknown[]): unknown[] { return this.calls.map((c, i) => c.acc.value(accs[i])); }

  private fresh(): unknown[] { return this.calls.map((c) => c.acc.create()); }

  override onTimer(t: number, _ctx: OnTimerContext<string>, out: Collector<Change>): void {
    const rows = this.pending.get(t);
    if (!rows) return;
    this.pending.remove(t);
    const { unit, preceding } = this.frame;
    if (preceding === undefined) {
      const accs = this.accs.value() ?? this.fresh();
      if (unit === 'ROWS') {
        for (const row of rows) { this.add(accs, row); out.collect({ op: '+I', row: [...row, ...this.values(accs)] }); }
      } else {
        for (const row of rows) this.add(accs, row);
        const v = this.values(accs);
        for (const row of rows) out.collect({ op: '+I', row: [...row, ...v] });
      }
      this.accs.update(accs);
      return;
    }
    let history = this.history.value() ?? [];
    if (unit === 'ROWS') {
      for (const row of rows) {
        history.push([t, row]);
        if (history.length > preceding + 1) history = history.slice(history.length - preceding - 1);
        const accs = this.fresh();
        for (const [, r] of history) this.add(accs, r);
        out.collect({ op: '+I', row: [...row, ...this.values(accs)] });
      }
    } else {
      for (const row of rows) history.push([t, row]);
      history = history.filter(([ts]) => ts >= t - preceding);
      const accs = this.fresh();
      for (const [, r] of history) this.add(accs, r);
      const v = this.values(accs);
      for (const row of rows) out.collect({ op: '+I', row: [...row, ...v] });
    }
    this.history.update(history);
  }
}
