// The keyed function of a semi or anti join (`x IN (SELECT ...)`, `EXISTS (...)`, `NOT EXISTS`):
// both inputs keyed by the equi-join key; each left row is kept with how many right rows match it,
// each right row with its count. A left row is in the result while it has a match (semi) or none
// (anti); inserts and retractions on either side emit exactly the changes of that (Flink's
// StreamingSemiAntiJoinOperator). Rows whose key has a NULL never match. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoProcessContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, type MapState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { NULL_KEY } from './regular-join.ts';

/** A left row: the row, how many times it is present, how many right rows match it. */
type LeftEntry = [row: unknown[], count: number, matches: number];
/** A right row and how many times it is present. */
type RightEntry = [row: unknown[], count: number];

/** The keyed co-process function of a semi (anti = false) or anti join. */
export class SemiJoinFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  private left!: MapState<string, LeftEntry>;
  private right!: MapState<string, RightEntry>;

  /** `residual` tests a (left, right) pair as the joined row (left fields, then right). */
  constructor(private readonly anti: boolean, private readonly residual?: (row: unknown[]) => boolean, private readonly ttlMs?: number) { super(); }

  override open(ctx: RuntimeContext): void {
    const options = this.ttlMs ? { ttlMs: this.ttlMs } : {};
    this.left = ctx.getMapState(new MapStateDescriptor<string, LeftEntry>('semi-left', options));
    this.right = ctx.getMapState(new MapStateDescriptor<string, RightEntry>('semi-right', options));
  }

  private matches(l: unknown[], r: unknown[]): boolean {
    return this.residual === undefined || this.residual([...l, ...r]);
  }

  /** Whether a left row with `matches` is in the result. */
  private visible(matches: number): boolean { return this.anti ? matches === 0 : matches > 0; }

  processElement1(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    const add = isAccumulate(change.op);
    const row = change.row;
    if (ctx.getCurrentKey() === NULL_KEY) {
      // No match is possible: an anti join keeps the row, a semi join drops it.
      if (this.anti) out.collect({ op: add ? '+I' : '-D', row });
      return;
    }
    const key = JSON.stringify(row);
    const entry = this.left.get(key);
    if (add) {
      let matches = entry ? entry[2] : 0;
      if (!entry) for (const [r, n] of this.right.values()) if (this.matches(row, r)) matches += n;
      this.left.put(key, [row, (entry?.[1] ?? 0) + 1, matches]);
      if (this.visible(matches)) out.collect({ op: '+I', row });
    } else if (entry) {
      if (entry[1] <= 1) this.left.remove(key); else { entry[1]--; this.left.put(key, entry); }
      if (this.visible(entry[2])) out.collect({ op: '-D', row });
    }
  }

  processElement2(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    if (ctx.getCurrentKey() === NULL_KEY) return;
    const add = isAccumulate(change.op);
    const row = change.row;
    const key = JSON.stringify(row);
    const entry = this.right.get(key);
    if (!add && !entry) return;
    for (const [lk, l] of this.left.entries()) {
      if (!this.matches(l[0], row)) continue;
      const was = this.visible(l[2]);
      l[2] += add ? 1 : -1;
      this.left.put(lk, l);
      const now = this.visible(l[2]);
      if (was !== now) for (let i = 0; i < l[1]; i++) out.collect({ op: now ? '+I' : '-D', row: l[0] });
    }
    if (add) this.right.put(key, [row, (entry?.[1] ?? 0) + 1]);
    else if (entry![1] <= 1) this.right.remove(key);
    else { entry![1]--; this.right.put(key, entry!); }
  }
}
