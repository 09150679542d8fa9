// Join keys computed from the left side: `ON MOD(l.a, 10) = r.k` equates an expression over the
// left row with a right column. Flink plans such a key as a projection on the left input; here
// too: each such expression becomes a field `$lkN` appended to the left rows by a Calc, and the
// condition names that field, so the join sees a plain column equality. Imports the AST and the
// planner's parts.
import type { Expr } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { resolveColumn, type ScopeField } from './expression-compiler.ts';
import { exprChildren } from './expr-walk.ts';
import { addCalc, type Planned, type QueryPlanner } from './query-planner.ts';

/** Whether every column `e` names is one of `fields` (and it names at least one). */
function onlyOver(e: Expr, fields: readonly ScopeField[]): boolean {
  if (e.kind === 'column') return resolveColumn(e, fields, () => new Error('ambiguous')).index >= 0;
  const children = exprChildren(e);
  return children.length > 0 && children.every((c) => onlyOver(c, fields) || c.kind !== 'column' && exprChildren(c).length === 0);
}

/** `left` with the key expressions of `on` appended as fields, and `on` naming them instead. */
export function leftKeyExpressions(p: QueryPlanner, left: Planned, right: readonly ScopeField[], on: Expr): { left: Planned; on: Expr } {
  const exprs: Expr[] = [];
  const rewrite = (e: Expr): Expr => {
    if (e.kind === 'binary' && e.op === 'AND') return { ...e, left: rewrite(e.left), right: rewrite(e.right) };
    if (e.kind !== 'binary' || e.op !== '=') return e;
    const isRightColumn = (x: Expr): boolean => x.kind === 'column' && resolveColumn(x, right, () => new Error('ambiguous')).index >= 0
      && resolveColumn(x, left.fields, () => new Error('ambiguous')).index < 0;
    const computed = (x: Expr): boolean => x.kind !== 'column' && onlyOver(x, left.fields);
    const name = (x: Expr): Expr => {
      let i = exprs.findIndex((y) => expressionToSql(y) === expressionToSql(x));
      if (i < 0) { i = exprs.length; exprs.push(x); }
      return { kind: 'column', pos: x.pos, names: [`$lk${i}`] };
    };
    if (computed(e.left) && isRightColumn(e.right)) return { ...e, left: name(e.left) };
    if (computed(e.right) && isRightColumn(e.left)) return { ...e, right: name(e.right) };
    return e;
  };
  const rewritten = rewrite(on);
  if (exprs.length === 0) return { left, on };
  const c = p.compiler();
  const codes = exprs.map((e) => c.compile(e, { fields: left.fields, aggregateContext: 'in ON' }));
  const fields: ScopeField[] = [...left.fields, ...codes.map((x, i) => ({ name: `$lk${i}`, type: x.type }))];
  const projection = [...left.fields.map((_, i) => `r[${i}]`), ...codes.map((x) => x.code)];
  const projectionSql = [...left.fields.map((f) => f.name), ...exprs.map((e, i) => `${expressionToSql(e)} AS $lk${i}`)];
  return { left: addCalc(left, { projection, constants: c.constants, projectionSql }, fields), on: rewritten };
}
