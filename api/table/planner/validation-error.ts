// SqlValidationError: a statement that parses but cannot be planned: an unknown table, column or
// function, a type mismatch, an unsupported construct, an updating result where only inserts may
// go. It names the line and column of the AST node at fault and shows a caret under it, like the
// parser's errors. Imports the SQL front end's position helpers only.
import { caretExcerpt, type SourcePos } from '../sql/sql-error.ts';

/** A SQL statement that cannot be validated or planned, at `line`/`column` of `source`. */
export class SqlValidationError extends Error {
  override readonly name = 'SqlValidationError';
  readonly line: number;
  readonly column: number;

  constructor(readonly reason: string, source: string, pos: SourcePos) {
    super(`SQL validation error at line ${pos.line}, column ${pos.column}: ${reason}\n${caretExcerpt(source, pos)}`);
    this.line = pos.line;
    this.column = pos.column;
  }
}

/** A planning error with no position (Table API expressions, streams handed in). */
export class TableError extends Error {
  override readonly name = 'TableError';
}
