// GROUP BY planning: the Calc before the aggregation (group keys, aggregate arguments, FILTER
// conditions), the Aggregate node (a group aggregation, or a window aggregation when the keys hold
// window_start and window_end of a window TVF), and the scope the SELECT list and HAVING are
// compiled in above it (group keys and aggregate calls matched by their SQL text).
// Imports the AST and the planner's parts.
import type { Expr, FunctionCall, SelectQuery } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { aggregateResultType } from '../functions/builtin-functions.ts';
import { withNullable, withoutTimeAttribute, type LogicalType } from '../types/logical-type.ts';
import { expandGroupBy, findGroupingCalls, groupingValue } from './grouping-sets.ts';
import { resolveColumn, type CompileScope, type Compiled, type ScopeField } from './expression-compiler.ts';
import type { AggregateCall, PlanNode } from './plan-nodes.ts';
import { addCalc, schemaOf, type Planned, type QueryPlanner } from './query-planner.ts';
import type { SessionSpec } from './legacy-window-planner.ts';

/** GROUP BY: the pre-projection, the aggregate node and the scope of the SELECT list over it. */
export function planAggregate(
  p: QueryPlanner, q: SelectQuery, input: Planned, aggCalls: FunctionCall[], session?: SessionSpec,
): { input: Planned; scope: CompileScope } {
  const grouping = expandGroupBy(q.groupBy, (r, at) => p.error(r, at));
  const groupExprs = [...grouping.exprs];
  // GROUPING(...) calls: over grouping sets, or over a plain GROUP BY (one set of every key).
  const groupingCalls = [...q.items.flatMap((i) => (i.kind === 'expr' ? findGroupingCalls(i.expr) : [])), ...(q.having ? findGroupingCalls(q.having) : [])];
  const sets = grouping.sets ?? (groupingCalls.length > 0 ? [groupExprs.map((_, i) => i)] : undefined);
  const groupingTexts = new Map<string, number>();
  const c = p.compiler();
  const inScope: CompileScope = { fields: input.fields, aggregateContext: 'in GROUP BY' };
  const keys = groupExprs.map((e) => c.compile(e, inScope));
  const pre: Compiled[] = [...keys];
  const preSql: string[] = groupExprs.map(expressionToSql);
  const calls: AggregateCall[] = [];
  const callTypes: LogicalType[] = [];
  const distinctCalls: FunctionCall[] = [];
  const seen = new Map<string, number>();
  for (const call of aggCalls) {
    const sql = expressionToSql(call);
    if (seen.has(sql)) continue;
    seen.set(sql, calls.length);
    distinctCalls.push(call);
    const name = call.name.toUpperCase();
    const udaf = p.ctx.functions.aggregate(call.name);
    if (udaf && !udaf.retract && !input.node.insertOnly) {
      throw p.error(`aggregate function ${udaf.name} has no retract(), but its input is updating (it would have to take rows back)`, call);
    }
    const argScope: CompileScope = { fields: input.fields, aggregateContext: `inside another aggregate (${name})` };
    const args = call.star ? [] : call.args.map((a) => c.compile(a, argScope));
    if (!udaf && name !== 'COUNT' && args.length !== 1) throw p.error(`${name} takes one argument`, call);
    // An argument or FILTER computed before (the same code; q15 filters on one price range in three
    // calls) is read from its field rather than computed again per row.
    const field = (x: Compiled, sql: string): number => {
      const at = pre.findIndex((p, i) => i >= keys.length && p.code === x.code && preSql[i] === sql);
      if (at >= 0) return at;
      pre.push(x);
      preSql.push(sql);
      return pre.length - 1;
    };
    const argIdx = args.map((a, k) => field(a, expressionToSql(call.args[k])));
    const filter = call.filter ? field(c.condition(call.filter, argScope, 'FILTER'), expressionToSql(call.filter)) : undefined;
    const type = udaf ? udaf.resultType : aggregateResultType(name, args[0]?.type, call, c);
    calls.push({ name: udaf ? udaf.name : name, args: argIdx, distinct: call.distinct, filter, sql });
    callTypes.push(type);
  }
  const preFields: ScopeField[] = pre.map((x, i) => {
    const g = groupExprs[i];
    if (i < keys.length && g.kind === 'column') {
      const r = resolveColumn(g, input.fields, () => new Error('ambiguous'));
      const f = input.fields[r.index];
      return { name: f.name, qualifier: f.qualifier, type: x.type };
    }
    return { name: `$f${i}`, type: x.type };
  });
  // Session windows: the time field rides along after the arguments.
  let sessionTime: number | undefined;
  if (session) {
    pre.push({ code: `r[${session.timeField}]`, type: input.fields[session.timeField].type });
    preSql.push(input.fields[session.timeField].name);
    preFields.push({ name: `$t`, type: input.fields[session.timeField].type });
    sessionTime = pre.length - 1;
    if (!input.node.insertOnly) throw p.error('a session window aggregation needs an append-only input, but its input is updating', q);
  }
  const window = session ? undefined : windowEndKey(input, preFields, keys.length) ?? windowEndOfWindowAggregate(input, keys);
  const windowEnd = window?.end;
  const proctime = session?.proctime === true || window?.proctime === true;
  let planned = addCalc(input, { projection: pre.map((x) => x.code), constants: c.constants, projectionSql: preSql }, preFields);
  let keyFields = preFields.slice(0, keys.length).map((f) => (windowEnd === undefined ? { ...f, type: withoutTimeAttribute(f.type) } : f));
  // Grouping sets: Expand, then group by the keys, the set's number and the GROUPING values.
  let groupKeys = keys.map((_, i) => i);
  let setFields: ScopeField[] = [];
  if (sets) {
    if (session || windowEnd !== undefined) throw p.error('GROUPING SETS, ROLLUP, CUBE and GROUPING() in a window aggregation are not supported', q.groupBy[0] ?? q);
    const seenGrouping = new Map<string, FunctionCall>();
    for (const call of groupingCalls) seenGrouping.set(expressionToSql(call), call);
    const distinctGrouping = [...seenGrouping.values()];
    const groupingValues = sets.map((set) => distinctGrouping.map((call) => groupingValue(call, groupExprs, set, (r, at) => p.error(r, at))));
    keyFields = keyFields.map((f, i) => (sets.every((s) => s.includes(i)) ? f : { ...f, type: withNullable(f.type, true) }));
    const bigint = { kind: 'BIGINT' as const, nullable: false };
    setFields = [{ name: '$e', type: bigint }, ...distinctGrouping.map((_, j) => ({ name: `$g${j}`, type: bigint }))];
    const expandedFields = [...keyFields, ...preFields.slice(keys.length), ...setFields];
    planned = {
      node: { kind: 'expand', input: planned.node, keyCount: keys.length, sets, groupingValues, schema: schemaOf(expandedFields), insertOnly: planned.node.insertOnly },
      fields: expandedFields,
    };
    groupKeys = [...groupKeys, ...setFields.map((_, j) => pre.length + j)];
    distinctGrouping.forEach((call, j) => groupingTexts.set(expressionToSql(call), keys.length + 1 + j));
  }
  const ts = { kind: 'TIMESTAMP' as const, nullable: false, precision: 3 };
  const sessionFields: ScopeField[] = session
    ? [{ name: 'window_start', type: ts }, { name: 'window_end', type: ts }, { name: 'window_time', type: { ...ts, timeAttribute: proctime ? 'proctime' as const : 'rowtime' as const } }]
    : [];
  const outFields: ScopeField[] = [...keyFields, ...setFields, ...sessionFields, ...callTypes.map((type, j) => ({ name: `$agg${j}`, type }))];
  if (windowEnd !== undefined && !input.node.insertOnly) throw p.error('a window aggregation needs an append-only input, but its input is updating', q);
  const node: PlanNode = {
    kind: 'aggregate', input: planned.node, groupKeys, calls, schema: schemaOf(outFields),
    insertOnly: windowEnd !== undefined || session !== undefined, ...(windowEnd !== undefined ? { windowEnd } : {}),
    ...(session ? { session: { timeField: sessionTime!, gap: session.gap } } : {}), ...(proctime ? { proctime } : {}),
  };
  const texts = new Map<string, number>(groupingTexts);
  groupExprs.forEach((e, i) => texts.set(expressionToSql(e), i));
  distinctCalls.forEach((call, j) => texts.set(expressionToSql(call), keys.length + setFields.length + sessionFields.length + j));
  // Legacy window properties (TUMBLE_START(...), HOP_END(...), SESSION_START(...), ...) read the window columns.
  const property = (e: Expr): number | undefined => {
    if (e.kind !== 'call') return undefined;
    const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(e.name.toUpperCase());
    if (!m) return undefined;
    const i = outFields.findIndex((f) => f.name === { START: 'window_start', END: 'window_end', ROWTIME: 'window_time' }[m[2]]);
    if (i < 0) throw p.error(`${e.name.toUpperCase()} needs a GROUP BY ${m[1]}(...) window`, e);
    return i;
  };
  const substitute = (e: Expr): number | undefined => {
    const hit = texts.get(expressionToSql(e)) ?? property(e);
    if (hit !== undefined) return hit;
    if (e.kind === 'column') {
      const inOut = resolveColumn(e, [...keyFields, ...sessionFields], () => p.error(`column ${e.names.join('.')} is ambiguous`, e));
      if (inOut.index >= 0) return undefined;
      const inIn = resolveColumn(e, input.fields, () => p.error(`column ${e.names.join('.')} is ambiguous`, e));
      if (inIn.index >= 0) throw p.error(`column ${e.names.join('.')} must appear in GROUP BY or be used in an aggregate function`, e);
    }
    return undefined;
  };
  return { input: { node, fields: outFields }, scope: { fields: outFields, substitute, aggregateContext: 'nested in this way' } };
}

