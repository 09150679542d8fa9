import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize } from '../../../../api/table/sql/lexer.ts';
import { SqlParseError } from '../../../../api/table/sql/sql-error.ts';

const kinds = (sql: string) => tokenize(sql).map((t) => `${t.kind}:${t.value}`);

test('words, back-quoted identifiers, strings with doubled quotes, numbers, operators', () => {
  assert.equal(kinds("SELECT `a``b`, 'it''s', 12, 0.908, .5, 1.5E-3, 7e2 FROM t"), [
    'word:SELECT', 'quoted:a`b', 'op:,', "string:it's", 'op:,', 'number:12', 'op:,', 'number:0.908', 'op:,',
    'number:.5', 'op:,', 'number:1.5E-3', 'op:,', 'number:7e2', 'word:FROM', 'word:t', 'eof:',
  ]);
  assert.equal(kinds('a<>b<=c>=d!=e||f=>g<h>i=j%k'), [
    'word:a', 'op:<>', 'word:b', 'op:<=', 'word:c', 'op:>=', 'word:d', 'op:!=', 'word:e', 'op:||', 'word:f',
    'op:=>', 'word:g', 'op:<', 'word:h', 'op:>', 'word:i', 'op:=', 'word:j', 'op:%', 'word:k', 'eof:',
  ]);
});

test('keywords compare case-insensitively through upper; identifiers keep their case', () => {
  const [select, name] = tokenize('sElEcT dateTime');
  assert.equal([select.upper, select.value, name.value, name.upper], ['SELECT', 'sElEcT', 'dateTime', 'DATETIME']);
});

test('comments are skipped, positions count lines and columns from 1', () => {
  const tokens = tokenize('-- header\nSELECT /* a\n multi-line */ x,\n\t  y -- trailing\nFROM t');
  assert.equal(tokens.map((t) => `${t.value}@${t.line}:${t.column}`), ['SELECT@2:1', 'x@3:16', ',@3:17', 'y@4:4', 'FROM@5:1', 't@5:6', '@5:7']);
  assert.is(tokens[1].offset, '-- header\nSELECT /* a\n multi-line */ '.length);
  assert.is(tokens[1].end, tokens[1].offset + 1);
});

test('a string or a back-quoted identifier may span lines; positions after it stay right', () => {
  const tokens = tokenize("'a\nb' x");
  assert.equal(tokens[0].value, 'a\nb');
  assert.equal([tokens[1].line, tokens[1].column], [2, 4]);
});

function lexError(sql: string): SqlParseError {
  try {
    tokenize(sql);
  } catch (e) {
    if (e instanceof SqlParseError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

test('bad input is an error at its line and column', () => {
  const cases: [string, number, number, RegExp][] = [
    ["SELECT 'abc", 1, 8, /unterminated string literal/],
    ['SELECT\n  `abc', 2, 3, /unterminated back-quoted identifier/],
    ['SELECT 1 /* never closed', 1, 10, /unterminated comment/],
    ['SELECT a # b', 1, 10, /unexpected character '#'/],
    ['SELECT "x"', 1, 8, /double-quoted text/],
    ['SELECT 12abc', 1, 8, /malformed number '12abc'/],
    ['SELECT 1e+', 1, 8, /exponent without digits/],
    ['SELECT ``', 1, 8, /empty back-quoted identifier/],
    ['SELECT /*+ OPTIONS(a=1) */ x', 1, 8, /query hints/],
  ];
  for (const [sql, line, column, reason] of cases) {
    const e = lexError(sql);
    assert.equal([e.line, e.column], [line, column], sql);
    assert.match(e.reason, reason, sql);
    assert.match(e.message, new RegExp(`^SQL parse error at line ${line}, column ${column}: `), sql);
  }
});

test('the error message shows the line with a caret under the column', () => {
  const e = lexError("SELECT a,\n  'oops");
  assert.is(e.message, "SQL parse error at line 2, column 3: unterminated string literal\n    'oops\n    ^");
});

test.run();
