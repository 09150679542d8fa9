// Splits SQL input into statements at the `;` that ends each, line by line as a user types or a
// script is read: a `;` inside a string literal, a quoted identifier or a comment ends nothing, and
// a statement may span lines. Each statement keeps the line and column where it starts in the input,
// so that an error inside it can be reported at its place in the script. The `;`s inside
// `EXECUTE STATEMENT SET BEGIN ... END` end its INSERTs, not the statement. Imports the SQL lexer.
import { opensStatementSet } from '../../../api/table/sql/index.ts';

/** A complete statement (without its `;`), and where its first character is in the input. */
export interface BufferedStatement {
  readonly sql: string;
  /** 1-based line and column of the statement's first character in the input. */
  readonly line: number;
  readonly column: number;
}

/** Accumulates input and hands out the statements it completes. */
export class StatementBuffer {
  private text = '';
  /** Offset in `text` where the scan resumes, and its state there. */
  private scanned = 0;
  private state: 'code' | "'" | '"' | '`' | 'line-comment' | 'block-comment' = 'code';
  /** Offset in `text` of the pending statement's first significant character (-1: none yet). */
  private start = -1;
  /** Line and column of `text`'s first character in the whole input. */
  private baseLine = 1;
  private baseColumn = 1;

  /** Adds input (a line with its newline, or a whole script); returns the statements it completed. */
  push(input: string): BufferedStatement[] {
    this.text += input;
    const done: BufferedStatement[] = [];
    let t = this.text;
    let i = this.scanned;
    while (i < t.length) {
      const c = t[i];
      const next = t[i + 1];
      switch (this.state) {
        case 'code':
          if (c === '-' && next === '-') { this.state = 'line-comment'; i += 2; continue; }
          if (c === '/' && next === '*') { this.state = 'block-comment'; i += 2; continue; }
          if (c === ';' && !(this.start >= 0 && opensStatementSet(t.slice(this.start, i)))) {
            if (this.start >= 0) done.push(this.statement(this.start, i));
            this.start = -1;
            this.consume(i + 1);
            t = this.text;
            i = 0;
            continue;
          }
          if (c === "'" || c === '"' || c === '`') this.state = c;
          if (this.start < 0 && !/\s/.test(c)) this.start = i;
          break;
        case "'": case '"': case '`':
          // A doubled quote stays inside the literal; scanning resumes after both.
          if (c === this.state) {
            if (i + 1 >= t.length) { this.scanned = i; return done; }
            if (next === c) { i += 2; continue; }
            this.state = 'code';
          }
          break;
        case 'line-comment':
          if (c === '\n') this.state = 'code';
          break;
        case 'block-comment':
          if (c === '*' && next === '/') { this.state = 'code'; i += 2; continue; }
          break;
      }
      i++;
    }
    this.scanned = i;
    return done;
  }

  private statement(from: number, to: number): BufferedStatement {
    const before = this.text.slice(0, from);
    const lines = before.split('\n');
    const line = this.baseLine + lines.length - 1;
    const column = lines.length === 1 ? this.baseColumn + before.length : lines[lines.length - 1].length + 1;
    return { sql: this.text.slice(from, to).trimEnd(), line, column };
  }

  /** Drops `text` before `offset`, keeping the input position of what remains. */
  private consume(offset: number): void {
    const gone = this.text.slice(0, offset);
    const lines = gone.split('\n');
    if (lines.length > 1) { this.baseLine += lines.length - 1; this.baseColumn = lines[lines.length - 1].length + 1; } else this.baseColumn += gone.length;
    this.text = this.text.slice(offset);
    this.scanned = 0;
  }

  /** Whether a statement has begun and is not yet ended (the REPL shows its continuation prompt). */
  get pending(): boolean { return this.start >= 0 || this.state === 'block-comment'; }

  /** The unfinished statement at the end of the input, if any (a script's last statement may omit `;`). */
  rest(): BufferedStatement | undefined {
    if (this.start < 0) return undefined;
    const s = this.statement(this.start, this.text.length);
    return s.sql === '' ? undefined : s;
  }

  /** Forgets the unfinished statement (Ctrl-C at the prompt). */
  clear(): void {
    this.consume(this.text.length);
    this.state = 'code';
    this.start = -1;
  }
}
