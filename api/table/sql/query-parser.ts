// QueryParser: queries on top of expressions. WITH, set operations (INTERSECT binds tighter than
// UNION and EXCEPT), SELECT with its clauses, VALUES, and FROM: tables with aliases and
// FOR SYSTEM_TIME AS OF, subqueries (the alias may be left out, as Flink allows), joins (comma
// and JOIN left-associative at one level, as in Calcite), TABLE(fn(...)) for window TVFs and
// table functions, LATERAL, UNNEST. ORDER BY / LIMIT / OFFSET / FETCH attach to the SELECT or
// set operation they follow.
import type {
  Alias, Expr, FromItem, GroupItem, JoinItem, NamedWindow, OrderLimit, Query, SelectItem, SelectQuery,
} from './ast.ts';
import { ExpressionParser } from './expression-parser.ts';
import { SqlParseError } from './sql-error.ts';
import { posOf } from './token-cursor.ts';

/** Queries; the statement parser builds on it. */
export class QueryParser extends ExpressionParser {
  /** A whole query: `[WITH ...] body [ORDER BY ...] [LIMIT ...]`. */
  parseQuery(): Query {
    if (this.isWord('WITH')) {
      const pos = posOf(this.next());
      if (this.isWord('RECURSIVE')) throw this.unsupported('WITH RECURSIVE');
      const ctes = [];
      do {
        const ctePos = this.here();
        const name = this.identifier('a query name');
        const columns = this.isOp('(') ? this.identifierList() : undefined;
        this.expectWord('AS');
        this.expectOp('(');
        const query = this.parseQuery();
        this.expectOp(')');
        ctes.push({ pos: ctePos, name, ...(columns ? { columns } : {}), query });
      } while (this.acceptOp(','));
      return { kind: 'with', pos, ctes, body: this.parseQuery() };
    }
    const body = this.parseUnionLevel();
    return this.parseOrderLimit(body);
  }

