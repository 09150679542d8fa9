// The keyed function of a window join (Flink's WindowJoinOperator): both inputs are results of
// window aggregations keyed by the equi-join key, which includes the window's end. Rows of a window
// are kept until the watermark passes its end (by then every row of that window has arrived on both
// sides: a window aggregation emits them before it forwards that watermark); then the pairs that
// satisfy the residual are emitted, for LEFT/RIGHT/FULL also the NULL-padded rows without a match,
// and the window's state is dropped. The result is append-only. Rows whose key has a NULL never
// match. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoProcessContext, type KeyedCoOnTimerContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { NULL_KEY, type JoinLayout } from './regular-join.ts';

/** The keyed co-process function of a window join; `leftEnd`/`rightEnd`: the window_end field of each side. */
export class WindowJoinFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  private left!: ValueState<unknown[][]>;
  private right!: ValueState<unknown[][]>;
  private readonly nullsLeft: unknown[];
  private readonly nullsRight: unknown[];

  constructor(private readonly layout: JoinLayout, private readonly leftEnd: number, private readonly rightEnd: number) {
    super();
    this.nullsLeft = new Array(layout.leftArity).fill(null);
    this.nullsRight = new Array(layout.rightArity).fill(null);
  }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getState(new ValueStateDescriptor<unknown[][]>('window-join-left'));
    this.right = ctx.getState(new ValueStateDescriptor<unknown[][]>('window-join-right'));
  }

  processElement1(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, true, ctx, out);
  }

  processElement2(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, false, ctx, out);
  }

  private process(change: Change, isLeft: boolean, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('a window join needs append-only inputs, but it received a retraction');
    const row = change.row;
    if (ctx.getCurrentKey() === NULL_KEY) {
      // A NULL in the key matches nothing: only an outer side's padded row exists.
      if (isLeft && this.layout.leftOuter) out.collect({ op: '+I', row: [...row, ...this.nullsRight] });
      if (!isLeft && this.layout.rightOuter) out.collect({ op: '+I', row: [...this.nullsLeft, ...row] });
      return;
    }
    const end = row[isLeft ? this.leftEnd : this.rightEnd] as number;
    const timers = ctx.timerService();
    // Late (cannot happen behind a window aggregation, which emits a window before its watermark).
    if (end - 1 <= timers.currentWatermark()) return;
    const state = isLeft ? this.left : this.right;
    const rows = state.value();
    if (rows === undefined) {
      state.update([row]);
      timers.registerEventTimeTimer(end - 1);
    } else {
      rows.push(row);
      state.update(rows);
    }
  }

  override onTimer(_timestamp: number, _ctx: KeyedCoOnTimerContext<string>, out: Collector<Change>): void {
    const lefts = this.left.value() ?? [];
    const rights = this.right.value() ?? [];
    this.left.clear();
    this.right.clear();
    const { residual, leftOuter, rightOuter } = this.layout;
    const rightMatched = rightOuter ? new Array<boolean>(rights.length).fill(false) : undefined;
    for (const l of lefts) {
      let matched = false;
      for (let i = 0; i < rights.length; i++) {
        const joined = [...l, ...rights[i]];
        if (residual !== undefined && !residual(joined)) continue;
        matched = true;
        if (rightMatched) rightMatched[i] = true;
        out.collect({ op: '+I', row: joined });
      }
      if (leftOuter && !matched) out.collect({ op: '+I', row: [...l, ...this.nullsRight] });
    }
    if (rightMatched) rights.forEach((r, i) => { if (!rightMatched[i]) out.collect({ op: '+I', row: [...this.nullsLeft, ...r] }); });
  }
}
