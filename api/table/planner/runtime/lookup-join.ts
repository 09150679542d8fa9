// The runtime of a lookup join: each left change looks up the right table's rows by the join key
// (through the connector's lookup function, created per subtask in open and closed in close), and
// is emitted joined with each row that passes the residual condition, with the change kind of the
// left row; a LEFT join emits a left row without a match padded with NULLs. A NULL in the key
// matches nothing. Imports api/ functions and the connector contract.
import type { Collector } from '../../../functions/collector.ts';
import { ProcessFunction, type ProcessContext } from '../../../functions/process-function.ts';
import type { LookupFunction } from '../../connectors/table-connector.ts';
import type { Change } from '../../types/row.ts';

/** What the lookup join needs: the lookup function's factory, the left key columns, the right arity. */
export interface LookupJoinSpec {
  /** Creates the lookup function; `now` is the processing time of the element being joined. */
  readonly createLookup: (now: () => number) => LookupFunction;
  readonly leftKeys: readonly number[];
  readonly rightArity: number;
  readonly leftOuter: boolean;
  readonly residual?: (row: unknown[]) => boolean;
}

/** Joins each left change with the rows its key finds in the lookup table. */
export class LookupJoinFunction extends ProcessFunction<Change, Change> {
  private lookup: LookupFunction | undefined;
  private now = 0;

  constructor(private readonly spec: LookupJoinSpec) { super(); }

  override open(): void {
    this.lookup = this.spec.createLookup(() => this.now);
  }

  processElement(change: Change, ctx: ProcessContext, out: Collector<Change>): void {
    this.now = ctx.timerService().currentProcessingTime();
    const key = this.spec.leftKeys.map((k) => change.row[k]);
    const rows = key.some((v) => v === null || v === undefined) ? [] : this.lookup!.lookup(key);
    let matched = false;
    for (const right of rows) {
      const joined = [...change.row, ...right];
      if (this.spec.residual && !this.spec.residual(joined)) continue;
      matched = true;
      out.collect({ op: change.op, row: joined });
    }
    if (!matched && this.spec.leftOuter) out.collect({ op: change.op, row: [...change.row, ...new Array<unknown>(this.spec.rightArity).fill(null)] });
  }

  override async close(): Promise<void> {
    const l = this.lookup;
    this.lookup = undefined;
    await l?.close();
  }
}
