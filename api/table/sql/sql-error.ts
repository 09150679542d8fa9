// SqlParseError: every lexing and parsing failure of the SQL front end, with the 1-based line and
// column of the offending token and a caret excerpt of its line in the message, so that a user of
// the SQL client or of executeSql sees where the statement went wrong. Imports nothing.

/** A place in the SQL text: 1-based line and column (UTF-16 code units), 0-based offset. */
export interface SourcePos {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/** The widest excerpt of a line shown under the message; longer lines are cut around the caret. */
const EXCERPT_WIDTH = 100;

/** A SQL text that does not lex or parse: `reason` says what, `line`/`column` say where. */
export class SqlParseError extends Error {
  override readonly name = 'SqlParseError';
  readonly line: number;
  readonly column: number;
  readonly offset: number;

  constructor(readonly reason: string, readonly source: string, pos: SourcePos) {
    super(`SQL parse error at line ${pos.line}, column ${pos.column}: ${reason}\n${caretExcerpt(source, pos)}`);
    this.line = pos.line;
    this.column = pos.column;
    this.offset = pos.offset;
  }
}

/** The position of `offset` in `source` (for errors raised away from a token). */
export function positionAt(source: string, offset: number): SourcePos {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: offset - lineStart + 1, offset };
}

/** Two lines: the source line holding `pos` (cut to a window around it), and a caret under it. */
export function caretExcerpt(source: string, pos: SourcePos): string {
  const lineStart = pos.offset - (pos.column - 1);
  let lineEnd = source.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  let text = source.slice(lineStart, lineEnd).replace(/\r$/, '');
  let caretAt = pos.column - 1;
  if (text.length > EXCERPT_WIDTH) {
    const from = Math.max(0, Math.min(caretAt - EXCERPT_WIDTH / 2, text.length - EXCERPT_WIDTH));
    text = (from > 0 ? '...' : '') + text.slice(from, from + EXCERPT_WIDTH) + (from + EXCERPT_WIDTH < text.length ? '...' : '');
    caretAt = caretAt - from + (from > 0 ? 3 : 0);
  }
  // Tabs stay tabs under the caret so that it lines up on any tab width.
  const pad = text.slice(0, caretAt).replace(/[^\t]/g, ' ');
  return `  ${text}\n  ${pad}^`;
}
