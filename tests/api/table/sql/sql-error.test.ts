import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExpression, parseQuery, parseStatement, parseStatements } from '../../../../api/table/sql/parser.ts';
import { caretExcerpt, positionAt, SqlParseError } from '../../../../api/table/sql/sql-error.ts';

function errorOf(parse: () => unknown): SqlParseError {
  try {
    parse();
  } catch (e) {
    if (e instanceof SqlParseError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** [sql, line, column, reason]: the error must point at the line and column and say why. */
const CASES: [string, number, number, RegExp][] = [
  // bad tokens
  ['SELECT a\nFROM t\nWHERE price > 10 # 2', 3, 18, /unexpected character '#'/],
  ["SELECT 'abc FROM t", 1, 8, /unterminated string literal/],
  // missing parentheses and keywords
  ['SELECT COUNT(*\nFROM bid', 2, 1, /expected '\)' but found 'FROM'/],
  ['SELECT a FROM t WHERE (a = 1', 1, 29, /expected '\)' but found end of input/],
  ['SELECT CAST(a INT) FROM t', 1, 15, /expected AS but found 'INT'/],
  ['SELECT CASE WHEN a THEN 1 FROM t', 1, 27, /expected END but found 'FROM'/],
  ['SELECT a FROM t JOIN u WHERE a = 1', 1, 24, /expected ON or USING: a INNER JOIN needs a condition but found 'WHERE'/],
  ["SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts) INTERVAL '1' SECOND))", 1, 54, /expected '\)' but found 'INTERVAL'/],
  ['SELECT a FROM', 1, 14, /expected a table name but found end of input/],
  ['SELECT a, FROM t', 1, 11, /expected an expression but found 'FROM'/],
  ["SELECT INTERVAL 5 SECOND", 1, 17, /expected a quoted interval value such as '5' but found number 5/],
  ["SELECT INTERVAL '5' FORTNIGHT", 1, 21, /expected an interval unit/],
  ["SELECT INTERVAL '5' MONTH TO DAY", 1, 30, /INTERVAL MONTH TO DAY is not a valid interval qualifier/],
  ['SELECT CAST(a AS TEXT)', 1, 18, /unknown data type 'TEXT'/],
  ['SELECT select FROM t', 1, 8, /expected an expression but found 'select'/],
  ['CREATE TABLE t (select INT)', 1, 17, /reserved word 'select' \(quote it as `select`/],
  ["CREATE TABLE t (id INT, PRIMARY KEY (id)) WITH ('connector' = 'x')", 1, 41, /NOT ENFORCED: Flink does not enforce primary keys/],
  ["CREATE TABLE t (id INT) WITH (connector = 'x')", 1, 31, /expected an option key in quotes/],
  ['SET a = 1', 1, 5, /expected a quoted key: SET 'key' = 'value'/],
  ['SHOW STUFF', 1, 6, /expected TABLES, VIEWS, FUNCTIONS/],
  ['FROB t', 1, 1, /expected a statement/],
  // unsupported constructs, named
  ['SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a)', 1, 17, /MATCH_RECOGNIZE is not supported/],
  ["SELECT a FROM t WHERE a SIMILAR TO 'x'", 1, 25, /SIMILAR TO is not supported/],
  ['ALTER TABLE t RENAME TO u', 1, 1, /the ALTER statement is not supported/],
  ['USE CATALOG c', 1, 1, /the USE statement is not supported/],
  ['CREATE CATALOG c WITH (\'type\' = \'x\')', 1, 8, /CREATE CATALOG is not supported/],
  ["CREATE TABLE t WITH ('connector' = 'x') AS SELECT 1", 1, 16, /expected '\(' but found 'WITH'/],
  ['SELECT a FROM t NATURAL JOIN u', 1, 17, /NATURAL JOIN is not supported/],
  ['SELECT LISTAGG(a) WITHIN GROUP (ORDER BY a) FROM t', 1, 19, /WITHIN GROUP is not supported/],
  ['SELECT a FROM t WHERE a = ?', 1, 27, /a dynamic parameter \(\?\) is not supported/],
  ['SELECT db.fn(a) FROM t', 1, 8, /a qualified function name \(db.fn\) is not supported/],
  ['WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r', 1, 6, /WITH RECURSIVE is not supported/],
  ["SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY a ORDER BY b, DESCRIPTOR(ts)))", 1, 54, /ORDER BY on a table argument is not supported/],
  ['SELECT a FROM t /*+ OPTIONS(x=1) */', 1, 17, /query hints/],
  ['SELECT a FROM t MINUS SELECT a FROM u', 1, 17, /MINUS \(write EXCEPT\) is not supported/],
  ['SELECT a FROM t QUALIFY a > 1', 1, 17, /QUALIFY is not supported/],
  ['INSERT INTO t PARTITION (dt = 1) SELECT 1', 1, 15, /INSERT with a static PARTITION is not supported/],
  // trailing garbage
  ['SELECT a FROM t WHERE a = 1 b', 1, 29, /expected end of input but found 'b'/],
  ['SELECT a FROM t)', 1, 16, /expected end of input but found '\)'/],
  ['SELECT 1;\nSELECT 2 3', 2, 10, /expected ';' or end of input but found number 3/],
];

test('every error names its line and column, says why, and shows the line with a caret', () => {
  for (const [sql, line, column, reason] of CASES) {
    const e = errorOf(() => (sql.includes(';') ? parseStatements(sql) : parseStatement(sql)));
    assert.equal([e.line, e.column], [line, column], `${sql}: ${e.message}`);
    assert.match(e.reason, reason, sql);
    const [head, excerpt, caret] = e.message.split('\n');
    assert.is(head, `SQL parse error at line ${line}, column ${column}: ${e.reason}`);
    assert.is(excerpt, `  ${sql.split('\n')[line - 1]}`);
    assert.is(caret.indexOf('^'), column + 1, `${sql}: caret under column ${column}`);
  }
});

test('the message reads as the users of the SQL client see it', () => {
  const e = errorOf(() => parseStatement('SELECT auction,\n       price\nFROM bid WHERE price >> 10'));
  assert.is(e.message, [
    "SQL parse error at line 3, column 23: expected an expression but found '>'",
    '  FROM bid WHERE price >> 10',
    '                        ^',
  ].join('\n'));
});

test('parseQuery and parseExpression reject what is not theirs, at its position', () => {
  const q = errorOf(() => parseQuery("SET 'a' = 'b'"));
  assert.equal([q.line, q.column], [1, 1]);
  assert.match(q.reason, /expected SELECT, VALUES or WITH but found 'SET'/);
  const x = errorOf(() => parseExpression('a +'));
  assert.equal([x.line, x.column], [1, 4]);
});

test('a long line is cut around the caret; tabs stay tabs', () => {
  const long = `SELECT ${'a, '.repeat(80)}FROM FROM`;
  const e = errorOf(() => parseStatement(long));
  const [, excerpt, caret] = e.message.split('\n');
  assert.ok(excerpt.length < 120 && excerpt.includes('...'), excerpt);
  assert.is(excerpt.slice(caret.indexOf('^'), caret.indexOf('^') + 4), 'FROM');
  const tabbed = caretExcerpt('\tSELECT x', positionAt('\tSELECT x', 8));
  assert.is(tabbed, '  \tSELECT x\n  \t       ^');
});

test.run();
