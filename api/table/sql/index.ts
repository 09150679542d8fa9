// Barrel for the SQL front end: the parser's entry points, the AST types, the printer and the
// error type. The Table API and the planner import from here; the package entry does not yet.
export * from './ast.ts';
export { parseExpression, parseQuery, parseStatement, parseStatements, splitStatements, opensStatementSet, type ScriptPart } from './parser.ts';
export { dataTypeToSql, expressionToSql, fromToSql, queryToSql, quoteIdentifier, statementToSql, toSql } from './unparse.ts';
export { SqlParseError, type SourcePos } from './sql-error.ts';
export { tokenize, type Token, type TokenKind } from './lexer.ts';