/** The field `index` of `node`'s output traced down through projections: the node it comes from and its index there. */
function traceField(node: PlanNode, index: number): { node: PlanNode; index: number } | undefined {
  let n = node;
  let i = index;
  while (n.kind === 'calc') {
    for (let k = n.stages.length - 1; k >= 0; k--) {
      const projection = n.stages[k].projection;
      if (projection === undefined) continue;
      const m = /^r\[(\d+)\]$/.exec(projection[i] ?? '');
      if (!m) return undefined;
      i = Number(m[1]);
    }
    n = n.input;
  }
  return { node: n, index: i };
}

/**
 * A GROUP BY over the append-only result of a window aggregation that keeps its window_end
 * (renamed or not, as q5's `window_end AS endtime`): every row of that window arrives before the
 * watermark passes its end, so this aggregation is a window aggregation too (Flink propagates
 * window properties the same way): it fires once per window instead of updating per row.
 */
function windowEndOfWindowAggregate(input: Planned, keys: readonly Compiled[]): { end: number; proctime: boolean } | undefined {
  if (!input.node.insertOnly) return undefined;
  for (let k = 0; k < keys.length; k++) {
    const m = /^r\[(\d+)\]$/.exec(keys[k].code);
    if (!m) continue;
    const traced = traceField(input.node, Number(m[1]));
    const inner = traced?.node;
    if (inner?.kind !== 'aggregate' || inner.windowEnd === undefined) continue;
    if (inner.groupKeys[traced!.index] === inner.windowEnd) return { end: k, proctime: inner.proctime === true };
  }
  return undefined;
}

/**
 * Whether field `index` of `node` is, through projections, the window_end of an event-time window
 * aggregation (whose rows of a window all arrive before the watermark passes the window's end).
 */
export function isWindowEndOfAggregate(node: PlanNode, index: number): boolean {
  const traced = traceField(node, index);
  const inner = traced?.node;
  return inner?.kind === 'aggregate' && inner.windowEnd !== undefined && inner.proctime !== true && inner.session === undefined
    && inner.groupKeys[traced!.index] === inner.windowEnd;
}

/** The pre-projection field of window_end when the keys hold window_start and window_end of a window TVF. */
function windowEndKey(input: Planned, preFields: readonly ScopeField[], keyCount: number): { end: number; proctime: boolean } | undefined {
  let n: PlanNode = input.node;
  while (n.kind === 'calc') n = n.input;
  if (n.kind !== 'windowTvf') return undefined;
  const names = preFields.slice(0, keyCount).map((f) => f.name);
  const end = names.indexOf('window_end');
  return names.includes('window_start') && end >= 0 ? { end, proctime: n.window.proctime === true } : undefined;
}
