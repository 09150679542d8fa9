// Walks over SQL expressions: the direct sub-expressions of a node, and the aggregate calls an
// expression contains (what GROUP BY planning pulls out into the aggregation). Imports the AST.
import type { Expr, FunctionCall } from '../sql/ast.ts';
import { isAggregateName } from '../functions/builtin-functions.ts';

/** The direct sub-expressions of `e` (not those inside subqueries). */
export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'is': return [e.operand];
    case 'isDistinctFrom': return [e.left, e.right];
    case 'between': return [e.operand, e.low, e.high];
    case 'inList': return [e.operand, ...e.list];
    case 'inQuery': return [e.operand];
    case 'like': return [e.operand, e.pattern, ...(e.escape ? [e.escape] : [])];
    case 'case': return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'cast': case 'extract': case 'floorCeil': return [e.operand];
    case 'trim': return [e.operand, ...(e.chars ? [e.chars] : [])];
    case 'call': return [...e.args, ...(e.filter ? [e.filter] : [])];
    case 'index': return [e.target, e.index];
    case 'field': return [e.target];
    case 'array': return [...e.elements];
    case 'map': return e.entries.flatMap((x) => [x.key, x.value]);
    case 'row': return [...e.fields];
    case 'namedArg': return [e.value];
    default: return [];
  }
}

/** Whether `call` is an aggregate (built-in, or a registered aggregate UDF per `isUdf`). */
export function isAggregateCall(e: Expr, isUdf: (name: string) => boolean): e is FunctionCall {
  return e.kind === 'call' && e.over === undefined && (isAggregateName(e.name.toUpperCase()) || isUdf(e.name));
}

/** The aggregate calls in `e`, outermost first (their arguments are not searched). */
export function findAggregates(e: Expr, isUdf: (name: string) => boolean, out: FunctionCall[] = []): FunctionCall[] {
  if (isAggregateCall(e, isUdf)) { out.push(e); return out; }
  for (const c of exprChildren(e)) findAggregates(c, isUdf, out);
  return out;
}

/** Whether `e` contains a window function call (`... OVER (...)`). */
export function findOverCall(e: Expr): FunctionCall | undefined {
  if (e.kind === 'call' && e.over !== undefined) return e;
  for (const c of exprChildren(e)) {
    const found = findOverCall(c);
    if (found) return found;
  }
  return undefined;
}

/** Every window function call (`... OVER (...)`) in `e`. */
export function findOverCalls(e: Expr, out: FunctionCall[] = []): FunctionCall[] {
  if (e.kind === 'call' && e.over !== undefined) { out.push(e); return out; }
  for (const c of exprChildren(e)) findOverCalls(c, out);
  return out;
}
