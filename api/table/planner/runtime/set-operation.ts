// The keyed function of INTERSECT [ALL] and EXCEPT [ALL]: both inputs keyed by the whole row (NULLs
// equal, as set operations compare them); per row it keeps how many times each side holds it and
// emits the changes of the result's multiplicity: INTERSECT ALL min(l, r), INTERSECT (l > 0 and
// r > 0 ? 1 : 0), EXCEPT ALL max(l - r, 0), EXCEPT (l > 0 and r = 0 ? 1 : 0). Retractions on either
// side are consumed exactly, so the result is an updating table (+I and -D). Flink rewrites these
// to aggregations and joins; one keyed function with two counters is the same result in one step.
// Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoProcessContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { ValueStateDescriptor, type ValueState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';

/** Which set operation. */
export type SetOpKind = 'INTERSECT' | 'EXCEPT';

/** The multiplicity of a row in the result, from its counts on the left and the right. */
export function setOpCount(kind: SetOpKind, all: boolean, l: number, r: number): number {
  if (kind === 'INTERSECT') return all ? Math.min(l, r) : l > 0 && r > 0 ? 1 : 0;
  return all ? Math.max(l - r, 0) : l > 0 && r === 0 ? 1 : 0;
}

/** A row's counts: [left, right]. */
type Counts = [left: number, right: number];

/** The keyed co-process function of a set operation (key: the row as JSON). */
export class SetOperationFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  private counts!: ValueState<Counts>;

  constructor(private readonly kind: SetOpKind, private readonly all: boolean, private readonly ttlMs?: number) { super(); }

  override open(ctx: RuntimeContext): void {
    this.counts = ctx.getState(new ValueStateDescriptor<Counts>('set-operation', this.ttlMs ? { ttlMs: this.ttlMs } : {}));
  }

  processElement1(change: Change, _ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void { this.apply(change, 0, out); }

  processElement2(change: Change, _ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void { this.apply(change, 1, out); }

  private apply(change: Change, side: 0 | 1, out: Collector<Change>): void {
    const counts: Counts = this.counts.value() ?? [0, 0];
    const before = setOpCount(this.kind, this.all, counts[0], counts[1]);
    if (isAccumulate(change.op)) counts[side]++;
    else if (counts[side] > 0) counts[side]--;
    else return; // a retraction of a row this side does not hold (e.g. expired state): nothing to undo
    if (counts[0] === 0 && counts[1] === 0) this.counts.clear(); else this.counts.update(counts);
    const after = setOpCount(this.kind, this.all, counts[0], counts[1]);
    for (let i = before; i < after; i++) out.collect({ op: '+I', row: change.row });
    for (let i = after; i < before; i++) out.collect({ op: '-D', row: change.row });
  }
}
