// ExpressionParser: scalar expressions by precedence climbing, with Calcite's binding strengths
// (precedence.ts: OR < AND < NOT < IS < comparison < LIKE/BETWEEN/IN < + - < * / % || < unary
// minus < . and []), so that `a = b IS NULL` and `NOT a = b` group as in Flink. Literals (typed,
// INTERVAL), names, constructors, CASE, subqueries and postfix access live here; calls and their
// special forms come from call-parser.ts, queries from the subclass (query-parser.ts).
import type { Expr, SourcePos } from './ast.ts';
import type { Token } from './lexer.ts';
import { CallParser } from './call-parser.ts';
import { PRECEDENCE } from './precedence.ts';
import { CALLABLE_RESERVED_WORDS, posOf, RESERVED_WORDS } from './token-cursor.ts';

const COMPARISON_OPS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

/** Niladic functions written without parentheses. */
const NO_PAREN_FUNCTIONS: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP']);

/** Expressions on top of data types; the subclass supplies queries (subqueries, IN, EXISTS). */
export abstract class ExpressionParser extends CallParser {
  /** One full expression. */
  override parseExpression(): Expr {
    return this.parseBinary(0);
  }

  /** Expressions binding at least as tightly as `minPrec`. */
  protected override parseBinary(minPrec: number): Expr {
    let left = this.parsePrefix();
    for (;;) {
      const t = this.peek();
      const prec = this.infixPrecedence(t);
      if (prec === 0 || prec < minPrec) return left;
      left = this.parseInfix(left, t, prec);
    }
  }

  private infixPrecedence(t: Token): number {
    if (t.kind === 'op') {
      if (COMPARISON_OPS.has(t.value)) return PRECEDENCE.COMPARISON;
      if (t.value === '+' || t.value === '-') return PRECEDENCE.ADDITIVE;
      if (t.value === '*' || t.value === '/' || t.value === '%' || t.value === '||') return PRECEDENCE.MULTIPLICATIVE;
      return 0;
    }
    if (t.kind !== 'word') return 0;
    switch (t.upper) {
      case 'OR': return PRECEDENCE.OR;
      case 'AND': return PRECEDENCE.AND;
      case 'IS': return PRECEDENCE.IS;
      case 'IN': case 'LIKE': case 'BETWEEN': case 'SIMILAR': return PRECEDENCE.LIKE;
      case 'NOT': {
        const n = this.peek(1);
        return n.kind === 'word' && (n.upper === 'IN' || n.upper === 'LIKE' || n.upper === 'BETWEEN' || n.upper === 'SIMILAR') ? PRECEDENCE.LIKE : 0;
      }
      default: return 0;
    }
  }

  private parseInfix(left: Expr, t: Token, prec: number): Expr {
    const pos = left.pos;
    this.index++;
    if (t.kind === 'op') {
      const op = t.value === '!=' ? '<>' : t.value as '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';
      return { kind: 'binary', pos, op, left, right: this.parseBinary(prec + 1) };
    }
    switch (t.upper) {
      case 'OR': case 'AND':
        return { kind: 'binary', pos, op: t.upper, left, right: this.parseBinary(prec + 1) };
      case 'IS': {
        const negated = this.acceptWord('NOT');
        if (this.acceptWord('DISTINCT')) {
          this.expectWord('FROM');
          return { kind: 'isDistinctFrom', pos, negated, left, right: this.parseBinary(PRECEDENCE.COMPARISON + 1) };
        }
        const test = this.peek();
        if (test.kind === 'word' && (test.upper === 'NULL' || test.upper === 'TRUE' || test.upper === 'FALSE' || test.upper === 'UNKNOWN')) {
          this.index++;
          return { kind: 'is', pos, negated, test: test.upper, operand: left };
        }
        throw this.expected('NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS');
      }
      default: {
        const negated = t.upper === 'NOT';
        const op = negated ? this.next() : t;
        return this.parsePredicate(left, pos, negated, op);
      }
    }
  }

