// Top-N per partition (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)): the partition's rows
// are kept in keyed state sorted by the order keys (ties in arrival order); a change is placed by
// binary search and only the positions of the first N it shifts are emitted (with the row number
// appended: -U/+U for a position whose row changed, +I/-D when the top grows or shrinks). Over an
// append-only input only the first N rows are kept (a row below them can never come back up), as
// Flink's AppendOnlyTopNFunction; over an updating input every row is kept so that a retraction
// lets the next one move up. Deduplication is the N = 1 case. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { rowComparator, type SortKey } from './sort-limit.ts';

/** A partition's rows, sorted, each with its arrival number (ties keep arrival order). */
interface PartitionState { seq: number; rows: Array<[seq: number, row: unknown[]]> }

function sameRow(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The keyed function of a Top-N. */
export class RankFunction extends KeyedProcessFunction<string, Change, Change> {
  private state!: ValueState<PartitionState>;
  private readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;

  constructor(keys: readonly SortKey[], private readonly limit: number, private readonly outputRank: boolean, private readonly appendOnly = false, private readonly ttlMs?: number) {
    super();
    this.compare = rowComparator(keys);
  }

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor<PartitionState>('rank-rows', this.ttlMs ? { ttlMs: this.ttlMs } : {}));
  }

  /** The first index whose entry sorts after (row, seq). */
  private upperBound(rows: PartitionState['rows'], row: unknown[], seq: number): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(rows[mid][1], row) || rows[mid][0] - seq;
      if (c <= 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  processElement(change: Change, _ctx: KeyedContext<string>, out: Collector<Change>): void {
    const state = this.state.value() ?? { seq: 0, rows: [] };
    const rows = state.rows;
    const n = this.limit;
    let pos: number;
    let before: unknown[][];
    if (isAccumulate(change.op)) {
      const seq = state.seq++;
      pos = this.upperBound(rows, change.row, seq);
      if (pos >= n) {
        // Below the top: nothing visible changes.
        if (!this.appendOnly) { rows.splice(pos, 0, [seq, change.row]); this.state.update(state); }
        return;
      }
      before = rows.slice(pos, Math.min(rows.length, n)).map((e) => e[1]);
      rows.splice(pos, 0, [seq, change.row]);
      if (this.appendOnly && rows.length > n) rows.length = n;
    } else {
      pos = rows.findIndex((e) => sameRow(e[1], change.row));
      if (pos < 0) return;
      before = rows.slice(pos, Math.min(rows.length, n)).map((e) => e[1]);
      rows.splice(pos, 1);
      if (pos >= n) { this.state.update(state); return; }
    }
    if (rows.length === 0) this.state.clear(); else this.state.update(state);
    const after = rows.slice(pos, Math.min(rows.length, n)).map((e) => e[1]);
    this.emitDiff(pos, before, after, out);
  }

  /** The changes of positions pos.. of the top between `before` and `after`. */
  private emitDiff(pos: number, before: unknown[][], after: unknown[][], out: Collector<Change>): void {
    if (this.outputRank) {
      for (let k = 0; k < Math.max(before.length, after.length); k++) {
        const b = before[k];
        const a = after[k];
        const rank = pos + k + 1;
        if (b && a && sameRow(a, b)) continue;
        if (b && a) { out.collect({ op: '-U', row: [...b, rank] }); out.collect({ op: '+U', row: [...a, rank] }); }
        else if (b) out.collect({ op: '-D', row: [...b, rank] });
        else out.collect({ op: '+I', row: [...a, rank] });
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
