// Session window aggregation (the SESSION window TVF, legacy GROUP BY SESSION(time, gap)): per
// group, sessions are [first time, last time + gap) and merge when a row falls into or bridges
// them; a session fires once the watermark passes its end, or the clock for sessions of processing
// time (append-only: keys, window_start, window_end, window_time, aggregates).
// Rows are kept per session and aggregated when it fires, so merging needs no accumulator merge.
// A row whose (merged) session the watermark has already passed is late and dropped, as in Flink.
// Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import type { AggregateLayout } from './group-aggregate.ts';

/** A session: [start, end) and its rows. */
type Session = [start: number, end: number, rows: unknown[][]];

/** The keyed function of a session window aggregation. */
export class SessionWindowAggregateFunction extends KeyedProcessFunction<string, Change, Change> {
  private sessions!: ValueState<Session[]>;

  /** `proctime`: the time field holds processing time; sessions fire on processing-time timers. */
  constructor(private readonly layout: AggregateLayout, private readonly timeField: number, private readonly gap: number, private readonly proctime = false) { super(); }

  override open(ctx: RuntimeContext): void {
    this.sessions = ctx.getState(new ValueStateDescriptor<Session[]>('session-windows'));
  }

  processElement(change: Change, ctx: KeyedContext<string>, _out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('a session window aggregation needs an append-only input, but it received a retraction');
    const t = change.row[this.timeField] as number | null;
    if (t === null) return;
    const timers = ctx.timerService();
    let start = t;
    let end = t + this.gap;
    let rows: unknown[][] = [change.row];
    const kept: Session[] = [];
    for (const s of this.sessions.value() ?? []) {
      if (s[0] < end && start < s[1]) { start = Math.min(start, s[0]); end = Math.max(end, s[1]); rows = [...s[2], ...rows]; }
      else kept.push(s);
    }
    if (!this.proctime && end - 1 <= timers.currentWatermark()) return;
    kept.push([start, end, rows]);
    this.sessions.update(kept);
    if (this.proctime) timers.registerProcessingTimeTimer(end - 1);
    else timers.registerEventTimeTimer(end - 1);
  }

  override onTimer(t: number, _ctx: OnTimerContext<string>, out: Collector<Change>): void {
    const sessions = this.sessions.value() ?? [];
    const remaining: Session[] = [];
    for (const s of sessions) {
      if (s[1] - 1 > t) { remaining.push(s); continue; }
      const accs = this.layout.calls.map((c) => c.acc.create());
      for (const row of s[2]) {
        this.layout.calls.forEach((c, i) => {
          if (c.filter !== undefined && row[c.filter] !== true) return;
          accs[i] = c.acc.add(accs[i], c.args.map((a) => row[a]));
        });
      }
      const first = s[2][0];
      out.collect({ op: '+I', row: [...this.layout.groupKeys.map((k) => first[k]), s[0], s[1], s[1] - 1, ...this.layout.calls.map((c, i) => c.acc.value(accs[i]))] });
    }
    if (remaining.length === 0) this.sessions.clear(); else this.sessions.update(remaining);
  }
}
