// Plans OVER aggregates of a SELECT list (`SUM(x) OVER (PARTITION BY k ORDER BY rowtime ROWS
// BETWEEN 5 PRECEDING AND CURRENT ROW)`): the arguments are appended to the input by a Calc, an
// OverAggregate node appends the results, and the SELECT list reads them back by their SQL text.
// As in Flink's streaming mode, every OVER of one SELECT shares one window, ordered ascending by an
// event-time attribute, ending at CURRENT ROW. Imports the AST and the planner's parts.
import type { Expr, FunctionCall, NamedWindow, WindowSpec } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { aggregateResultType } from '../functions/builtin-functions.ts';
import type { CompileScope, Compiled, ScopeField } from './expression-compiler.ts';
import type { AggregateCall, PlanNode } from './plan-nodes.ts';
import { addCalc, schemaOf, type Planned, type QueryPlanner } from './query-planner.ts';

function specText(spec: WindowSpec): string {
  return JSON.stringify(spec, (k, v) => (k === 'pos' ? undefined : v));
}

/** The OverAggregate for `calls` over `input`, and the scope the SELECT list is compiled in above it. */
export function planOver(
  p: QueryPlanner, calls: readonly FunctionCall[], input: Planned, scope: CompileScope, windows: readonly NamedWindow[],
): { input: Planned; scope: CompileScope } {
  const resolve = (call: FunctionCall): WindowSpec => {
    const spec = call.over!;
    if (spec.ref === undefined) return spec;
    const named = windows.find((w) => w.name === spec.ref);
    if (!named) throw p.error(`unknown window ${spec.ref}`, spec);
    return named.spec;
  };
  for (const call of calls) {
    const name = call.name.toUpperCase();
    if (name === 'ROW_NUMBER') throw p.error('ROW_NUMBER() OVER (...) cannot be mixed with OVER aggregates in one SELECT', call);
    if (!p.ctx.functions.aggregate(call.name) && !['COUNT', 'SUM', 'SUM0', 'AVG', 'MIN', 'MAX'].includes(name)) {
      throw p.error(`${name}(...) OVER (...) is not supported (aggregates and ROW_NUMBER are)`, call);
    }
  }
  if (!input.node.insertOnly) throw p.error('an OVER aggregation needs an append-only input, but its input is updating', calls[0]);
  const spec = resolve(calls[0]);
  for (const c of calls) {
    if (specText(resolve(c)) !== specText(spec)) throw p.error('every OVER aggregate of one SELECT must use the same window (partitioning, order and frame)', c);
  }
  const c = p.compiler();
  const fieldOf = (e: Expr, what: string): number => {
    const x = c.compile(e, scope);
    const m = /^r\[(\d+)\]$/.exec(x.code);
    if (!m) throw p.error(`${what} of an OVER window must name a column`, e);
    return Number(m[1]);
  };
  const partitionKeys = spec.partitionBy.map((e) => fieldOf(e, 'PARTITION BY'));
  if (spec.orderBy.length !== 1 || spec.orderBy[0].direction === 'DESC') throw p.error('an OVER window must be ordered by one event-time attribute, ascending', spec);
  const timeField = fieldOf(spec.orderBy[0].expr, 'ORDER BY');
  if (scope.fields[timeField].type.timeAttribute !== 'rowtime') {
    throw p.error(`an OVER window must be ordered by an event-time attribute, but ${expressionToSql(spec.orderBy[0].expr)} is not one`, spec.orderBy[0].expr);
  }
  // SQL's default frame with ORDER BY: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
  const f = spec.frame;
  let frame: { unit: 'ROWS' | 'RANGE'; preceding?: number } = { unit: 'RANGE' };
  if (f) {
    if (f.end.bound !== 'CURRENT ROW') throw p.error('an OVER window must end at CURRENT ROW', f.end);
    if (f.start.bound === 'UNBOUNDED PRECEDING') frame = { unit: f.unit };
    else if (f.start.bound === 'CURRENT ROW') frame = { unit: f.unit, preceding: 0 };
    else if (f.start.bound === 'PRECEDING' && f.start.offset) {
      const o = c.compile(f.start.offset, { fields: [] });
      const value = o.constant?.value;
      if (f.unit === 'ROWS' && (o.type.kind !== 'INT' || typeof value !== 'number' || value < 0)) throw p.error('ROWS ... PRECEDING needs a non-negative integer', f.start);
      if (f.unit === 'RANGE' && (o.type.kind !== 'INTERVAL_DAY_TIME' || typeof value !== 'number')) throw p.error('RANGE ... PRECEDING needs a day-time INTERVAL', f.start);
      frame = { unit: f.unit, preceding: value as number };
    } else throw p.error('an OVER window must start at UNBOUNDED PRECEDING, n PRECEDING or CURRENT ROW', f.start);
  }
  // The arguments and FILTER conditions are appended to the input row.
  const extra: Compiled[] = [];
  const extraSql: string[] = [];
  const aggCalls: AggregateCall[] = [];
  const types = [];
  const texts = new Map<string, number>();
  const base = scope.fields.length;
  for (const call of calls) {
    const sql = expressionToSql(call);
    if (texts.has(sql)) continue;
    const name = call.name.toUpperCase();
    const udaf = p.ctx.functions.aggregate(call.name);
    const argScope: CompileScope = { ...scope, aggregateContext: 'inside an OVER aggregate' };
    const args = call.star ? [] : call.args.map((a) => c.compile(a, argScope));
    const argIdx = args.map((a, k) => { extra.push(a); extraSql.push(expressionToSql(call.args[k])); return base + extra.length - 1; });
    let filter: number | undefined;
    if (call.filter) { extra.push(c.condition(call.filter, argScope, 'FILTER')); extraSql.push(expressionToSql(call.filter)); filter = base + extra.length - 1; }
    texts.set(sql, aggCalls.length);
    aggCalls.push({ name: udaf ? udaf.name : name, args: argIdx, distinct: call.distinct, filter, sql: `${sql}` });
    types.push(udaf ? udaf.resultType : aggregateResultType(name, args[0]?.type, call, c));
  }
  const withArgs: ScopeField[] = [...scope.fields, ...extra.map((x, i) => ({ name: `$o${i}`, type: x.type }))];
  const pre = extra.length === 0 ? input : addCalc(input, {
    projection: [...scope.fields.map((_, i) => `r[${i}]`), ...extra.map((x) => x.code)], constants: c.constants,
    projectionSql: [...scope.fields.map((f) => f.name), ...extraSql],
  }, withArgs);
  const outFields: ScopeField[] = [...withArgs, ...types.map((type, i) => ({ name: `$over${i}`, type: { ...type, nullable: true } }))];
  const node: PlanNode = {
    kind: 'overAggregate', input: pre.node, partitionKeys, timeField, frame, calls: aggCalls,
    schema: schemaOf(outFields), insertOnly: true,
  };
  const first = withArgs.length;
  const substitute = (e: Expr): number | undefined => {
    if (e.kind === 'call' && e.over) { const j = texts.get(expressionToSql(e)); if (j !== undefined) return first + j; }
    return scope.substitute?.(e);
  };
  return { input: { node, fields: outFields }, scope: { ...scope, fields: outFields, substitute } };
}