  /** `IN (...)`, `LIKE p [ESCAPE e]`, `BETWEEN a AND b`, after the operand (and NOT). */
  private parsePredicate(operand: Expr, pos: SourcePos, negated: boolean, op: Token): Expr {
    switch (op.upper) {
      case 'IN': {
        this.expectOp('(');
        if (this.startsQuery()) {
          const query = this.parseQuery();
          this.expectOp(')');
          return { kind: 'inQuery', pos, negated, operand, query };
        }
        const list = this.expressionList();
        this.expectOp(')');
        return { kind: 'inList', pos, negated, operand, list };
      }
      case 'LIKE': {
        const pattern = this.parseBinary(PRECEDENCE.LIKE + 1);
        if (!this.acceptWord('ESCAPE')) return { kind: 'like', pos, negated, operand, pattern };
        return { kind: 'like', pos, negated, operand, pattern, escape: this.parseBinary(PRECEDENCE.LIKE + 1) };
      }
      case 'BETWEEN': {
        const symmetric = this.acceptWord('SYMMETRIC');
        if (!symmetric) this.acceptWord('ASYMMETRIC');
        const low = this.parseBinary(PRECEDENCE.LIKE + 1);
        this.expectWord('AND');
        const high = this.parseBinary(PRECEDENCE.LIKE + 1);
        return { kind: 'between', pos, negated, symmetric, operand, low, high };
      }
      default:
        throw this.unsupported('SIMILAR TO', op);
    }
  }

