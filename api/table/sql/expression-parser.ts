// ExpressionParser: scalar expressions by precedence climbing, with Calcite's binding strengths
// (OR 22 < AND 24 < NOT 26 < IS 28 < comparison 30 < LIKE/BETWEEN/IN 32 < + - 40 < * / % || 60
// < unary minus 80 < . and [] 100), so that `a = b IS NULL` and `NOT a = b` group as in Flink.
// The special call forms (CAST, EXTRACT, TRIM, SUBSTRING ... FROM, POSITION ... IN, FLOOR ... TO),
// literals (typed, INTERVAL), constructors, CASE, subqueries, aggregate FILTER and OVER windows
// live here; window TVF arguments (`TABLE t`, `DESCRIPTOR(x)`, `name => value`) are read only
// inside a call's argument list. Queries are left to the subclass (parseQuery).
import type {
  Expr, FrameBound, FunctionCall, OrderItem, Query, SourcePos, WindowFrame, WindowSpec,
} from './ast.ts';
import type { Token } from './lexer.ts';
import { CALLABLE_RESERVED_WORDS, posOf, RESERVED_WORDS } from './token-cursor.ts';
import { TypeParser } from './type-parser.ts';

/** Binding strengths (Calcite's), used by the parser and by the SQL printer. */
export const PRECEDENCE = {
  OR: 22, AND: 24, NOT: 26, IS: 28, COMPARISON: 30, LIKE: 32, ADDITIVE: 40, MULTIPLICATIVE: 60, UNARY: 80, POSTFIX: 100,
} as const;

const COMPARISON_OPS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

/** Niladic functions written without parentheses. */
const NO_PAREN_FUNCTIONS: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP']);

/** Expressions on top of data types; the subclass supplies queries (subqueries, IN, EXISTS). */
export abstract class ExpressionParser extends TypeParser {
  /** A whole query (WITH, set operations, ORDER BY/LIMIT), for subqueries. */
  protected abstract parseQuery(): Query;

  /** Whether a query starts `k` tokens ahead (SELECT, WITH or VALUES). */
  protected startsQuery(k = 0): boolean {
    return this.isWord('SELECT', k) || this.isWord('WITH', k) || this.isWord('VALUES', k);
  }

  /** One full expression. */
  parseExpression(): Expr {
    return this.parseBinary(0);
  }

