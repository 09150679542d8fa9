// GROUPING SETS, ROLLUP and CUBE: the GROUP BY items become one list of distinct key expressions
// and the sets of them to group by (plain items belong to every set; several grouping items give
// the cross product of their sets, as in SQL). Planned as Flink does: an Expand node emits each
// input row once per set with the keys outside the set NULL and the set's number appended, and one
// aggregation groups by the keys and that number. GROUPING(...) / GROUPING_ID(...) are constants
// per set, appended by Expand too, so they are group keys the SELECT list reads.
// Imports the AST and the planner's error type.
import type { Expr, FunctionCall, GroupItem } from '../sql/ast.ts';
import { expressionToSql } from '../sql/unparse.ts';
import { exprChildren } from './expr-walk.ts';
import type { SqlValidationError } from './validation-error.ts';

/** The keys of a GROUP BY and, for grouping sets, the sets (indices into the keys). */
export interface GroupKeys { readonly exprs: readonly Expr[]; readonly sets?: readonly (readonly number[])[] }

/** All subsets of `items` (CUBE), the largest first. */
function subsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = (1 << items.length) - 1; mask >= 0; mask--) out.push(items.filter((_, i) => (mask & (1 << (items.length - 1 - i))) !== 0));
  return out;
}

/** The key expressions and grouping sets of `groupBy`; `sets` is undefined for a plain GROUP BY. */
export function expandGroupBy(groupBy: readonly GroupItem[], error: (reason: string, at: { pos: Expr['pos'] }) => SqlValidationError): GroupKeys {
  const exprs: Expr[] = [];
  const index = (e: Expr): number => {
    const text = expressionToSql(e);
    let i = exprs.findIndex((x) => expressionToSql(x) === text);
    if (i < 0) { i = exprs.length; exprs.push(e); }
    return i;
  };
  let sets: number[][] = [[]];
  let grouping = false;
  for (const g of groupBy) {
    let itemSets: number[][];
    if (g.kind === 'expr') itemSets = [[index(g.expr)]];
    else {
      grouping = true;
      const elements = g.sets.map((s) => s.map(index));
      if (g.kind === 'groupingSets') itemSets = elements;
      else if (g.kind === 'rollup') itemSets = elements.map((_, n) => elements.slice(0, elements.length - n).flat()).concat([[]]);
      else {
        if (elements.length > 12) throw error(`CUBE over ${elements.length} elements makes ${2 ** elements.length} grouping sets (at most 4096 are supported)`, g);
        itemSets = subsets(elements).map((s) => s.flat());
      }
    }
    sets = sets.flatMap((s) => itemSets.map((t) => [...new Set([...s, ...t])]));
  }
  return grouping ? { exprs, sets } : { exprs };
}

/** Whether `e` is a GROUPING(...) or GROUPING_ID(...) call. */
export function isGroupingCall(e: Expr): e is FunctionCall {
  return e.kind === 'call' && e.over === undefined && ['GROUPING', 'GROUPING_ID'].includes(e.name.toUpperCase());
}

/** The GROUPING(...) / GROUPING_ID(...) calls in `e`. */
export function findGroupingCalls(e: Expr, out: FunctionCall[] = []): FunctionCall[] {
  if (isGroupingCall(e)) { out.push(e); return out; }
  for (const c of exprChildren(e)) findGroupingCalls(c, out);
  return out;
}

/** The value of a GROUPING call in `set`: a bit per argument, 1 when it is not grouped on (first argument highest). */
export function groupingValue(
  call: FunctionCall, keys: readonly Expr[], set: readonly number[], error: (reason: string, at: { pos: Expr['pos'] }) => SqlValidationError,
): number {
  if (call.args.length === 0) throw error(`${call.name.toUpperCase()} needs at least one argument`, call);
  let value = 0;
  for (const a of call.args) {
    const text = expressionToSql(a);
    const i = keys.findIndex((k) => expressionToSql(k) === text);
    if (i < 0) throw error(`the argument ${text} of ${call.name.toUpperCase()} must be an expression of GROUP BY`, a);
    value = value * 2 + (set.includes(i) ? 0 : 1);
  }
  return value;
}
