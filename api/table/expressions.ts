// Table API expressions: `$('col')`, `lit(v)` and their methods (`.plus`, `.isGreater`, `.sum()`,
// `.as('name')`, ...). Each builds a node of the SQL AST, so the Table API plans through exactly
// the same validation and planner as SQL (the query is printed as SQL, parsed and planned; errors
// point into that text). Imports the SQL AST and printer.
import type { Expr, SourcePos } from './sql/ast.ts';
import { parseExpression } from './sql/parser.ts';

const POS: SourcePos = { line: 1, column: 1, offset: 0 };

/** Anything an expression method accepts: an expression or a plain value (a literal). */
export type ExpressionLike = Expression | string | number | boolean | null;

function toExpr(v: ExpressionLike): Expr {
  if (v instanceof Expression) return v.node;
  return literalExpr(v);
}

function literalExpr(v: string | number | boolean | null): Expr {
  if (v === null) return { kind: 'null', pos: POS };
  if (typeof v === 'boolean') return { kind: 'boolean', pos: POS, value: v };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`lit(${v}): only finite numbers are SQL literals`);
    const lit: Expr = { kind: 'numeric', pos: POS, text: String(Math.abs(v)) };
    return v < 0 || Object.is(v, -0) ? { kind: 'unary', pos: POS, op: '-', operand: lit } : lit;
  }
  return { kind: 'string', pos: POS, value: v };
}

function call(name: string, args: Expr[], extra: { distinct?: boolean; star?: boolean } = {}): Expr {
  return { kind: 'call', pos: POS, name, args, distinct: extra.distinct ?? false, star: extra.star ?? false, noParens: false };
}

/** An expression of the Table API. */
export class Expression {
  /** @internal */
  constructor(readonly node: Expr, /** The output name given by `.as(name)`. */ readonly alias?: string) {}

  private bin(op: Extract<Expr, { kind: 'binary' }>['op'], other: ExpressionLike): Expression {
    return new Expression({ kind: 'binary', pos: POS, op, left: this.node, right: toExpr(other) });
  }

  /** Names the expression's output column. */
  as(name: string): Expression { return new Expression(this.node, name); }

  plus(o: ExpressionLike): Expression { return this.bin('+', o); }
  minus(o: ExpressionLike): Expression { return this.bin('-', o); }
  times(o: ExpressionLike): Expression { return this.bin('*', o); }
  dividedBy(o: ExpressionLike): Expression { return this.bin('/', o); }
  mod(o: ExpressionLike): Expression { return this.bin('%', o); }
  isEqual(o: ExpressionLike): Expression { return this.bin('=', o); }
  isNotEqual(o: ExpressionLike): Expression { return this.bin('<>', o); }
  isGreater(o: ExpressionLike): Expression { return this.bin('>', o); }
  isGreaterOrEqual(o: ExpressionLike): Expression { return this.bin('>=', o); }
  isLess(o: ExpressionLike): Expression { return this.bin('<', o); }
  isLessOrEqual(o: ExpressionLike): Expression { return this.bin('<=', o); }
  and(o: ExpressionLike): Expression { return this.bin('AND', o); }
  or(o: ExpressionLike): Expression { return this.bin('OR', o); }
  not(): Expression { return new Expression({ kind: 'unary', pos: POS, op: 'NOT', operand: this.node }); }
  isNull(): Expression { return new Expression({ kind: 'is', pos: POS, negated: false, test: 'NULL', operand: this.node }); }
  isNotNull(): Expression { return new Expression({ kind: 'is', pos: POS, negated: true, test: 'NULL', operand: this.node }); }
  like(pattern: ExpressionLike): Expression {
    return new Expression({ kind: 'like', pos: POS, negated: false, operand: this.node, pattern: toExpr(pattern) });
  }
  between(low: ExpressionLike, high: ExpressionLike): Expression {
    return new Expression({ kind: 'between', pos: POS, negated: false, symmetric: false, operand: this.node, low: toExpr(low), high: toExpr(high) });
  }
  in(...values: ExpressionLike[]): Expression {
    return new Expression({ kind: 'inList', pos: POS, negated: false, operand: this.node, list: values.map(toExpr) });
  }
  concat(o: ExpressionLike): Expression { return this.bin('||', o); }
  upperCase(): Expression { return new Expression(call('UPPER', [this.node])); }
  lowerCase(): Expression { return new Expression(call('LOWER', [this.node])); }
  charLength(): Expression { return new Expression(call('CHAR_LENGTH', [this.node])); }
  substring(start: ExpressionLike, length?: ExpressionLike): Expression {
    return new Expression(call('SUBSTRING', [this.node, toExpr(start), ...(length === undefined ? [] : [toExpr(length)])]));
  }
  /** `CAST(this AS type)`, the type as SQL text (`'BIGINT'`, `'DECIMAL(10, 2)'`). */
  cast(type: string): Expression {
    const parsed = parseExpression(`CAST(NULL AS ${type})`);
    if (parsed.kind !== 'cast') throw new TypeError(`not a data type: ${type}`);
    return new Expression({ kind: 'cast', pos: POS, safe: false, operand: this.node, type: parsed.type });
  }

  /** Interval builders on number literals: `lit(10).seconds()` is INTERVAL '10' SECOND. */
  millis(): Expression { return intervalOf(this, 'MILLISECOND'); }
  seconds(): Expression { return intervalOf(this, 'SECOND'); }
  minutes(): Expression { return intervalOf(this, 'MINUTE'); }
  hours(): Expression { return intervalOf(this, 'HOUR'); }
  days(): Expression { return intervalOf(this, 'DAY'); }
  /** The start of the window this alias names (`$('w').start()`): window_start. */
  start(): Expression { return $('window_start'); }
  /** The end of the window this alias names: window_end. */
  end(): Expression { return $('window_end'); }
  /** The time attribute of the window this alias names: window_time. */
  rowtime(): Expression { return $('window_time'); }

  sum(): Expression { return new Expression(call('SUM', [this.node])); }
  sum0(): Expression { return new Expression(call('SUM0', [this.node])); }
  avg(): Expression { return new Expression(call('AVG', [this.node])); }
  min(): Expression { return new Expression(call('MIN', [this.node])); }
  max(): Expression { return new Expression(call('MAX', [this.node])); }
  count(): Expression { return new Expression(call('COUNT', [this.node])); }
  countDistinct(): Expression { return new Expression(call('COUNT', [this.node], { distinct: true })); }
}

/** A column reference (`$('price')`, or `$('t.price')` qualified). */
export function $(name: string): Expression {
  return new Expression({ kind: 'column', pos: POS, names: name.split('.') });
}

/** A literal value. */
export function lit(value: string | number | boolean | null): Expression {
  return new Expression(literalExpr(value));
}

/** A call of a built-in or registered function by name. */
export function call$(name: string, ...args: ExpressionLike[]): Expression {
  return new Expression(call(name, args.map(toExpr)));
}

/** A day-time interval literal of `n` `unit`s (what `lit(n).seconds()` builds). */
function intervalOf(e: Expression, unit: 'MILLISECOND' | 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY'): Expression {
  const n = e.node;
  if (n.kind !== 'numeric') throw new TypeError(`.${unit.toLowerCase()}s() needs a number literal such as lit(10)`);
  if (unit === 'MILLISECOND') {
    return new Expression({ kind: 'interval', pos: POS, value: String(Number(n.text) / 1000), negative: false, qualifier: { start: 'SECOND' } });
  }
  return new Expression({ kind: 'interval', pos: POS, value: n.text, negative: false, qualifier: { start: unit } });
}

