// The keyed function of an event-time temporal join (`JOIN versioned FOR SYSTEM_TIME AS OF
// l.rowtime`), Flink's TemporalRowTimeJoinOperator: both inputs keyed by the join key. The right
// input is a versioned table: each +I/+U is a new version of its primary key from its rowtime on,
// -D ends the key's validity from its rowtime on, -U is ignored (as in Flink). Left rows wait in
// state until the watermark passes their time; then each joins the version of every primary key
// valid at that time (the latest version at or before it), or, in a LEFT join, is padded with
// NULLs when none is valid or the residual condition refuses it. Versions no buffered or future
// left row can see any more are dropped. The result only inserts. Imports api/ functions and state.
import type { Collector } from '../../../functions/collector.ts';
import { KeyedCoProcessFunction, type KeyedCoOnTimerContext, type KeyedCoProcessContext } from '../../../functions/co-process-function.ts';
import type { RuntimeContext } from '../../../functions/runtime-context.ts';
import { MapStateDescriptor, type MapState } from '../../../../state/state-descriptors.ts';
import { isAccumulate, type Change } from '../../types/row.ts';
import { NULL_KEY } from './regular-join.ts';

/** A version of one primary key: from `time` on, `row` (null: deleted). */
type Version = [time: number, row: unknown[] | null];

/** How a temporal join reads its inputs. */
export interface TemporalJoinSpec {
  /** The left input's time attribute field (the AS OF time). */
  readonly leftTime: number;
  /** The versioned table's rowtime field. */
  readonly rightTime: number;
  /** The versioned table's primary key fields. */
  readonly rightKey: readonly number[];
  readonly leftOuter: boolean;
  readonly rightArity: number;
  /** Over the joined row (left fields, then right). */
  readonly residual?: (row: unknown[]) => boolean;
}

/** The latest version at or before `t` in time-sorted `versions`, if any. */
export function versionAt(versions: readonly Version[], t: number): Version | undefined {
  let found: Version | undefined;
  for (const v of versions) {
    if (v[0] > t) break;
    found = v;
  }
  return found;
}

/** The keyed co-process function of an event-time temporal join. */
export class TemporalJoinFunction extends KeyedCoProcessFunction<string, Change, Change, Change> {
  /** Left rows waiting for the watermark, by their time. */
  private left!: MapState<number, unknown[][]>;
  /** Versions per primary key (JSON), sorted by time. */
  private versions!: MapState<string, Version[]>;

  constructor(private readonly spec: TemporalJoinSpec) { super(); }

  override open(ctx: RuntimeContext): void {
    this.left = ctx.getMapState(new MapStateDescriptor<number, unknown[][]>('temporal-left'));
    this.versions = ctx.getMapState(new MapStateDescriptor<string, Version[]>('temporal-versions'));
  }

  processElement1(change: Change, ctx: KeyedCoProcessContext<string>, _out: Collector<Change>): void {
    if (!isAccumulate(change.op)) throw new Error('an event-time temporal join needs an append-only left input, but it received a retraction');
    const t = change.row[this.spec.leftTime] as number | null;
    if (t === null) return;
    const waiting = this.left.get(t);
    if (waiting) waiting.push(change.row); else ctx.timerService().registerEventTimeTimer(t);
    this.left.put(t, waiting ?? [change.row]);
  }

  processElement2(change: Change, ctx: KeyedCoProcessContext<string>, _out: Collector<Change>): void {
    // -U is followed by its +U; a NULL in the join key matches no left row.
    if (change.op === '-U' || ctx.getCurrentKey() === NULL_KEY) return;
    const t = change.row[this.spec.rightTime] as number | null;
    if (t === null) return;
    const pk = JSON.stringify(this.spec.rightKey.map((k) => change.row[k]));
    const versions = this.versions.get(pk) ?? [];
    // After every version at or before t: of two versions at one time, the later arrival wins.
    let at = versions.length;
    while (at > 0 && versions[at - 1][0] > t) at--;
    versions.splice(at, 0, [t, change.op === '-D' ? null : change.row]);
    this.versions.put(pk, versions);
  }

  override onTimer(t: number, _ctx: KeyedCoOnTimerContext<string>, out: Collector<Change>): void {
    const rows = this.left.get(t);
    if (rows === undefined) return;
    this.left.remove(t);
    const { residual, leftOuter, rightArity } = this.spec;
    const valid: unknown[][] = [];
    for (const versions of this.versions.values()) {
      const v = versionAt(versions, t);
      if (v !== undefined && v[1] !== null) valid.push(v[1]);
    }
    for (const row of rows) {
      let matched = false;
      for (const r of valid) {
        const joined = [...row, ...r];
        if (residual && !residual(joined)) continue;
        matched = true;
        out.collect({ op: '+I', row: joined });
      }
      if (!matched && leftOuter) out.collect({ op: '+I', row: [...row, ...new Array(rightArity).fill(null)] });
    }
    this.cleanUp(t);
  }

  /** Drops the versions no left row at `t` or later can see (all but the one valid at t and newer ones). */
  private cleanUp(t: number): void {
    for (const [pk, versions] of [...this.versions.entries()]) {
      let first = 0;
      for (let i = 0; i < versions.length && versions[i][0] <= t; i++) first = i;
      const kept = versions.slice(first);
      if (kept.length === 1 && kept[0][1] === null && kept[0][0] <= t) this.versions.remove(pk);
      else if (kept.length !== versions.length) this.versions.put(pk, kept);
    }
  }
}
