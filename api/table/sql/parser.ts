// The Flink SQL parser: statements and scripts, on top of the query, expression and type layers
// (query-parser.ts, expression-parser.ts, type-parser.ts, token-cursor.ts, lexer.ts).
//
// Why hand-written: no SQL parser on npm covers Flink's dialect whole. The measurements (the
// project's dependency research) found every candidate failing part of the corpus: window TVFs
// with `TABLE t PARTITION BY` and named arguments (`DATA => TABLE t`), `WATERMARK FOR` and
// `WITH ('k' = 'v')` DDL, `FILTER (WHERE ...)`, `EXTRACT/FLOOR ... TO/TRIM ... FROM`, SESSION
// windows. The one that parses Flink DDL (dt-sql-parser's ANTLR grammar) gives a parse tree without
// exact positions, takes 0.5-1.3 s for a first parse and needs a bundle to load in plain Node; the
// broadest (polyglot-sql) is 20 MB of wasm with positions on identifiers only. A recursive-descent
// parser with precedence climbing is a few hundred lines per layer, parses a Nexmark query in tens
// of microseconds, gives every node and every error its line and column, and says plainly when a
// construct is not supported.
import type {
  ColumnDef, CreateFunction, CreateTable, CreateView, DataType, DropStatement, Expr, ExplainStatement,
  InsertStatement, Query, ShowStatement, SourcePos, Statement, StatementSetStatement, TableOption,
} from './ast.ts';
import { isQuery } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { QueryParser } from './query-parser.ts';
import { posOf } from './token-cursor.ts';

const SHOW_OBJECTS: ReadonlySet<string> = new Set(['TABLES', 'VIEWS', 'FUNCTIONS', 'CATALOGS', 'DATABASES', 'JOBS']);
/** Statement keywords of Flink SQL that actorflow does not run; named in the error. */
const UNSUPPORTED_STATEMENTS: ReadonlySet<string> = new Set([
  'ALTER', 'USE', 'UPDATE', 'DELETE', 'ANALYZE', 'LOAD', 'UNLOAD', 'EXECUTE', 'BEGIN', 'END', 'TRUNCATE', 'CALL', 'ADD', 'REMOVE', 'STOP',
]);

/** Statements; the public functions below drive it. */
class StatementParser extends QueryParser {
  /** One statement at the current token. */
  parseStatement(): Statement {
    const t = this.peek();
    if (this.startsQuery() || this.isOp('(')) return this.parseQuery();
    if (t.kind !== 'word') throw this.expected('a statement');
    switch (t.upper) {
      case 'CREATE': return this.parseCreate();
      case 'DROP': return this.parseDrop();
      case 'INSERT': return this.parseInsert();
      case 'EXECUTE':
        if (this.isWord('STATEMENT', 1)) return this.parseStatementSet();
        throw this.unsupported('the EXECUTE statement (other than EXECUTE STATEMENT SET)');
      case 'EXPLAIN': return this.parseExplain();
      case 'SET': return this.parseSet();
      case 'RESET': {
        this.index++;
        const key = this.peek().kind === 'string' ? this.next().value : undefined;
        return key === undefined ? { kind: 'reset', pos: posOf(t) } : { kind: 'reset', pos: posOf(t), key };
      }
      case 'SHOW': {
        this.index++;
        const what = this.peek();
        if (what.kind !== 'word' || !SHOW_OBJECTS.has(what.upper)) throw this.expected('TABLES, VIEWS, FUNCTIONS, CATALOGS, DATABASES or JOBS after SHOW');
        this.index++;
        return { kind: 'show', pos: posOf(t), object: what.upper as ShowStatement['object'] };
      }
      case 'DESCRIBE': case 'DESC': {
        this.index++;
        const extended = this.acceptWord('EXTENDED');
        return { kind: 'describe', pos: posOf(t), name: this.compoundName('a table name'), extended };
      }
      default:
        if (UNSUPPORTED_STATEMENTS.has(t.upper)) throw this.unsupported(`the ${t.upper} statement`);
        throw this.expected('a statement (SELECT, INSERT, CREATE, DROP, EXPLAIN, SET, RESET, SHOW or DESCRIBE)');
    }
  }

