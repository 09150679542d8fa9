// TokenCursor: the bottom layer of the recursive-descent parser. It walks the lexer's tokens with
// lookahead, matches keywords case-insensitively, reads identifiers and compound names, and builds
// SqlParseErrors that point at the offending token ("expected ... but found ..."). It also holds
// the reserved words: words that never read as an identifier or an implicit alias, so that
// `FROM bid WHERE ...` does not take WHERE as bid's alias. The list is smaller than Calcite's on
// purpose: Flink users write `key` and `value` unquoted, and every word not needed to keep the
// grammar unambiguous stays usable as a name.
import { describeToken, tokenize, type Token } from './lexer.ts';
import { SqlParseError, type SourcePos } from './sql-error.ts';

/** Words that cannot be unquoted identifiers or implicit aliases. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'ALL', 'AND', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CROSS', 'DESC', 'DISTINCT', 'ELSE',
  'END', 'ESCAPE', 'EXCEPT', 'EXISTS', 'FALSE', 'FETCH', 'FILTER', 'FOR', 'FROM', 'FULL', 'GROUP',
  'HAVING', 'IN', 'INNER', 'INTERSECT', 'INTERVAL', 'IS', 'JOIN', 'LATERAL', 'LEFT', 'LIKE', 'LIMIT',
  'MATCH_RECOGNIZE', 'MINUS', 'NATURAL', 'NOT', 'NULL', 'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER',
  'OVER', 'PARTITION', 'QUALIFY', 'RIGHT', 'SELECT', 'SIMILAR', 'TABLE', 'TABLESAMPLE', 'THEN', 'TRUE',
  'UNION', 'UNKNOWN', 'UNNEST', 'USING', 'VALUES', 'WHEN', 'WHERE', 'WINDOW', 'WITH',
]);

/** Reserved words that are also ordinary functions when a `(` follows (`LEFT(s, 3)`). */
export const CALLABLE_RESERVED_WORDS: ReadonlySet<string> = new Set(['LEFT', 'RIGHT']);

/** A position object for a token (not the token itself, so that the AST stays small and plain). */
export function posOf(t: Token): SourcePos {
  return { line: t.line, column: t.column, offset: t.offset };
}

/** Token access, keyword matching and error construction shared by every parser layer. */
export class TokenCursor {
  protected readonly tokens: Token[];
  protected index = 0;

  constructor(readonly source: string) {
    this.tokens = tokenize(source);
  }

  /** The token `k` ahead of the current one (the eof token past the end). */
  protected peek(k = 0): Token {
    const i = this.index + k;
    return this.tokens[i < this.tokens.length ? i : this.tokens.length - 1];
  }

  /** Consumes and returns the current token. */
  protected next(): Token {
    const t = this.tokens[this.index];
    if (t.kind !== 'eof') this.index++;
    return t;
  }

  /** Whether the token `k` ahead is the unquoted word `word` (upper-case). */
  protected isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && t.upper === word;
  }

  /** Whether the token `k` ahead is the operator `op`. */
  protected isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'op' && t.value === op;
  }

  /** Consumes the word if it is next. */
  protected acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.index++;
    return true;
  }

  /** Consumes the operator if it is next. */
  protected acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.index++;
    return true;
  }

  /** Consumes the word or fails with "expected WORD but found ...". */
  protected expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.expected(word);
    return this.next();
  }

  /** Consumes the words in order (`NOT ENFORCED`). */
  protected expectWords(...words: string[]): void {
    for (const w of words) this.expectWord(w);
  }

  /** Consumes the operator or fails with "expected 'op' but found ...". */
  protected expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.expected(`'${op}'`);
    return this.next();
  }

  /** Whether the token `k` ahead can be an identifier (a non-reserved word or back-quoted). */
  protected isIdentifier(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'quoted' || (t.kind === 'word' && !RESERVED_WORDS.has(t.upper));
  }

  /** Reads one identifier; `what` names it in the error ("expected a column name ..."). */
  protected identifier(what = 'an identifier'): string {
    if (!this.isIdentifier()) {
      const t = this.peek();
      if (t.kind === 'word') throw this.error(`expected ${what} but found reserved word '${t.value}' (quote it as \`${t.value}\` to use it as a name)`, t);
      throw this.expected(what);
    }
    return this.next().value;
  }

  /** Reads `a.b.c`. */
  protected compoundName(what = 'a name'): string[] {
    const names = [this.identifier(what)];
    while (this.isOp('.') && (this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted')) {
      this.index++;
      names.push(this.next().value);
    }
    return names;
  }

  /** `(a, b, c)`: a parenthesized list of identifiers. */
  protected identifierList(what = 'a column name'): string[] {
    this.expectOp('(');
    const names = [this.identifier(what)];
    while (this.acceptOp(',')) names.push(this.identifier(what));
    this.expectOp(')');
    return names;
  }

  /** Reads a string literal's value. */
  protected stringLiteral(what = 'a string literal'): string {
    if (this.peek().kind !== 'string') throw this.expected(what);
    return this.next().value;
  }

  /** Reads a non-negative integer literal (a precision, a length). */
  protected integerLiteral(what = 'an integer'): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) throw this.expected(what);
    this.index++;
    return Number(t.value);
  }

  /** The position of the current token. */
  protected here(): SourcePos {
    return posOf(this.peek());
  }

  /** An error at token `t` (the current one by default). */
  protected error(reason: string, t: Token = this.peek()): SqlParseError {
    return new SqlParseError(reason, this.source, t);
  }

  /** "expected WHAT but found TOKEN". */
  protected expected(what: string, t: Token = this.peek()): SqlParseError {
    return this.error(`expected ${what} but found ${describeToken(t)}`, t);
  }

  /** "CONSTRUCT is not supported", at token `t`. */
  protected unsupported(construct: string, t: Token = this.peek()): SqlParseError {
    return this.error(`${construct} is not supported`, t);
  }
}
