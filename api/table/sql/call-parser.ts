// CallParser: the parts of expressions that are calls. Function calls with DISTINCT, `*`,
// FILTER (WHERE ...) and OVER windows (PARTITION BY, ORDER BY, ROWS/RANGE frames); the arguments
// only table functions take (`TABLE t [PARTITION BY ...]`, `DESCRIPTOR(...)`, `name => value`);
// and the calls with syntax of their own (CAST, TRY_CAST, EXTRACT, TRIM, SUBSTRING ... FROM,
// POSITION ... IN, FLOOR/CEIL ... TO). Operators and literals are the subclass's (expression-parser.ts).
import type { Expr, FrameBound, FunctionCall, OrderItem, Query, SourcePos, WindowFrame, WindowSpec } from './ast.ts';
import type { Token } from './lexer.ts';
import { PRECEDENCE } from './precedence.ts';
import { posOf } from './token-cursor.ts';
import { TypeParser } from './type-parser.ts';

/** Calls and window specifications; expressions and queries come from the subclasses. */
export abstract class CallParser extends TypeParser {
  /** One full expression. */
  abstract parseExpression(): Expr;
  /** Expressions binding at least as tightly as `minPrec`. */
  protected abstract parseBinary(minPrec: number): Expr;
  /** A whole query (WITH, set operations, ORDER BY/LIMIT), for subqueries. */
  protected abstract parseQuery(): Query;

  /** Whether a query starts `k` tokens ahead (SELECT, WITH or VALUES). */
  protected startsQuery(k = 0): boolean {
    return this.isWord('SELECT', k) || this.isWord('WITH', k) || this.isWord('VALUES', k);
  }

  /** Comma-separated expressions (at least one). */
  protected expressionList(): Expr[] {
    const list = [this.parseExpression()];
    while (this.acceptOp(',')) list.push(this.parseExpression());
    return list;
  }

  /** CAST, TRY_CAST, EXTRACT, TRIM, SUBSTRING, POSITION, FLOOR/CEIL: syntax beyond `f(a, b)`. */
  protected parseSpecialCall(t: Token): Expr | undefined {
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