  private parseCreate(): Statement {
    const pos = posOf(this.next());
    if (this.isWord('OR') && this.isWord('REPLACE', 1)) throw this.unsupported('CREATE OR REPLACE');
    const temporary = this.acceptWord('TEMPORARY');
    const system = temporary && this.acceptWord('SYSTEM');
    const what = this.peek();
    if (what.kind === 'word' && what.upper === 'TABLE' && !system) return this.parseCreateTable(pos, temporary);
    if (what.kind === 'word' && what.upper === 'VIEW' && !system) return this.parseCreateView(pos, temporary);
    if (what.kind === 'word' && what.upper === 'FUNCTION') return this.parseCreateFunction(pos, temporary, system);
    if (what.kind === 'word' && (what.upper === 'CATALOG' || what.upper === 'DATABASE' || what.upper === 'MODEL')) {
      throw this.unsupported(`CREATE ${what.upper}`);
    }
    throw this.expected(system ? 'FUNCTION after CREATE TEMPORARY SYSTEM' : 'TABLE, VIEW or FUNCTION after CREATE');
  }

  private ifNotExists(): boolean {
    if (!this.isWord('IF')) return false;
    this.index++;
    this.expectWords('NOT', 'EXISTS');
    return true;
  }

  private parseCreateTable(pos: SourcePos, temporary: boolean): CreateTable {
    this.index++;
    const ifNotExists = this.ifNotExists();
    const name = this.compoundName('a table name');
    if (this.isWord('AS')) throw this.unsupported('CREATE TABLE ... AS SELECT');
    this.expectOp('(');
    const columns: ColumnDef[] = [];
    let watermark: CreateTable['watermark'];
    let primaryKey: CreateTable['primaryKey'];
    do {
      const t = this.peek();
      if (t.kind === 'word' && t.upper === 'WATERMARK') {
        if (watermark) throw this.error('a table has at most one WATERMARK', t);
        this.index++;
        this.expectWord('FOR');
        const column = this.compoundName('the rowtime column');
        this.expectWord('AS');
        watermark = { pos: posOf(t), column, expr: this.parseExpression() };
      } else if (t.kind === 'word' && (t.upper === 'PRIMARY' || t.upper === 'CONSTRAINT')) {
        if (primaryKey) throw this.error('a table has at most one PRIMARY KEY', t);
        this.index++;
        const constraintName = t.upper === 'CONSTRAINT' ? this.identifier('a constraint name') : undefined;
        if (t.upper === 'CONSTRAINT') this.expectWord('PRIMARY');
        this.expectWord('KEY');
        const keyColumns = this.identifierList();
        this.notEnforced();
        primaryKey = { pos: posOf(t), ...(constraintName ? { name: constraintName } : {}), columns: keyColumns };
      } else {
        const column = this.parseColumn();
        if (this.isWord('PRIMARY')) {
          const pk = this.next();
          if (primaryKey) throw this.error('a table has at most one PRIMARY KEY', pk);
          this.expectWord('KEY');
          this.notEnforced();
          primaryKey = { pos: posOf(pk), columns: [column.name] };
        }
        columns.push(this.columnComment(column));
      }
    } while (this.acceptOp(','));
    this.expectOp(')');
    const comment = this.acceptWord('COMMENT') ? this.stringLiteral() : undefined;
    let partitionedBy: string[] = [];
    if (this.acceptWord('PARTITIONED')) {
      this.expectWord('BY');
      partitionedBy = this.identifierList();
    }
    if (this.isWord('DISTRIBUTED')) throw this.unsupported('DISTRIBUTED BY');
    const options = this.acceptWord('WITH') ? this.parseOptions() : [];
    if (this.isWord('LIKE')) throw this.unsupported('CREATE TABLE ... LIKE');
    if (this.isWord('AS')) throw this.unsupported('CREATE TABLE ... AS SELECT');
    return {
      kind: 'createTable', pos, name, temporary, ifNotExists, columns,
      ...(watermark ? { watermark } : {}), ...(primaryKey ? { primaryKey } : {}), ...(comment !== undefined ? { comment } : {}),
      partitionedBy, options,
    };
  }

  /** A physical (`c TYPE`), computed (`c AS expr`) or metadata (`c TYPE METADATA [FROM 'k'] [VIRTUAL]`) column. */
  private parseColumn(): ColumnDef {
    const pos = this.here();
    const name = this.identifier('a column name');
    if (this.acceptWord('AS')) return { kind: 'computed', pos, name, expr: this.parseExpression() };
    const type: DataType = this.parseDataType();
    if (!this.acceptWord('METADATA')) return { kind: 'physical', pos, name, type };
    const from = this.acceptWord('FROM') ? this.stringLiteral('a metadata key') : undefined;
    const virtual = this.acceptWord('VIRTUAL');
    return { kind: 'metadata', pos, name, type, ...(from !== undefined ? { from } : {}), virtual };
  }

