// ORDER BY / LIMIT / OFFSET of a bounded query: every row (under retraction: the live multiset of
// rows) is kept in keyed state under one key, and when the input has ended (the final watermark
// fires the timer at the end of time) the rows are sorted and the requested slice emitted as
// inserts. Also the row comparator that Top-N shares. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedProcessFunction, type KeyedContext, type OnTimerContext } from '../../../functions/keyed-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, type MapState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';

/** One sort key. */
export interface SortKey { readonly field: number; readonly descending: boolean; readonly nullsFirst: boolean }

/** The timer that fires when a bounded input's final watermark arrives. */
export const END_OF_INPUT_TIMER = Number.MAX_SAFE_INTEGER;

/** A comparator of rows by `keys` (SQL order: NULLs where the key says, strings by code unit). */
export function rowComparator(keys: readonly SortKey[]): (a: readonly unknown[], b: readonly unknown[]) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = a[k.field];
      const y = b[k.field];
      if (x === y) continue;
      if (x === null) return k.nullsFirst ? -1 : 1;
      if (y === null) return k.nullsFirst ? 1 : -1;
      const c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
      if (c !== 0) return k.descending ? -c : c;
    }
    return 0;
  };
}

/** Sorts and slices a bounded input once it has ended. */
export class SortLimitFunction extends KeyedProcessFunction<number, Change, Change> {
  private rows!: MapState<string, [unknown[], number]>;
  constructor(private readonly keys: readonly SortKey[], private readonly offset: number, private readonly limit: number | undefined) { super(); }

  override open(ctx: RuntimeContext): void {
    this.rows = ctx.getMapState(new MapStateDescriptor<string, [unknown[], number]>('sort-rows'));
  }

  processElement(change: Change, ctx: KeyedContext<number>, _out: Collector<Change>): void {
    const k = JSON.stringify(change.row);
    const e = this.rows.get(k);
    if (isAccumulate(change.op)) {
      if (e) { e[1]++; this.rows.put(k, e); } else this.rows.put(k, [change.row, 1]);
    } else if (e) {
      if (e[1] <= 1) this.rows.remove(k); else { e[1]--; this.rows.put(k, e); }
    }
    ctx.timerService().registerEventTimeTimer(END_OF_INPUT_TIMER);
  }

  override onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<Change>): void {
    const all: unknown[][] = [];
    for (const [row, n] of this.rows.values()) for (let i = 0; i < n; i++) all.push(row);
    all.sort(rowComparator(this.keys));
    const end = this.limit === undefined ? all.length : Math.min(all.length, this.offset + this.limit);
    for (let i = this.offset; i < end; i++) out.collect({ op: '+I', row: all[i] });
    this.rows.clear();
  }
}