  /** NOT and unary signs, then a primary with its postfix operators. */
  private parsePrefix(): Expr {
    const t = this.peek();
    if (t.kind === 'word' && t.upper === 'NOT') {
      this.index++;
      return { kind: 'unary', pos: posOf(t), op: 'NOT', operand: this.parseBinary(PRECEDENCE.NOT + 1) };
    }
    return this.parseUnary();
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.index++;
      return { kind: 'unary', pos: posOf(t), op: t.value, operand: this.parseUnary() };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  /** `x[i]` and `(x).field`, repeatedly. */
  private parsePostfix(e: Expr): Expr {
    for (;;) {
      if (this.acceptOp('[')) {
        const index = this.parseExpression();
        this.expectOp(']');
        e = { kind: 'index', pos: e.pos, target: e, index };
      } else if (this.isOp('.')) {
        this.index++;
        const t = this.peek();
        if (t.kind !== 'word' && t.kind !== 'quoted') throw this.expected('a field name after \'.\'');
        this.index++;
        e = { kind: 'field', pos: e.pos, target: e, field: t.value };
      } else {
        return e;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const pos = posOf(t);
    switch (t.kind) {
      case 'number': this.index++; return { kind: 'numeric', pos, text: t.value };
      case 'string': this.index++; return { kind: 'string', pos, value: t.value };
      case 'quoted': return this.parseNameOrCall();
      case 'op':
        if (t.value === '(') return this.parseParenthesized();
        if (t.value === '?') throw this.unsupported('a dynamic parameter (?)');
        throw this.expected('an expression');
      case 'eof': throw this.expected('an expression');
    }
    const next = this.peek(1);
    const callFollows = next.kind === 'op' && next.value === '(';
    switch (t.upper) {
      case 'TRUE': case 'FALSE': this.index++; return { kind: 'boolean', pos, value: t.upper === 'TRUE' };
      case 'NULL': case 'UNKNOWN': this.index++; return { kind: 'null', pos };
      case 'CASE': return this.parseCase();
      case 'INTERVAL': return this.parseIntervalLiteral();
      case 'EXISTS': {
        this.index++;
        this.expectOp('(');
        const query = this.parseQuery();
        this.expectOp(')');
        return { kind: 'exists', pos, query };
      }
      case 'DATE': case 'TIME': case 'TIMESTAMP':
        if (next.kind === 'string') {
          this.index += 2;
          return { kind: 'typedLiteral', pos, type: t.upper, value: next.value };
        }
        break;
      case 'ARRAY':
        if (next.kind === 'op' && next.value === '[') {
          this.index += 2;
          const elements = this.isOp(']') ? [] : this.expressionList();
          this.expectOp(']');
          return { kind: 'array', pos, elements };
        }
        break;
      case 'MAP':
        if (next.kind === 'op' && next.value === '[') return this.parseMapConstructor();
        break;
      case 'ROW':
        if (callFollows) {
          this.index += 2;
          const fields = this.isOp(')') ? [] : this.expressionList();
          this.expectOp(')');
          return { kind: 'row', pos, explicit: true, fields };
        }
        break;
      case 'DESCRIPTOR':
        if (callFollows) {
          this.index++;
          return { kind: 'descriptor', pos, columns: this.identifierList() };
        }
        break;
    }
    if (callFollows) {
      const special = this.parseSpecialCall(t);
      if (special) return special;
    }
    if (NO_PAREN_FUNCTIONS.has(t.upper) && !callFollows) {
      this.index++;
      return { kind: 'call', pos, name: t.value, args: [], distinct: false, star: false, noParens: true };
    }
    if (RESERVED_WORDS.has(t.upper) && !(callFollows && CALLABLE_RESERVED_WORDS.has(t.upper))) {
      if (t.upper === 'TABLE') throw this.error('TABLE t is only allowed as an argument of a table function', t);
      throw this.expected('an expression');
    }
    return this.parseNameOrCall();
  }

  /** A column reference `a.b.c`, or a function call `f(...)` when a `(` follows one name. */
  private parseNameOrCall(): Expr {
    const first = this.next();
    const pos = posOf(first);
    if (this.isOp('(')) return this.parseCall(first.value, pos);
    const names = [first.value];
    while (this.isOp('.') && (this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted')) {
      this.index++;
      names.push(this.next().value);
    }
    if (this.isOp('(')) throw this.unsupported(`a qualified function name (${names.join('.')})`, first);
    return { kind: 'column', pos, names };
  }

  /** `(query)`, `(expr)`, or the row `(a, b)`. */
  private parseParenthesized(): Expr {
    const open = this.next();
    const pos = posOf(open);
    if (this.startsQuery()) {
      const query = this.parseQuery();
      this.expectOp(')');
      return { kind: 'subquery', pos, query };
    }
    const first = this.parseExpression();
    if (!this.isOp(',')) {
      this.expectOp(')');
      return first;
    }
    const fields = [first];
    while (this.acceptOp(',')) fields.push(this.parseExpression());
    this.expectOp(')');
    return { kind: 'row', pos, explicit: false, fields };
  }

  private parseMapConstructor(): Expr {
    const pos = this.here();
    this.index += 2;
    const entries: { key: Expr; value: Expr }[] = [];
    if (!this.isOp(']')) {
      do {
        const key = this.parseExpression();
        this.expectOp(',');
        entries.push({ key, value: this.parseExpression() });
      } while (this.acceptOp(','));
    }
    this.expectOp(']');
    return { kind: 'map', pos, entries };
  }

  private parseCase(): Expr {
    const pos = posOf(this.next());
    const operand = this.isWord('WHEN') ? undefined : this.parseExpression();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptWord('WHEN')) {
      const when = this.parseExpression();
      this.expectWord('THEN');
      whens.push({ when, then: this.parseExpression() });
    }
    if (whens.length === 0) throw this.expected('WHEN');
    const otherwise = this.acceptWord('ELSE') ? this.parseExpression() : undefined;
    this.expectWord('END');
    return { kind: 'case', pos, ...(operand ? { operand } : {}), whens, ...(otherwise ? { else: otherwise } : {}) };
  }

  /** `INTERVAL [-] '5' SECOND`. */
  private parseIntervalLiteral(): Expr {
    const pos = posOf(this.next());
    let negative = false;
    if (this.acceptOp('-')) negative = true;
    else this.acceptOp('+');
    const value = this.stringLiteral("a quoted interval value such as '5'");
    return { kind: 'interval', pos, value, negative, qualifier: this.intervalQualifier() };
  }
}
