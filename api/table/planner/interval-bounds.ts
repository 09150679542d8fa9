// Recognizes an interval join: an inner join of two append-only inputs whose condition bounds one
// side's event time by the other's (`r.rt BETWEEN l.rt - INTERVAL '1' MINUTE AND l.rt`, or
// comparisons `l.rt <= r.rt + INTERVAL ...`). The bounds are those of right time minus left time;
// the full condition is still checked on every pair. Imports the AST and the compiler's shapes.
import type { Expr } from '../sql/ast.ts';
import { resolveColumn, type ScopeField } from './expression-compiler.ts';
import type { QueryPlanner } from './query-planner.ts';
import type { IntervalBounds } from './runtime/interval-join.ts';

/** A time attribute of one side plus a constant: `l.rt - INTERVAL '5' SECOND`. */
interface TimeTerm { readonly field: number; readonly offset: number }

/** The interval bounds of a join condition's conjuncts, if they bound the two sides' event times. */
export function intervalBounds(p: QueryPlanner, conjuncts: readonly Expr[], fields: readonly ScopeField[], leftCount: number): IntervalBounds | undefined {
  const term = (e: Expr): TimeTerm | undefined => {
    if (e.kind === 'column') {
      const r = resolveColumn(e, fields, () => new Error('ambiguous'));
      return r.index >= 0 && r.path.length === 0 && fields[r.index].type.timeAttribute === 'rowtime' ? { field: r.index, offset: 0 } : undefined;
    }
    if (e.kind === 'binary' && (e.op === '+' || e.op === '-')) {
      const base = term(e.left);
      if (!base) return undefined;
      let c;
      try { c = p.compiler().compile(e.right, { fields: [] }); } catch { return undefined; }
      if (c.type.kind !== 'INTERVAL_DAY_TIME' || c.constant === undefined) return undefined;
      const ms = c.constant.value as number;
      return { field: base.field, offset: base.offset + (e.op === '+' ? ms : -ms) };
    }
    return undefined;
  };
  let lower = -Infinity;
  let upper = Infinity;
  let leftTime: number | undefined;
  let rightTime: number | undefined;
  const relate = (a: TimeTerm, op: string, b: TimeTerm): boolean => {
    const aLeft = a.field < leftCount;
    const bLeft = b.field < leftCount;
    if (aLeft === bLeft) return false;
    // Normalize to (right - left) op c.
    const [r, l, o] = aLeft ? [b, a, ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op]] : [a, b, op];
    if ((leftTime !== undefined && leftTime !== l.field) || (rightTime !== undefined && rightTime !== r.field - leftCount)) return false;
    leftTime = l.field;
    rightTime = r.field - leftCount;
    const c = l.offset - r.offset;
    if (o === '>=') lower = Math.max(lower, c);
    else if (o === '>') lower = Math.max(lower, c + 1);
    else if (o === '<=') upper = Math.min(upper, c);
    else if (o === '<') upper = Math.min(upper, c - 1);
    else return false;
    return true;
  };
  for (const e of conjuncts) {
    if (e.kind === 'between' && !e.negated && !e.symmetric) {
      const x = term(e.operand);
      const lo = term(e.low);
      const hi = term(e.high);
      if (x && lo && hi) { relate(x, '>=', lo); relate(x, '<=', hi); }
    } else if (e.kind === 'binary' && ['<', '<=', '>', '>='].includes(e.op)) {
      const a = term(e.left);
      const b = term(e.right);
      if (a && b) relate(a, e.op, b);
    }
  }
  if (leftTime === undefined || rightTime === undefined || lower === -Infinity || upper === Infinity || lower > upper) return undefined;
  return { leftTime, rightTime, lower, upper };
}
