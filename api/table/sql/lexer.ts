// The SQL lexer: turns Flink SQL text into tokens that carry their line, column and offset.
// Words (identifiers and keywords alike; the parser decides which by context, case-insensitively),
// back-quoted identifiers (`` `a``b` `` is a`b), string literals with '' escapes, numbers with
// decimals and exponents, operators; `--` and `/* */` comments are skipped. Query hints
// (`/*+ ... */`) and double-quoted text are rejected with a clear error rather than silently
// dropped or misread. Imports only the error type.
import { SqlParseError, type SourcePos } from './sql-error.ts';

/** What a token is; `word` covers unquoted identifiers and keywords. */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'op' | 'eof';

/** One token: `value` is the identifier, the unescaped string, the number's text or the operator. */
export interface Token extends SourcePos {
  readonly kind: TokenKind;
  readonly value: string;
  /** Upper-cased `value` for words (keyword comparisons); `value` otherwise. */
  readonly upper: string;
  /** Offset just past the token's last character. */
  readonly end: number;
}

/** Operators of two characters, checked before single characters. */
const TWO_CHAR_OPS = new Set(['<>', '<=', '>=', '!=', '||', '=>']);
/** The two-character operators keyed by their character codes, to avoid a slice per operator. */
const OPERATOR_PAIRS: ReadonlyMap<number, string> = new Map([...TWO_CHAR_OPS].map((op) => [op.charCodeAt(0) * 128 + op.charCodeAt(1), op]));
const ONE_CHAR_OPS = new Set(['(', ')', '[', ']', ',', '.', ';', '+', '-', '*', '/', '%', '=', '<', '>', '?']);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c > 127 && /\p{L}/u.test(String.fromCharCode(c)));
const isWordPart = (c: number) => isWordStart(c) || isDigit(c) || c === 36;

function token(kind: TokenKind, value: string, offset: number, end: number, line: number, lineStart: number): Token {
  return { kind, value, upper: kind === 'word' ? value.toUpperCase() : value, offset, end, line, column: offset - lineStart + 1 };
}

function lexError(source: string, reason: string, at: number, line: number, lineStart: number): SqlParseError {
  return new SqlParseError(reason, source, { line, column: at - lineStart + 1, offset: at });
}

/** Splits `source` into tokens, ending with one `eof` token; throws SqlParseError on bad input. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 10) { i++; line++; lineStart = i; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12) { i++; continue; }
    const start = i;
    const startLine = line;
    const startLineStart = lineStart;
    if (c === 45 && source.charCodeAt(i + 1) === 45) { // -- comment to the end of the line
      while (i < n && source.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && source.charCodeAt(i + 1) === 42) { // /* comment */
      if (source.charCodeAt(i + 2) === 43) throw lexError(source, 'query hints (/*+ ... */) are not supported', start, line, lineStart);
      i += 2;
      for (;;) {
        if (i >= n) throw lexError(source, 'unterminated comment: /* without */', start, startLine, startLineStart);
        const d = source.charCodeAt(i);
        if (d === 42 && source.charCodeAt(i + 1) === 47) { i += 2; break; }
        if (d === 10) { line++; lineStart = i + 1; }
        i++;
      }
      continue;
    }
    if (isWordStart(c)) {
      while (i < n && isWordPart(source.charCodeAt(i))) i++;
      tokens.push(token('word', source.slice(start, i), start, i, startLine, startLineStart));
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      while (i < n && isDigit(source.charCodeAt(i))) i++;
      if (source.charCodeAt(i) === 46 && !(source.charCodeAt(i + 1) === 46)) {
        i++;
        while (i < n && isDigit(source.charCodeAt(i))) i++;
      }
      const e = source.charCodeAt(i);
      if (e === 69 || e === 101) {
        let j = i + 1;
        const sign = source.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (!isDigit(source.charCodeAt(j))) throw lexError(source, `malformed number '${source.slice(start, j)}': exponent without digits`, start, line, lineStart);
        i = j;
        while (i < n && isDigit(source.charCodeAt(i))) i++;
      }
      if (i < n && isWordPart(source.charCodeAt(i))) {
        let j = i;
        while (j < n && isWordPart(source.charCodeAt(j))) j++;
        throw lexError(source, `malformed number '${source.slice(start, j)}'`, start, line, lineStart);
      }
      tokens.push(token('number', source.slice(start, i), start, i, startLine, startLineStart));
      continue;
    }
    if (c === 39 || c === 96) { // 'string' or `identifier`, the quote doubled inside
      const quote = source[i];
      let value = '';
      let from = ++i;
      for (;;) {
        if (i >= n) {
          throw lexError(source, c === 39 ? 'unterminated string literal' : 'unterminated back-quoted identifier', start, startLine, startLineStart);
        }
        const d = source.charCodeAt(i);
        if (d === c) {
          if (source.charCodeAt(i + 1) === c) { value += source.slice(from, i + 1); i += 2; from = i; continue; }
          value += source.slice(from, i);
          i++;
          break;
        }
        if (d === 10) { line++; lineStart = i + 1; }
        i++;
      }
      if (c === 96 && value.length === 0) throw lexError(source, 'empty back-quoted identifier', start, startLine, startLineStart);
      tokens.push(token(quote === "'" ? 'string' : 'quoted', value, start, i, startLine, startLineStart));
      continue;
    }
    if (c === 34) {
      throw lexError(source, 'double-quoted text is not Flink SQL: use \'single quotes\' for strings and `back-quotes` for identifiers', start, line, lineStart);
    }
    const two = i + 1 < n ? OPERATOR_PAIRS.get(c * 128 + source.charCodeAt(i + 1)) : undefined;
    if (two !== undefined) { i += 2; tokens.push(token('op', two, start, i, startLine, startLineStart)); continue; }
    const one = source[i];
    if (ONE_CHAR_OPS.has(one)) { i++; tokens.push(token('op', one, start, i, startLine, startLineStart)); continue; }
    throw lexError(source, `unexpected character '${one}'`, start, line, lineStart);
  }
  tokens.push({ kind: 'eof', value: '', upper: '', offset: n, end: n, line, column: n - lineStart + 1 });
  return tokens;
}

/** A token as a user reads it in an error message: "'FROM'", "identifier `x`", "end of input". */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of input';
    case 'word': return `'${t.value}'`;
    case 'quoted': return `identifier \`${t.value}\``;
    case 'string': return `string '${t.value.length > 30 ? t.value.slice(0, 30) + '...' : t.value}'`;
    case 'number': return `number ${t.value}`;
    case 'op': return `'${t.value}'`;
  }
}