  private columnComment(column: ColumnDef): ColumnDef {
    return this.acceptWord('COMMENT') ? { ...column, comment: this.stringLiteral('a comment') } : column;
  }

  /** Flink checks no key constraint, so a key must be declared NOT ENFORCED. */
  private notEnforced(): void {
    if (!this.isWord('NOT')) throw this.error(`expected NOT ENFORCED: Flink does not enforce primary keys, so the key must say PRIMARY KEY (...) NOT ENFORCED`);
    this.index++;
    this.expectWord('ENFORCED');
  }

  /** `('k' = 'v', ...)`. */
  private parseOptions(): TableOption[] {
    this.expectOp('(');
    const options: TableOption[] = [];
    if (this.acceptOp(')')) return options;
    do {
      const pos = this.here();
      const key = this.stringLiteral("an option key in quotes ('connector')");
      this.expectOp('=');
      options.push({ pos, key, value: this.stringLiteral('an option value in quotes') });
    } while (this.acceptOp(','));
    this.expectOp(')');
    return options;
  }

  private parseCreateView(pos: SourcePos, temporary: boolean): CreateView {
    this.index++;
    const ifNotExists = this.ifNotExists();
    const name = this.compoundName('a view name');
    const columns = this.isOp('(') ? this.identifierList() : undefined;
    this.expectWord('AS');
    const query = this.parseQuery();
    return { kind: 'createView', pos, name, temporary, ifNotExists, ...(columns ? { columns } : {}), query };
  }

  private parseCreateFunction(pos: SourcePos, temporary: boolean, system: boolean): CreateFunction {
    this.index++;
    const ifNotExists = this.ifNotExists();
    const name = this.compoundName('a function name');
    this.expectWord('AS');
    const identifier = this.stringLiteral("the function's identifier in quotes");
    let language: string | undefined;
    if (this.acceptWord('LANGUAGE')) language = this.identifier('a language').toUpperCase();
    if (this.isWord('USING')) throw this.unsupported('CREATE FUNCTION ... USING JAR');
    return { kind: 'createFunction', pos, name, temporary, system, ifNotExists, identifier, ...(language ? { language } : {}) };
  }

  private parseDrop(): DropStatement {
    const pos = posOf(this.next());
    const temporary = this.acceptWord('TEMPORARY');
    const system = temporary && this.acceptWord('SYSTEM');
    const what = this.peek();
    if (what.kind !== 'word' || !(what.upper === 'TABLE' || what.upper === 'VIEW' || what.upper === 'FUNCTION')) {
      throw this.expected('TABLE, VIEW or FUNCTION after DROP');
    }
    this.index++;
    let ifExists = false;
    if (this.acceptWord('IF')) { this.expectWord('EXISTS'); ifExists = true; }
    const name = this.compoundName(`a ${what.value.toLowerCase()} name`);
    return { kind: 'drop', pos, object: what.upper as DropStatement['object'], temporary, system, ifExists, name };
  }

  private parseInsert(): InsertStatement {
    const pos = posOf(this.next());
    const overwrite = this.acceptWord('OVERWRITE');
    if (!overwrite) this.expectWord('INTO');
    const table = this.compoundName('a table name');
    if (this.isWord('PARTITION')) throw this.unsupported('INSERT with a static PARTITION');
    // `(a, b)` is a column list unless a query starts inside it: `INSERT INTO t (SELECT ...)`.
    const columns = this.isOp('(') && !this.startsQuery(1) && !this.isOp('(', 1) ? this.identifierList() : undefined;
    const query = this.parseQuery();
    return { kind: 'insert', pos, overwrite, table, ...(columns ? { columns } : {}), query };
  }