  private parseUnionLevel(): Query {
    let left = this.parseIntersectLevel();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'word' || (t.upper !== 'UNION' && t.upper !== 'EXCEPT' && t.upper !== 'MINUS')) return left;
      if (t.upper === 'MINUS') throw this.unsupported('MINUS (write EXCEPT)');
      this.index++;
      const all = this.acceptWord('ALL');
      if (!all) this.acceptWord('DISTINCT');
      const right = this.parseIntersectLevel();
      left = { kind: 'setOp', pos: left.pos, op: t.upper, all, left, right, orderBy: [] };
    }
  }

  private parseIntersectLevel(): Query {
    let left = this.parseQueryPrimary();
    while (this.isWord('INTERSECT')) {
      this.index++;
      const all = this.acceptWord('ALL');
      if (!all) this.acceptWord('DISTINCT');
      const right = this.parseQueryPrimary();
      left = { kind: 'setOp', pos: left.pos, op: 'INTERSECT', all, left, right, orderBy: [] };
    }
    return left;
  }

  private parseQueryPrimary(): Query {
    if (this.isWord('SELECT')) return this.parseSelect();
    if (this.isWord('VALUES')) return this.parseValues();
    if (this.isOp('(')) {
      this.index++;
      const q = this.parseQuery();
      this.expectOp(')');
      return q;
    }
    if (this.isWord('WITH')) throw this.error('WITH must start the query (or be in parentheses)');
    throw this.expected('SELECT, VALUES or WITH');
  }

  /** ORDER BY, LIMIT, OFFSET, FETCH after a query body. */
  private parseOrderLimit(body: Query): Query {
    const start = this.peek();
    let orderBy: OrderLimit['orderBy'] = [];
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      orderBy = this.orderItems();
    }
    if (this.acceptWord('LIMIT')) {
      limit = this.parseExpression();
      if (this.acceptWord('OFFSET')) offset = this.parseExpression();
    } else {
      if (this.acceptWord('OFFSET')) {
        offset = this.parseExpression();
        if (!this.acceptWord('ROWS')) this.acceptWord('ROW');
      }
      if (this.acceptWord('FETCH')) {
        if (!this.acceptWord('FIRST')) this.expectWord('NEXT');
        limit = this.parseExpression();
        if (!this.acceptWord('ROWS')) this.expectWord('ROW');
        this.expectWord('ONLY');
      }
    }
    if (orderBy.length === 0 && limit === undefined && offset === undefined) return body;
    if ((body.kind !== 'select' && body.kind !== 'setOp') || body.orderBy.length > 0 || body.limit || body.offset) {
      throw this.unsupported(body.kind === 'values' ? 'ORDER BY/LIMIT on VALUES' : 'a second ORDER BY/LIMIT on an ordered query', start);
    }
    return { ...body, orderBy, ...(limit ? { limit } : {}), ...(offset ? { offset } : {}) };
  }

  private parseValues(): Query {
    const pos = posOf(this.next());
    const rows: Expr[][] = [];
    do {
      if (this.isOp('(') || (this.isWord('ROW') && this.isOp('(', 1))) {
        if (this.isWord('ROW')) this.index++;
        this.index++;
        const row = this.expressionList();
        this.expectOp(')');
        rows.push(row);
      } else {
        rows.push([this.parseExpression()]);
      }
    } while (this.acceptOp(','));
    return { kind: 'values', pos, rows };
  }

  private parseSelect(): SelectQuery {
    const pos = posOf(this.next());
    const distinct = this.acceptWord('DISTINCT');
    if (!distinct) this.acceptWord('ALL');
    const items = [this.parseSelectItem()];
    while (this.acceptOp(',')) items.push(this.parseSelectItem());
    const from = this.acceptWord('FROM') ? this.parseFrom() : undefined;
    const where = this.acceptWord('WHERE') ? this.parseExpression() : undefined;
    let groupBy: GroupItem[] = [];
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      groupBy = [this.parseGroupItem()];
      while (this.acceptOp(',')) groupBy.push(this.parseGroupItem());
    }
    const having = this.acceptWord('HAVING') ? this.parseExpression() : undefined;
    const windows: NamedWindow[] = [];
    if (this.acceptWord('WINDOW')) {
      do {
        const wPos = this.here();
        const name = this.identifier('a window name');
        this.expectWord('AS');
        this.expectOp('(');
        windows.push({ pos: wPos, name, spec: this.parseWindowSpec() });
        this.expectOp(')');
      } while (this.acceptOp(','));
    }
    if (this.isWord('QUALIFY')) throw this.unsupported('QUALIFY');
    return {
      kind: 'select', pos, distinct, items,
      ...(from ? { from } : {}), ...(where ? { where } : {}), groupBy, ...(having ? { having } : {}), windows, orderBy: [],
    };
  }

  private parseSelectItem(): SelectItem {
    const pos = this.here();
    if (this.acceptOp('*')) return { kind: 'star', pos };
    // `a.b.*`: look ahead over the dotted name before committing to an expression.
    let k = 0;
    while ((this.peek(k).kind === 'word' || this.peek(k).kind === 'quoted') && this.isOp('.', k + 1)) {
      if (this.isOp('*', k + 2)) {
        const qualifier = this.compoundName('a table name');
        this.index += 2;
        return { kind: 'star', pos, qualifier };
      }
      k += 2;
    }
    const expr = this.parseExpression();
    const alias = this.parseColumnAlias();
    return alias === undefined ? { kind: 'expr', pos, expr } : { kind: 'expr', pos, expr, alias };
  }

  /** `AS name`, or a bare non-reserved name. */
  private parseColumnAlias(): string | undefined {
    if (this.acceptWord('AS')) return this.identifier('an alias');
    return this.isIdentifier() ? this.next().value : undefined;
  }

  private parseGroupItem(): GroupItem {
    const pos = this.here();
    const t = this.peek();
    if (t.kind === 'word' && (t.upper === 'ROLLUP' || t.upper === 'CUBE') && this.isOp('(', 1)) {
      this.index += 2;
      const sets = this.groupingSetList();
      this.expectOp(')');
      return { kind: t.upper === 'ROLLUP' ? 'rollup' : 'cube', pos, sets };
    }
    if (this.isWord('GROUPING') && this.isWord('SETS', 1)) {
      this.index += 2;
      this.expectOp('(');
      const sets = this.groupingSetList();
      this.expectOp(')');
      return { kind: 'groupingSets', pos, sets };
    }
    if (this.isOp('(') && this.isOp(')', 1)) {
      this.index += 2;
      return { kind: 'groupingSets', pos, sets: [[]] };
    }
    return { kind: 'expr', pos, expr: this.parseExpression() };
  }

  /** `a, (b, c), ()`: the sets of GROUPING SETS, ROLLUP and CUBE. */
  private groupingSetList(): Expr[][] {
    const sets: Expr[][] = [];
    do {
      if (this.isWord('ROLLUP') || this.isWord('CUBE') || (this.isWord('GROUPING') && this.isWord('SETS', 1))) {
        throw this.unsupported('a nested ROLLUP, CUBE or GROUPING SETS');
      }
      if (this.acceptOp('(')) {
        sets.push(this.isOp(')') ? [] : this.expressionList());
        this.expectOp(')');
      } else {
        sets.push([this.parseExpression()]);
      }
    } while (this.acceptOp(','));
    return sets;
  }

  /** FROM items joined left to right. */
  private parseFrom(): FromItem {
    let left = this.parseTableSource();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.value === ',') {
        this.index++;
        left = { kind: 'join', pos: left.pos, joinType: 'COMMA', left, right: this.parseTableSource() };
        continue;
      }
      if (t.kind !== 'word') return left;
      let joinType: JoinItem['joinType'];
      switch (t.upper) {
        case 'JOIN': joinType = 'INNER'; break;
        case 'INNER': this.index++; joinType = 'INNER'; break;
        case 'LEFT': case 'RIGHT': case 'FULL':
          this.index++;
          this.acceptWord('OUTER');
          joinType = t.upper;
          break;
        case 'CROSS':
          if (this.isWord('APPLY', 1)) throw this.unsupported('CROSS APPLY');
          this.index++;
          joinType = 'CROSS';
          break;
        case 'NATURAL': throw this.unsupported('NATURAL JOIN');
        default: return left;
      }
      this.expectWord('JOIN');
      const right = this.parseTableSource();
      let on: Expr | undefined;
      let using: string[] | undefined;
      if (joinType !== 'CROSS') {
        if (this.acceptWord('ON')) on = this.parseExpression();
        else if (this.acceptWord('USING')) using = this.identifierList();
        else throw this.expected(`ON or USING: a ${joinType} JOIN needs a condition`);
      }
      left = { kind: 'join', pos: left.pos, joinType, left, right, ...(on ? { on } : {}), ...(using ? { using } : {}) };
    }
  }

  private parseTableSource(): FromItem {
    const t = this.peek();
    const pos = posOf(t);
    if (t.kind === 'word') {
      if (t.upper === 'LATERAL') {
        this.index++;
        if (this.isWord('TABLE')) return this.parseTableFunction(true);
        if (!this.isOp('(')) throw this.expected('TABLE(...) or a subquery after LATERAL');
        this.index++;
        const query = this.parseQuery();
        this.expectOp(')');
        return this.withAlias({ kind: 'derived', pos, lateral: true, query });
      }
      if (t.upper === 'TABLE') return this.parseTableFunction(false);
      if (t.upper === 'UNNEST') {
        this.index++;
        this.expectOp('(');
        const args = this.expressionList();
        this.expectOp(')');
        const withOrdinality = this.isWord('WITH') && this.isWord('ORDINALITY', 1);
        if (withOrdinality) this.index += 2;
        return this.withAlias({ kind: 'unnest', pos, args, withOrdinality });
      }
    }
    if (t.kind === 'op' && t.value === '(') return this.parseParenthesizedSource();
    const name = this.compoundName('a table name');
    let systemTime: Expr | undefined;
    if (this.isWord('FOR')) {
      this.index++;
      this.expectWord('SYSTEM_TIME');
      this.expectWords('AS', 'OF');
      systemTime = this.parseExpression();
    }
    if (this.isWord('MATCH_RECOGNIZE')) throw this.unsupported('MATCH_RECOGNIZE');
    if (this.isWord('TABLESAMPLE')) throw this.unsupported('TABLESAMPLE');
    return this.withAlias({ kind: 'table', pos, name, ...(systemTime ? { systemTime } : {}) });
  }

  /** `TABLE(fn(...))`, the current token being TABLE. */
  private parseTableFunction(lateral: boolean): FromItem {
    const pos = posOf(this.next());
    this.expectOp('(');
    const nameToken = this.peek();
    if (!(nameToken.kind === 'word' || nameToken.kind === 'quoted') || !this.isOp('(', 1)) throw this.expected('a table function call');
    this.index++;
    const call = this.parseCall(nameToken.value, posOf(nameToken));
    this.expectOp(')');
    return this.withAlias({ kind: 'tableFunction', pos, lateral, call });
  }

  /** `(query) alias` or a parenthesized join `(a JOIN b ON ...)`. */
  private parseParenthesizedSource(): FromItem {
    const pos = this.here();
    const mark = this.index;
    const readQuery = (): FromItem => {
      this.index++;
      const query = this.parseQuery();
      this.expectOp(')');
      return this.withAlias({ kind: 'derived', pos, lateral: false, query });
    };
    const readJoin = (): FromItem => {
      this.index++;
      const inner = this.parseFrom();
      this.expectOp(')');
      return inner;
    };
    if (this.startsQuery(1)) return readQuery();
    if (!this.isOp('(', 1)) return readJoin();
    // `((SELECT ...) UNION ...)` and `((a JOIN b ON ...))` start alike: try the query first, then
    // the join; if both fail, the error that got further into the text is the one to report.
    try {
      return readQuery();
    } catch (queryError) {
      if (!(queryError instanceof SqlParseError)) throw queryError;
      this.index = mark;
      try {
        return readJoin();
      } catch (joinError) {
        if (!(joinError instanceof SqlParseError)) throw joinError;
        throw joinError.offset > queryError.offset ? joinError : queryError;
      }
    }
  }

  /** Adds `[AS] alias [(cols)]` to a FROM item when present. */
  private withAlias<T extends FromItem>(item: T): T {
    let name: string | undefined;
    if (this.acceptWord('AS')) name = this.identifier('an alias');
    else if (this.isIdentifier()) name = this.next().value;
    if (name === undefined) return item;
    const alias: Alias = this.isOp('(') ? { name, columns: this.identifierList() } : { name };
    return { ...item, alias };
  }
}