  /** Expressions binding at least as tightly as `minPrec`. */
  protected parseBinary(minPrec: number): Expr {
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

  /** Comma-separated expressions (at least one). */
  protected expressionList(): Expr[] {
    const list = [this.parseExpression()];
    while (this.acceptOp(',')) list.push(this.parseExpression());
    return list;
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

  /** CAST, TRY_CAST, EXTRACT, TRIM, SUBSTRING, POSITION, FLOOR/CEIL: syntax beyond `f(a, b)`. */
  private parseSpecialCall(t: Token): Expr | undefined {
    const pos = posOf(t);
    const call = (name: string, args: Expr[]): FunctionCall => ({ kind: 'call', pos, name, args, distinct: false, star: false, noParens: false });
    switch (t.upper) {
      case 'CAST': case 'TRY_CAST': {
        this.index += 2;
        const operand = this.parseExpression();
        this.expectWord('AS');
        const type = this.parseDataType();
        this.expectOp(')');
        return { kind: 'cast', pos, safe: t.upper === 'TRY_CAST', operand, type };
      }
      case 'EXTRACT': {
        this.index += 2;
        const unit = this.timeUnit();
        this.expectWord('FROM');
        const operand = this.parseExpression();
        this.expectOp(')');
        return { kind: 'extract', pos, unit, operand };
      }
      case 'FLOOR': case 'CEIL': case 'CEILING': {
        this.index += 2;
        const operand = this.parseExpression();
        if (this.acceptWord('TO')) {
          const unit = this.timeUnit();
          this.expectOp(')');
          return { kind: 'floorCeil', pos, fn: t.upper === 'FLOOR' ? 'FLOOR' : 'CEIL', operand, unit };
        }
        const args = [operand];
        while (this.acceptOp(',')) args.push(this.parseExpression());
        this.expectOp(')');
        return call(t.value, args);
      }
      case 'TRIM': {
        this.index += 2;
        let side: 'BOTH' | 'LEADING' | 'TRAILING' = 'BOTH';
        const sideToken = this.peek();
        const explicitSide = sideToken.kind === 'word' && (sideToken.upper === 'BOTH' || sideToken.upper === 'LEADING' || sideToken.upper === 'TRAILING');
        if (explicitSide) { side = sideToken.upper as typeof side; this.index++; }
        let chars: Expr | undefined;
        let operand: Expr;
        if (this.acceptWord('FROM')) {
          operand = this.parseExpression();
        } else {
          const first = this.parseExpression();
          if (this.acceptWord('FROM')) { chars = first; operand = this.parseExpression(); }
          else if (explicitSide) throw this.expected('FROM');
          else operand = first;
        }
        this.expectOp(')');
        return chars ? { kind: 'trim', pos, side, chars, operand } : { kind: 'trim', pos, side, operand };
      }
      case 'SUBSTRING': {
        this.index += 2;
        const args = [this.parseExpression()];
        if (this.acceptWord('FROM')) {
          args.push(this.parseExpression());
          if (this.acceptWord('FOR')) args.push(this.parseExpression());
        } else {
          while (this.acceptOp(',')) args.push(this.parseExpression());
        }
        this.expectOp(')');
        return call(t.value, args);
      }
      case 'POSITION': {
        this.index += 2;
        const needle = this.parseBinary(PRECEDENCE.LIKE + 1);
        this.expectWord('IN');
        const haystack = this.parseExpression();
        this.expectOp(')');
        return call(t.value, [needle, haystack]);
      }
      default:
        return undefined;
    }
  }

  /** `name(args) [FILTER (WHERE cond)] [OVER window]`, at the `(`. */
  protected parseCall(name: string, pos: SourcePos): FunctionCall {
    this.expectOp('(');
    let distinct = false;
    let star = false;
    const args: Expr[] = [];
    if (this.isOp('*')) {
      this.index++;
      star = true;
    } else if (!this.isOp(')')) {
      if (this.acceptWord('DISTINCT')) distinct = true;
      else this.acceptWord('ALL');
      do args.push(this.parseArgument()); while (this.acceptOp(','));
    }
    this.expectOp(')');
    if (this.isWord('WITHIN') && this.isWord('GROUP', 1)) throw this.unsupported('WITHIN GROUP');
    let filter: Expr | undefined;
    if (this.isWord('FILTER')) {
      this.index++;
      this.expectOp('(');
      this.expectWord('WHERE');
      filter = this.parseExpression();
      this.expectOp(')');
    }
    let over: WindowSpec | undefined;
    if (this.isWord('OVER')) {
      this.index++;
      if (this.isOp('(')) {
        this.index++;
        over = this.parseWindowSpec();
        this.expectOp(')');
      } else {
        const refPos = this.here();
        over = { pos: refPos, ref: this.identifier('a window name or ('), partitionBy: [], orderBy: [] };
      }
    }
    return {
      kind: 'call', pos, name, args, distinct, star, noParens: false,
      ...(filter ? { filter } : {}), ...(over ? { over } : {}),
    };
  }

  /** A call argument: an expression, `name => value`, `TABLE t [PARTITION BY ...]`. */
  private parseArgument(): Expr {
    const t = this.peek();
    if ((t.kind === 'word' || t.kind === 'quoted') && this.isOp('=>', 1)) {
      this.index += 2;
      return { kind: 'namedArg', pos: posOf(t), name: t.value, value: this.parseArgumentValue() };
    }
    return this.parseArgumentValue();
  }

  private parseArgumentValue(): Expr {
    const t = this.peek();
    if (!(t.kind === 'word' && t.upper === 'TABLE' && (this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted'))) {
      return this.parseExpression();
    }
    this.index++;
    const table = this.compoundName('a table name');
    let partitionBy: Expr[] = [];
    if (this.isWord('PARTITION')) {
      this.index++;
      this.expectWord('BY');
      const columnRef = (): Expr => {
        const p = this.here();
        return { kind: 'column', pos: p, names: this.compoundName('a column name') };
      };
      if (this.acceptOp('(')) {
        partitionBy = [columnRef()];
        while (this.acceptOp(',')) partitionBy.push(columnRef());
        this.expectOp(')');
      } else {
        partitionBy = [columnRef()];
      }
    }
    if (this.isWord('ORDER')) throw this.unsupported('ORDER BY on a table argument');
    return { kind: 'tableArg', pos: posOf(t), table, partitionBy };
  }

  /** The inside of `OVER (...)` or of `WINDOW w AS (...)`. */
  protected parseWindowSpec(): WindowSpec {
    const pos = this.here();
    let ref: string | undefined;
    if (this.isIdentifier() && !this.isWord('ROWS') && !this.isWord('RANGE')) ref = this.identifier();
    let partitionBy: Expr[] = [];
    if (this.acceptWord('PARTITION')) {
      this.expectWord('BY');
      partitionBy = this.expressionList();
    }
    const orderBy = this.acceptWord('ORDER') ? (this.expectWord('BY'), this.orderItems()) : [];
    let frame: WindowFrame | undefined;
    const unitToken = this.peek();
    if (unitToken.kind === 'word' && (unitToken.upper === 'ROWS' || unitToken.upper === 'RANGE')) {
      this.index++;
      const unit = unitToken.upper;
      if (this.acceptWord('BETWEEN')) {
        const start = this.frameBound();
        this.expectWord('AND');
        frame = { pos: posOf(unitToken), unit, start, end: this.frameBound() };
      } else {
        const start = this.frameBound();
        frame = { pos: posOf(unitToken), unit, start, end: { pos: start.pos, bound: 'CURRENT ROW' } };
      }
    }
    return { pos, ...(ref !== undefined ? { ref } : {}), partitionBy, orderBy, ...(frame ? { frame } : {}) };
  }

  private frameBound(): FrameBound {
    const pos = this.here();
    if (this.acceptWord('UNBOUNDED')) {
      if (this.acceptWord('PRECEDING')) return { pos, bound: 'UNBOUNDED PRECEDING' };
      this.expectWord('FOLLOWING');
      return { pos, bound: 'UNBOUNDED FOLLOWING' };
    }
    if (this.isWord('CURRENT') && this.isWord('ROW', 1)) {
      this.index += 2;
      return { pos, bound: 'CURRENT ROW' };
    }
    const offset = this.parseBinary(PRECEDENCE.LIKE + 1);
    if (this.acceptWord('PRECEDING')) return { pos, bound: 'PRECEDING', offset };
    if (this.acceptWord('FOLLOWING')) return { pos, bound: 'FOLLOWING', offset };
    throw this.expected('PRECEDING or FOLLOWING');
  }

  /** `expr [ASC | DESC] [NULLS FIRST | LAST], ...`. */
  protected orderItems(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const expr = this.parseExpression();
      let direction: 'ASC' | 'DESC' | undefined;
      if (this.acceptWord('ASC')) direction = 'ASC';
      else if (this.acceptWord('DESC')) direction = 'DESC';
      let nulls: 'FIRST' | 'LAST' | undefined;
      if (this.acceptWord('NULLS')) {
        if (this.acceptWord('FIRST')) nulls = 'FIRST';
        else { this.expectWord('LAST'); nulls = 'LAST'; }
      }
      items.push({ pos: expr.pos, expr, ...(direction ? { direction } : {}), ...(nulls ? { nulls } : {}) });
    } while (this.acceptOp(','));
    return items;
  }
}
