// Subqueries in WHERE as semi and anti joins: the top-level conjuncts `x [NOT] IN (SELECT y ...)`
// and `[NOT] EXISTS (SELECT ... WHERE <correlation>)` become SemiJoin nodes over the outer input;
// the remaining conjuncts stay an ordinary filter. A correlated EXISTS is decorrelated: its WHERE's
// conjuncts over inner columns only filter the subquery, equalities between an inner and an outer
// column become the join key, and the other correlated conjuncts a residual over both rows.
// NOT IN needs NOT NULL columns (its NULL semantics would need a global view of the subquery).
// Imports the AST and the planner's parts.
import type { Expr, Query } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { commonType, typeToString } from '../types/logical-type.ts';
import { resolveColumn, type ScopeField } from './expression-compiler.ts';
import { exprChildren } from './expr-walk.ts';
import { planFrom } from './from-planner.ts';
import type { CalcStage, PlanNode } from './plan-nodes.ts';
import { addCalc, type Planned, type QueryPlanner } from './query-planner.ts';

/** Splits `e` into its AND-ed conjuncts. */
export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/** Joins `parts` back with AND (undefined for none). */
export function conjunction(parts: readonly Expr[]): Expr | undefined {
  return parts.length === 0 ? undefined : parts.reduce((a, b) => ({ kind: 'binary', pos: a.pos, op: 'AND', left: a, right: b }));
}

function columnRefs(e: Expr, out: Array<Expr & { kind: 'column' }> = []): Array<Expr & { kind: 'column' }> {
  if (e.kind === 'column') out.push(e);
  for (const c of exprChildren(e)) columnRefs(c, out);
  return out;
}

/** A semi/anti join of `input` with the subquery of one conjunct, or undefined when the conjunct has none. */
function subqueryJoin(p: QueryPlanner, input: Planned, e: Expr): Planned | undefined {
  if (e.kind === 'inQuery') return inJoin(p, input, e);
  if (e.kind === 'exists') return existsJoin(p, input, e.query, false);
  if (e.kind === 'unary' && e.op === 'NOT' && e.operand.kind === 'exists') return existsJoin(p, input, e.operand.query, true);
  return undefined;
}

/** Plans WHERE's subquery conjuncts as semi/anti joins; returns the new input and the other conjuncts. */
export function planSubqueries(p: QueryPlanner, input: Planned, where: Expr): { input: Planned; rest: Expr | undefined } {
  const rest: Expr[] = [];
  let planned = input;
  for (const c of conjuncts(where)) {
    const joined = subqueryJoin(p, planned, c);
    if (joined) planned = joined; else rest.push(c);
  }
  return { input: planned, rest: conjunction(rest) };
}

function semiNode(input: Planned, right: PlanNode, anti: boolean, leftKeys: number[], rightKeys: number[], residual: CalcStage | undefined, sql: string): Planned {
  const node: PlanNode = {
    kind: 'semiJoin', anti, left: input.node, right, leftKeys, rightKeys, ...(residual ? { residual } : {}), conditionSql: sql,
    schema: input.node.schema, insertOnly: input.node.insertOnly && right.insertOnly && !anti,
  };
  return { node, fields: input.fields };
}

function inJoin(p: QueryPlanner, input: Planned, e: Expr & { kind: 'inQuery' }): Planned {
  if (e.operand.kind !== 'column') throw p.error('the left side of IN (subquery) must be a column', e.operand);
  const left = resolveColumn(e.operand, input.fields, (reason) => p.error(reason, e.operand));
  if (left.index < 0 || left.path.length > 0) throw p.error(`unknown column ${e.operand.names.join('.')}`, e.operand);
  const sub = p.planQuery(e.query);
  if (sub.fields.length !== 1) throw p.error(`the subquery of IN must select one column, it selects ${sub.fields.length}`, e);
  const lt = input.fields[left.index].type;
  const rt = sub.fields[0].type;
  if (commonType(lt, rt) === undefined) throw p.compiler().mismatch('IN', lt, rt, e);
  if (e.negated && (lt.nullable || rt.nullable)) {
    throw p.error(`NOT IN (subquery) over nullable columns (${typeToString(lt)}, ${typeToString(rt)}) is not supported: use NOT EXISTS, or filter out NULLs on both sides and cast`, e);
  }
  return semiNode(input, sub.node, e.negated, [left.index], [0], undefined, expressionToSql(e.operand) + (e.negated ? ' NOT IN ' : ' IN ') + '(subquery)');
}

function existsJoin(p: QueryPlanner, input: Planned, query: Query, anti: boolean): Planned {
  if (query.kind !== 'select' || !query.from || query.groupBy.length > 0 || query.having || query.distinct) {
    // An uncorrelated EXISTS over any query: true when the query has a row.
    const sub = p.planQuery(query);
    return semiNode(input, sub.node, anti, [], [], undefined, `${anti ? 'NOT ' : ''}EXISTS (subquery)`);
  }
  let inner = planFrom(p, query.from);
  const outerFields = input.fields;
  const innerOnly: Expr[] = [];
  const leftKeys: number[] = [];
  const rightKeys: number[] = [];
  const residual: Expr[] = [];
  const isInner = (c: Expr & { kind: 'column' }): boolean => resolveColumn(c, inner.fields, (r) => p.error(r, c)).index >= 0;
  for (const c of query.where ? conjuncts(query.where) : []) {
    const refs = columnRefs(c);
    if (refs.every(isInner)) { innerOnly.push(c); continue; }
    if (c.kind === 'binary' && c.op === '=' && c.left.kind === 'column' && c.right.kind === 'column' && isInner(c.left) !== isInner(c.right)) {
      const [i, o] = isInner(c.left) ? [c.left, c.right] : [c.right, c.left];
      const oi = resolveColumn(o, outerFields, (r) => p.error(r, o));
      const ii = resolveColumn(i, inner.fields, (r) => p.error(r, i));
      if (oi.index >= 0 && oi.path.length === 0 && ii.path.length === 0) { leftKeys.push(oi.index); rightKeys.push(ii.index); continue; }
    }
    residual.push(c);
  }
  if (innerOnly.length > 0) {
    const c = p.compiler();
    const cond = c.condition(conjunction(innerOnly)!, { fields: inner.fields, aggregateContext: 'in WHERE' }, 'WHERE');
    inner = addCalc(inner, { condition: cond.code, constants: c.constants, conditionSql: expressionToSql(conjunction(innerOnly)!) }, inner.fields);
  }
  let stage: CalcStage | undefined;
  if (residual.length > 0) {
    const both: ScopeField[] = [...outerFields, ...inner.fields];
    const c = p.compiler();
    const cond = c.condition(conjunction(residual)!, { fields: both, aggregateContext: 'in WHERE' }, 'WHERE');
    stage = { condition: cond.code, constants: c.constants, conditionSql: expressionToSql(conjunction(residual)!) };
  }
  const sql = `${anti ? 'NOT ' : ''}EXISTS (${[...leftKeys.map((l, k) => `${outerFields[l].name} = ${inner.fields[rightKeys[k]].name}`), ...residual.map(expressionToSql)].join(' AND ') || 'subquery'})`;
  return semiNode(input, inner.node, anti, leftKeys, rightKeys, stage, sql);
}
