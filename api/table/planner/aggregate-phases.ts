// The physical rules of GROUP BY under Flink's options (read from the session's SET values):
// - table.exec.mini-batch.enabled / .allow-latency / .size: a MiniBatchAssigner goes under every
//   group aggregation (not window aggregations: they fire on the watermark and buffer already),
//   whose operator then buffers its rows and aggregates them per key at once;
// - table.optimizer.agg-phase-strategy (AUTO, ONE_PHASE, TWO_PHASE): with mini-batch on and
//   AUTO or TWO_PHASE, a group aggregation whose every call can merge accumulators (and none is
//   DISTINCT) splits into LocalGroupAggregate before the exchange and GlobalGroupAggregate after it,
//   as Flink's TwoStageOptimizedAggregateRule does (which also needs mini-batch in streaming);
// - table.optimizer.distinct-agg.split.enabled: splitting DISTINCT aggregates is not built, so
//   'true' is refused with an error rather than ignored; DISTINCT runs in one phase.
// EXPLAIN prints the rewritten plan; the translator runs it. Imports the plan shapes and the
// accumulators (whether each call merges).
import { createAccumulator } from '../functions/aggregate-functions.ts';
import { isInteger, type LogicalType } from '../types/logical-type.ts';
import { Schema } from '../types/schema.ts';
import type { FunctionCatalog } from './function-catalog.ts';
import { childrenOf, type AggregateNode, type LocalAggregateNode, type MiniBatchAssignerNode, type PlanNode } from './plan-nodes.ts';
import { TableError } from './validation-error.ts';

/** How GROUP BY runs, from the session's options. */
export interface AggregateTuning {
  /** Mini-batch on: flush after `latencyMs` or `size` rows. */
  readonly miniBatch?: { readonly latencyMs: number; readonly size: number };
  readonly phaseStrategy: 'AUTO' | 'ONE_PHASE' | 'TWO_PHASE';
}

/** A duration option's value in ms: a number of ms, or `<n> ms|s|sec|min|h|d` (Flink's forms such as '2s', '2 s', '500 ms'). */
export function parseDuration(option: string, text: string): number {
  const m = /^\s*(\d+)\s*(ms|s|sec|secs|second|seconds|min|mins|minute|minutes|h|d)?\s*$/i.exec(text);
  if (!m) throw new TableError(`${option} must be a duration such as '2 s' or '500 ms', got '${text}'`);
  const unit = m[2]?.toLowerCase() ?? 'ms';
  const scale = unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return Number(m[1]) * scale;
}

function parseBoolean(option: string, text: string | undefined): boolean {
  const t = text?.trim().toLowerCase();
  if (t === undefined || t === 'false') return false;
  if (t === 'true') return true;
  throw new TableError(`${option} must be 'true' or 'false', got '${text}'`);
}

/** The GROUP BY options of a session (`get` reads a SET value); bad values get a clear error naming the option. */
export function aggregateTuning(get: (key: string) => string | undefined): AggregateTuning {
  const strategyText = get('table.optimizer.agg-phase-strategy')?.trim().toUpperCase() ?? 'AUTO';
  if (strategyText !== 'AUTO' && strategyText !== 'ONE_PHASE' && strategyText !== 'TWO_PHASE') {
    throw new TableError(`table.optimizer.agg-phase-strategy must be AUTO, ONE_PHASE or TWO_PHASE, got '${get('table.optimizer.agg-phase-strategy')}'`);
  }
  if (parseBoolean('table.optimizer.distinct-agg.split.enabled', get('table.optimizer.distinct-agg.split.enabled'))) {
    throw new TableError("table.optimizer.distinct-agg.split.enabled = 'true' is not supported: DISTINCT aggregates are not split (they run in one phase; set it to 'false')");
  }
  if (!parseBoolean('table.exec.mini-batch.enabled', get('table.exec.mini-batch.enabled'))) return { phaseStrategy: strategyText };
  const latencyText = get('table.exec.mini-batch.allow-latency');
  const sizeText = get('table.exec.mini-batch.size');
  const latencyMs = latencyText === undefined ? 0 : parseDuration('table.exec.mini-batch.allow-latency', latencyText);
  if (!(latencyMs > 0)) throw new TableError(`table.exec.mini-batch.allow-latency must be above 0 when table.exec.mini-batch.enabled is 'true', got '${latencyText ?? '(unset)'}'`);
  const size = sizeText === undefined ? NaN : Number(sizeText.trim());
  if (!Number.isInteger(size) || size <= 0) throw new TableError(`table.exec.mini-batch.size must be a whole number above 0 when table.exec.mini-batch.enabled is 'true', got '${sizeText ?? '(unset)'}'`);
  return { miniBatch: { latencyMs, size }, phaseStrategy: strategyText };
}

