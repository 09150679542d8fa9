// The keyed function of a regular join (Flink's StreamingJoinOperator): both inputs keyed by the
// equi-join key; each side's rows of the key are kept in keyed state (row -> count, and for an
// outer side how many rows of the other side each matches), so that inserts and retractions on
// either side produce the exact changes of the joined result: inner matches, and for LEFT/RIGHT/FULL
// the NULL-padded row while a row has no match. Rows whose key has a NULL never match.
// Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoProcessContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, type MapState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change, type RowKind } from '../../types/row.ts';
import { joinKeyOf } from './row-key.ts';

/** A side's stored row: the row, how many times it is present, and how many rows of the other side it matches. */
type Stored = [row: unknown[], count: number, matches: number];

/** The shape of one join. */
export interface JoinLayout {
  readonly leftOuter: boolean;
  readonly rightOuter: boolean;
  readonly leftArity: number;
  readonly rightArity: number;
  /** The residual condition over the joined row (left fields, then right). */
  readonly residual?: (row: unknown[]) => boolean;
}

/** The key of `row` at `keys`, or undefined when a key field is NULL (no match possible). */
export function joinKey(row: readonly unknown[], keys: readonly number[]): string | undefined {
  return joinKeyOf(row, keys);
}

/** The keyed co-process function of a regular join. */
export class RegularJoinFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  private left!: MapState<string, Stored>;
  private right!: MapState<string, Stored>;
  private readonly nullsLeft: unknown[];
  private readonly nullsRight: unknown[];

  /** `ttlMs`: rows idle this long are forgotten (Flink's table.exec.state.ttl). */
  constructor(private readonly layout: JoinLayout, private readonly ttlMs?: number) {
    super();
    this.nullsLeft = new Array(layout.leftArity).fill(null);
    this.nullsRight = new Array(layout.rightArity).fill(null);
  }

  override open(ctx: RuntimeContext): void {
    const options = this.ttlMs ? { ttlMs: this.ttlMs } : {};
    this.left = ctx.getMapState(new MapStateDescriptor<string, Stored>('join-left', options));
    this.right = ctx.getMapState(new MapStateDescriptor<string, Stored>('join-right', options));
  }

  processElement1(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, true, ctx.getCurrentKey(), out);
  }

  processElement2(change: Change, ctx: KeyedCoProcessContext<string>, out: Collector<Change>): void {
    this.process(change, false, ctx.getCurrentKey(), out);
  }

  private joined(row: unknown[], other: unknown[], isLeft: boolean): unknown[] {
    return isLeft ? [...row, ...other] : [...other, ...row];
  }

  private matches(joined: unknown[]): boolean {
    return this.layout.residual === undefined || this.layout.residual(joined);
  }

  private process(change: Change, isLeft: boolean, key: string, out: Collector<Change>): void {
    const add = isAccumulate(change.op);
    const row = change.row;
    const thisOuter = isLeft ? this.layout.leftOuter : this.layout.rightOuter;
    const otherOuter = isLeft ? this.layout.rightOuter : this.layout.leftOuter;
    const pad = isLeft ? this.nullsRight : this.nullsLeft;
    const otherPad = isLeft ? this.nullsLeft : this.nullsRight;
    const emit = (op: RowKind, r: unknown[]): void => out.collect({ op, row: r });
    if (key === NULL_KEY) {
      // A NULL in the key matches nothing: only an outer side's padded row exists.
      if (thisOuter) emit(add ? '+I' : '-D', isLeft ? [...row, ...pad] : [...pad, ...row]);
      return;
    }
    const mine = isLeft ? this.left : this.right;
    const theirs = isLeft ? this.right : this.left;
    const rowKey = JSON.stringify(row);
    let matched = 0;
    for (const [otherKey, stored] of theirs.entries()) {
      const joined = this.joined(row, stored[0], isLeft);
      if (!this.matches(joined)) continue;
      matched += stored[1];
      // An outer other side: its padded row goes away before its first match and comes back after its last.
      const padded = isLeft ? [...otherPad, ...stored[0]] : [...stored[0], ...otherPad];
      if (otherOuter && add && stored[2] === 0) for (let i = 0; i < stored[1]; i++) emit('-D', padded);
      for (let i = 0; i < stored[1]; i++) emit(add ? '+I' : '-D', joined);
      if (otherOuter) {
        stored[2] += add ? 1 : -1;
        theirs.put(otherKey, stored);
        if (!add && stored[2] === 0) for (let i = 0; i < stored[1]; i++) emit('+I', padded);
      }
    }
    if (thisOuter && matched === 0) emit(add ? '+I' : '-D', isLeft ? [...row, ...pad] : [...pad, ...row]);
    const existing = mine.get(rowKey);
    if (add) {
      if (existing) { existing[1]++; existing[2] = matched; mine.put(rowKey, existing); } else mine.put(rowKey, [row, 1, matched]);
    } else if (existing) {
      if (existing[1] <= 1) mine.remove(rowKey);
      else { existing[1]--; mine.put(rowKey, existing); }
    }
  }
}

/** The key rows with a NULL join key are routed under (they never match). */
export const NULL_KEY = '\u0000null';
