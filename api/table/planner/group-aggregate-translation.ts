// The translation of GROUP BY (not window aggregations): the accumulators of its calls, the
// DISTINCT calls that share one map state of seen values, and its operators: GroupAggregate (row
// by row, or in mini-batches when a MiniBatchAssigner is below it) and the two halves of a
// two-phase aggregation, LocalGroupAggregate before the exchange and GlobalGroupAggregate after it.
// Imports the DataStream API's types, the accumulators and the runtime operators.
import type { DataStream } from '../../datastream/data-stream.ts';
import type { KeyedStream } from '../../datastream/keyed-stream.ts';
import { cloneFunction } from '../../functions/clone-function.ts';
import { createAccumulator } from '../functions/aggregate-functions.ts';
import { isInteger, type LogicalType } from '../types/logical-type.ts';
import type { Change } from '../types/row.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import type { AggregateNode, GlobalAggregateNode, LocalAggregateNode, PlanNode } from './plan-nodes.ts';
import { GroupAggregateFunction, type AggregateLayout } from './runtime/group-aggregate.ts';
import { GlobalGroupAggregateOperator, LocalGroupAggregateOperator, MiniBatchGroupAggregateOperator } from './runtime/mini-batch-aggregate.ts';
import { rowKeySelector } from './runtime/row-key.ts';

/** What these functions need of the StreamTranslator. */
export interface AggregateTranslator {
  readonly functions: FunctionCatalog;
  readonly stateTtlMs?: number;
  translate(node: PlanNode): DataStream<Change>;
  uid(node: PlanNode, suffix: string): string;
  layout(node: AggregateNode, retracting: boolean): AggregateLayout;
}

/** TINYINT, SMALLINT or INT: the argument types whose SUM is an INT. */
export function isIntOrNarrower(t: LogicalType): boolean { return t.kind === 'INT' || t.kind === 'SMALLINT' || t.kind === 'TINYINT'; }

/** The accumulators of an aggregation's calls over its input's types (COUNT(*) marked for GROUP BY's direct count). */
export function aggregateLayout(functions: FunctionCatalog, node: AggregateNode, retracting: boolean): AggregateLayout {
  const inputTypes = node.input.schema.columns.map((c) => c.type);
  return {
    groupKeys: node.groupKeys,
    calls: node.calls.map((call) => ({
      args: call.args,
      ...(call.filter !== undefined ? { filter: call.filter } : {}),
      ...(call.name === 'COUNT' && call.args.length === 0 && !call.distinct && functions.aggregate(call.name) === undefined ? { countStar: true } : {}),
      acc: createAccumulator(call.name, {
        distinct: call.distinct,
        integerResult: call.args.length > 0 && isInteger(inputTypes[call.args[0]]),
        intArgument: call.args.length > 0 && isIntOrNarrower(inputTypes[call.args[0]]),
        retracting,
        udf: functions.aggregate(call.name),
      }),
    })),
  };
}

/**
 * The layout of a GROUP BY: DISTINCT calls over the same argument expressions (the same generated
 * code in the projection before the aggregation) form distinct groups sharing their seen values;
 * their accumulators are the plain aggregates.
 */
function groupLayout(functions: FunctionCatalog, node: AggregateNode, retracting: boolean): AggregateLayout {
  const layout = aggregateLayout(functions, node, retracting);
  const input = node.input.kind === 'miniBatchAssigner' ? node.input.input : node.input;
  const projection = input.kind === 'calc' ? [...input.stages].reverse().find((s) => s.projection !== undefined)?.projection : undefined;
  const argText = (i: number): string => projection?.[i] ?? `#${i}`;
  const groups = new Map<string, number[]>();
  node.calls.forEach((call, i) => {
    if (!call.distinct || call.args.length === 0) return;
    const text = call.args.map(argText).join('|');
    const members = groups.get(text) ?? [];
    if (members.length === 31) return; // a full group: this call keeps its own DISTINCT
    members.push(i);
    groups.set(text, members);
  });
  if (groups.size === 0) return layout;
  const inputTypes = input.schema.columns.map((c) => c.type);
  const shared = new Set([...groups.values()].flat());
  return {
    groupKeys: layout.groupKeys,
    calls: layout.calls.map((c, i) => {
      if (!shared.has(i)) return c;
      const call = node.calls[i];
      return {
        ...c, acc: createAccumulator(call.name, {
          distinct: false, integerResult: isInteger(inputTypes[call.args[0]]), intArgument: isIntOrNarrower(inputTypes[call.args[0]]),
          retracting, udf: functions.aggregate(call.name),
        }),
      };
    }),
    distinct: [...groups.values()].map((calls) => ({ args: node.calls[calls[0]].args, calls })),
  };
}

/** A GROUP BY over its keyed input: row by row, or in mini-batches when its input is a MiniBatchAssigner. */
export function translateGroupAggregate(t: AggregateTranslator, node: AggregateNode, keyed: KeyedStream<Change, string>): DataStream<Change> {
  const retracting = !node.input.insertOnly;
  const fn = new GroupAggregateFunction(groupLayout(t.functions, node, retracting), t.stateTtlMs, retracting);
  const batch = node.input.kind === 'miniBatchAssigner' ? { latencyMs: node.input.latencyMs, size: node.input.size } : undefined;
  const out = batch === undefined
    ? keyed.process(fn).name('GroupAggregate').uid(t.uid(node, 'group-aggregate'))
    : keyed.transform('MiniBatchGroupAggregate', () => new MiniBatchGroupAggregateOperator(cloneFunction(fn), batch)).name('GroupAggregate(mini-batch)').uid(t.uid(node, 'group-aggregate'));
  return node.groupKeys.length === 0 ? out.setParallelism(1) : out;
}

/** The local half of a two-phase GROUP BY: chained to its input, before the exchange. */
export function translateLocalAggregate(t: AggregateTranslator, node: LocalAggregateNode): DataStream<Change> {
  const assigner = node.input;
  const layout = t.layout({ kind: 'aggregate', input: assigner, groupKeys: node.groupKeys, calls: node.calls, schema: node.schema, insertOnly: false }, !assigner.insertOnly);
  const batch = { latencyMs: assigner.latencyMs, size: assigner.size };
  return t.translate(assigner).transform('LocalGroupAggregate', () => new LocalGroupAggregateOperator(layout, batch))
    .name('LocalGroupAggregate').uid(t.uid(node, 'local-group-aggregate'));
}

/** The global half of a two-phase GROUP BY: keyed by the partial rows' keys, merging their accumulators into state. */
export function translateGlobalAggregate(t: AggregateTranslator, node: GlobalAggregateNode): DataStream<Change> {
  const local = node.input;
  const assigner = local.input;
  const layout = t.layout({ kind: 'aggregate', input: assigner, groupKeys: local.groupKeys, calls: local.calls, schema: node.schema, insertOnly: false }, !assigner.insertOnly);
  const batch = { latencyMs: assigner.latencyMs, size: assigner.size };
  const keyCount = local.groupKeys.length;
  const groupKey = rowKeySelector(local.groupKeys.map((_, i) => i));
  const ttl = t.stateTtlMs;
  const out = t.translate(local).keyBy((c: Change) => groupKey(c.row))
    .transform('GlobalGroupAggregate', () => new GlobalGroupAggregateOperator(layout, batch, ttl))
    .name('GlobalGroupAggregate').uid(t.uid(node, 'global-group-aggregate'));
  return keyCount === 0 ? out.setParallelism(1) : out;
}