/** A group aggregation (not a window or session aggregation): what mini-batch and two phases apply to. */
function isGroupAggregate(n: PlanNode): n is AggregateNode {
  return n.kind === 'aggregate' && n.windowEnd === undefined && n.session === undefined;
}

/** Whether every call of `n` can run as local and global halves: it merges, and is not DISTINCT. */
function splittable(n: AggregateNode, functions: FunctionCatalog): boolean {
  const types: LogicalType[] = n.input.schema.columns.map((c) => c.type);
  return n.calls.every((call) => !call.distinct && createAccumulator(call.name, {
    distinct: false, integerResult: call.args.length > 0 && isInteger(types[call.args[0]]), retracting: !n.input.insertOnly,
    udf: functions.aggregate(call.name),
  }).merge !== undefined);
}

/** The physical plan of `root` under `tuning` (`root` itself when mini-batch is off). Shared sub-plans stay shared. */
export function applyAggregateTuning(root: PlanNode, tuning: AggregateTuning, functions: FunctionCatalog): PlanNode {
  const miniBatch = tuning.miniBatch;
  if (miniBatch === undefined) return root;
  const done = new Map<PlanNode, PlanNode>();
  const rewrite = (n: PlanNode): PlanNode => {
    let out = done.get(n);
    if (out === undefined) {
      out = rewriteNode(n);
      done.set(n, out);
    }
    return out;
  };
  const rewriteNode = (n: PlanNode): PlanNode => {
    const withInputs = replaceInputs(n, rewrite);
    if (!isGroupAggregate(withInputs)) return withInputs;
    const input = withInputs.input;
    const assigner: MiniBatchAssignerNode = {
      kind: 'miniBatchAssigner', input, latencyMs: miniBatch.latencyMs, size: miniBatch.size, schema: input.schema, insertOnly: input.insertOnly,
    };
    if (tuning.phaseStrategy === 'ONE_PHASE' || !splittable(withInputs, functions)) return { ...withInputs, input: assigner };
    const inNames = input.schema.names;
    const keyFields = withInputs.groupKeys.map((k) => ({ name: inNames[k], type: input.schema.columns[k].type }));
    const accType: LogicalType = { kind: 'ROW', nullable: true, fields: [] };
    const partialFields = [
      ...keyFields, ...withInputs.calls.map((_, i) => ({ name: `$acc${i}`, type: accType })), { name: '$rows', type: { kind: 'BIGINT' as const, nullable: false } },
    ];
    const local: LocalAggregateNode = {
      kind: 'localAggregate', input: assigner, groupKeys: withInputs.groupKeys, calls: withInputs.calls, schema: new Schema(partialFields), insertOnly: true,
    };
    return { kind: 'globalAggregate', input: local, schema: withInputs.schema, insertOnly: false };
  };
  return rewrite(root);
}

/** `n` with each input replaced by `f(input)` (the same object when no input changed). */
function replaceInputs(n: PlanNode, f: (c: PlanNode) => PlanNode): PlanNode {
  const children = childrenOf(n);
  const next = children.map(f);
  if (next.every((c, i) => c === children[i])) return n;
  switch (n.kind) {
    case 'join': return n.lookup ? { ...n, left: next[0] } : { ...n, left: next[0], right: next[1] };
    case 'semiJoin': case 'setOp': return { ...n, left: next[0], right: next[1] };
    case 'union': return { ...n, inputs: next };
    case 'scan': case 'streamScan': case 'values': return n;
    default: return { ...n, input: next[0] } as PlanNode;
  }
}
