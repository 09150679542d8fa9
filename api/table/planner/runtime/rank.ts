// Top-N per partition (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)): the partition's live
// rows are kept in keyed state; after each change the first N rows in order are compared with the
// first N before it and the differences are emitted (with the row number appended: -U/+U for a
// position whose row changed, +I/-D when the top grows or shrinks). Ties keep arrival order.
// Deduplication is the N = 1 case. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { rowComparator, type SortKey } from './sort-limit.ts';

/** Rows of a partition in arrival order, each with a sequence number for stable ties. */
type PartitionRows = Array<[seq: number, row: unknown[]]>;

function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The keyed function of a Top-N. */
export class RankFunction extends KeyedProcessFunction<string, Change, Change> {
  private rows!: ValueState<{ seq: number; rows: PartitionRows }>;
  private readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;

  constructor(keys: readonly SortKey[], private readonly limit: number, private readonly outputRank: boolean) {
    super();
    this.compare = rowComparator(keys);
  }

  override open(ctx: RuntimeContext): void {
    this.rows = ctx.getState(new ValueStateDescriptor<{ seq: number; rows: PartitionRows }>('rank-rows'));
  }

  private top(rows: PartitionRows): unknown[][] {
    const sorted = [...rows].sort((a, b) => this.compare(a[1], b[1]) || a[0] - b[0]);
    return sorted.slice(0, Math.min(sorted.length, this.limit)).map((e) => e[1]);
  }

  processElement(change: Change, _ctx: KeyedContext<string>, out: Collector<Change>): void {
    const state = this.rows.value() ?? { seq: 0, rows: [] };
    const before = this.top(state.rows);
    if (isAccumulate(change.op)) state.rows.push([state.seq++, change.row]);
    else {
      const i = state.rows.findIndex((e) => sameRow(e[1], change.row));
      if (i < 0) return;
      state.rows.splice(i, 1);
    }
    if (state.rows.length === 0) this.rows.clear(); else this.rows.update(state);
    const after = this.top(state.rows);
    if (this.outputRank) {
      for (let k = 0; k < Math.max(before.length, after.length); k++) {
        const b = before[k];
        const a = after[k];
        if (b && a && sameRow(a, b)) continue;
        if (b && a) { out.collect({ op: '-U', row: [...b, k + 1] }); out.collect({ op: '+U', row: [...a, k + 1] }); }
        else if (b) out.collect({ op: '-D', row: [...b, k + 1] });
        else out.collect({ op: '+I', row: [...a, k + 1] });
      }
      return;
    }
    const remaining = [...after];
    for (const b of before) {
      const i = remaining.findIndex((a) => sameRow(a, b));
      if (i >= 0) remaining.splice(i, 1); else out.collect({ op: '-D', row: b });
    }
    for (const a of remaining) out.collect({ op: '+I', row: a });
  }
}
