// The result of a query in BATCH mode (Flink's batch planning: every result is insert-only). The
// operators run in batch stages as planned for streaming; where the plan's result is updating
// (GROUP BY, outer joins, ROW_NUMBER, ...), its changelog is folded into its final rows before it
// leaves: each change counts +1 (+I, +U) or -1 (-U, -D) for its row, the counts are summed per
// distinct row and every row left with a positive count is emitted that many times as +I. The sum
// runs as a keyed reduce, so batch mode folds it on the producing side before the exchange (the
// combine step): an aggregate's superseded rows cancel there and only final rows cross. So a
// batch query's changelog has only +I rows, and its result may go to an append-only sink.
// Imports the DataStream API and the table types.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { StreamExecutionEnvironment } from '../../environment/stream-execution-environment.ts';
import type { Collector } from '../../functions/collector.ts';
import { resolveRuntimeMode } from '../../graph/batch-stages.ts';
import { TableError } from './validation-error.ts';
import type { Change } from '../types/row.ts';
import { rowKeySelector } from './runtime/row-key.ts';

/** True when `env`'s job runs in BATCH mode (set so, or 'automatic' with bounded sources only). */
export function isBatchMode(env: StreamExecutionEnvironment): boolean {
  return resolveRuntimeMode(env.getRuntimeMode(), env.streamGraph.nodes) === 'batch';
}

/** A row and how many times it is in the result so far. */
interface RowCount { readonly row: unknown[]; readonly n: number }

/** The final rows of the changelog `changes` (rows `width` wide), each as a +I. */
export function finalRows(changes: DataStream<Change>, width: number): DataStream<Change> {
  const rowKey = rowKeySelector(Array.from({ length: width }, (_, i) => i));
  return changes
    .map((c: Change): RowCount => ({ row: c.row, n: c.op === '+I' || c.op === '+U' ? 1 : -1 })).name('ChangelogCount')
    .keyBy((r: RowCount) => rowKey(r.row))
    .reduce((a: RowCount, b: RowCount): RowCount => ({ row: a.row, n: a.n + b.n })).name('ChangelogFold')
    .flatMap((r: RowCount, out: Collector<Change>) => {
      if (r.n < 0) throw new TableError(`the query's changelog retracted a row more often than it inserted it: ${JSON.stringify(r.row)} (${r.n})`);
      for (let i = 0; i < r.n; i++) out.collect({ op: '+I', row: r.row });
    }).name('FinalRows');
}