  /** `EXECUTE STATEMENT SET BEGIN INSERT ...; ... END` (at least one INSERT; each ends with `;`). */
  private parseStatementSet(): StatementSetStatement {
    const pos = posOf(this.next());
    this.expectWords('STATEMENT', 'SET', 'BEGIN');
    const inserts: InsertStatement[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.isWord('END')) break;
      if (!this.isWord('INSERT')) throw this.expected(inserts.length === 0 ? 'INSERT in a statement set' : 'INSERT or END in a statement set');
      inserts.push(this.parseInsert());
      if (!this.isOp(';')) throw this.expected("';' after an INSERT of a statement set");
    }
    if (inserts.length === 0) throw this.expected('INSERT in a statement set');
    this.expectWord('END');
    return { kind: 'statementSet', pos, inserts };
  }

  private parseExplain(): ExplainStatement {
    const pos = posOf(this.next());
    const details: string[] = [];
    if (this.acceptWord('PLAN')) {
      this.expectWord('FOR');
    } else {
      const DETAILS = ['ESTIMATED_COST', 'CHANGELOG_MODE', 'JSON_EXECUTION_PLAN', 'PLAN_ADVICE'];
      while (this.peek().kind === 'word' && DETAILS.includes(this.peek().upper)) {
        details.push(this.next().upper);
        if (!this.acceptOp(',')) break;
      }
    }
    return { kind: 'explain', pos, details, statement: this.parseStatement() };
  }

  private parseSet(): Statement {
    const pos = posOf(this.next());
    if (this.peek().kind !== 'string') {
      if (this.peek().kind === 'eof' || this.isOp(';')) return { kind: 'set', pos };
      throw this.expected("a quoted key: SET 'key' = 'value'");
    }
    const key = this.next().value;
    this.expectOp('=');
    return { kind: 'set', pos, key, value: this.stringLiteral("a quoted value: SET 'key' = 'value'") };
  }

  /** Fails unless the tokens are used up (trailing garbage after a statement). */
  expectEnd(): void {
    if (this.peek().kind !== 'eof') throw this.expected('end of input');
  }

  /** One statement, an optional `;`, and nothing after it. */
  parseOneStatement(): Statement {
    const s = this.parseStatement();
    this.acceptOp(';');
    this.expectEnd();
    return s;
  }

  /** Every statement of a script, separated by `;`; empty statements are skipped. */
  parseScript(): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.peek().kind === 'eof') return statements;
      statements.push(this.parseStatement());
      if (!this.isOp(';') && this.peek().kind !== 'eof') throw this.expected("';' or end of input");
    }
  }

  /** One expression, alone. */
  parseStandaloneExpression(): Expr {
    const e = this.parseExpression();
    this.expectEnd();
    return e;
  }
}

/** Parses one statement (a trailing `;` is allowed). Throws SqlParseError with line and column. */
export function parseStatement(sql: string): Statement {
  return new StatementParser(sql).parseOneStatement();
}

/** Parses a script: statements separated by `;` (outside strings and comments). */
export function parseStatements(sql: string): Statement[] {
  return new StatementParser(sql).parseScript();
}

/** Parses one query (SELECT, set operation, VALUES or WITH); other statements are an error. */
export function parseQuery(sql: string): Query {
  const p = new StatementParser(sql);
  const q = p.parseQuery();
  p.expectEnd();
  return q;
}

/** Parses one scalar expression (`price * 0.908`). */
export function parseExpression(sql: string): Expr {
  return new StatementParser(sql).parseStandaloneExpression();
}

/** One statement's text in a script, and where it starts (for a client that runs them one by one). */
export interface ScriptPart {
  readonly sql: string;
  readonly pos: SourcePos;
}

/**
 * Cuts a script at the `;`s outside strings, identifiers and comments; empty parts are dropped. The
 * `;`s inside `EXECUTE STATEMENT SET BEGIN ... END` end its INSERTs, not the statement.
 */
export function splitStatements(script: string): ScriptPart[] {
  const parts: ScriptPart[] = [];
  const tokens = tokenize(script);
  let first = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const semicolon = t.kind === 'op' && t.value === ';';
    if (t.kind === 'eof' || (semicolon && !(first >= 0 && insideStatementSet(tokens.slice(first, i))))) {
      if (first >= 0) parts.push({ sql: script.slice(tokens[first].offset, tokens[i - 1].end), pos: posOf(tokens[first]) });
      first = -1;
    } else if (first < 0) {
      first = i;
    }
  }
  return parts;
}

/**
 * Whether a statement's tokens so far (up to a `;`) open `EXECUTE STATEMENT SET BEGIN` without
 * its `END` yet: that `;` ends an INSERT inside the set, not the statement.
 */
export function insideStatementSet(tokens: readonly Token[]): boolean {
  const words = ['EXECUTE', 'STATEMENT', 'SET', 'BEGIN'];
  if (tokens.length < words.length || !words.every((w, k) => tokens[k].kind === 'word' && tokens[k].upper === w)) return false;
  const last = tokens[tokens.length - 1];
  return !(last.kind === 'word' && last.upper === 'END' && tokens.length > words.length);
}

/** Whether SQL text up to a `;` is inside an unfinished statement set (false for text that does not lex). */
export function opensStatementSet(sql: string): boolean {
  let tokens: Token[];
  try { tokens = tokenize(sql); } catch { return false; }
  return insideStatementSet(tokens.filter((t) => t.kind !== 'eof'));
}

export { isQuery };
