import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Expr } from '../../../../api/table/sql/ast.ts';
import { parseExpression } from '../../../../api/table/sql/parser.ts';
import { expressionToSql } from '../../../../api/table/sql/unparse.ts';
import { stripPositions, undefinedFields } from './ast-support.ts';

const shape = (sql: string) => stripPositions(parseExpression(sql));
/** `sql` groups exactly as the explicitly parenthesized `grouped`. */
const groupsAs = (sql: string, grouped: string) => assert.equal(shape(sql), shape(grouped), `${sql}  vs  ${grouped}`);

/** Every construct of the expression grammar, as Flink users write it. */
const SNIPPETS = [
  'price * 0.908', '-price + +2 - -(3)', 'a % 10 = 0', "first_name || ' ' || last_name", 'a <> b AND c != d OR NOT e',
  'x IS NULL', 'x IS NOT NULL', 'flag IS TRUE', 'flag IS NOT FALSE', 'flag IS UNKNOWN', 'a IS DISTINCT FROM b', 'a IS NOT DISTINCT FROM b',
  'price BETWEEN 10 AND 20', 'price NOT BETWEEN SYMMETRIC 20 AND 10', "state IN ('OR', 'ID', 'CA')", 'id NOT IN (1, 2)',
  'auction IN (SELECT id FROM auction WHERE category = 10)', 'NOT EXISTS (SELECT 1 FROM person p WHERE p.id = seller)',
  "url LIKE '%channel_id=%'", "name NOT LIKE 'a!_%' ESCAPE '!'",
  "CASE WHEN HOUR(dt) >= 8 AND HOUR(dt) <= 18 THEN 'day' WHEN HOUR(dt) <= 6 THEN 'night' ELSE 'other' END",
  "CASE lower(channel) WHEN 'apple' THEN '0' WHEN 'google' THEN '1' END",
  'CAST(price AS DECIMAL(23, 3))', 'TRY_CAST(s AS INT)', 'CAST(ts AS TIMESTAMP_LTZ(3))', 'CAST(x AS VARCHAR(10) NOT NULL)',
  'EXTRACT(HOUR FROM dateTime)', 'EXTRACT(DOW FROM d)', 'FLOOR(ts TO HOUR)', 'CEIL(ts TO MINUTE)', 'FLOOR(price)', 'CEIL(1.5)',
  "TRIM(BOTH ' ' FROM name)", "TRIM(LEADING 'x' FROM s)", 'TRIM(TRAILING FROM s)', 'TRIM(s)',
  'SUBSTRING(s FROM 2 FOR 3)', 'SUBSTRING(s FROM 2)', 'SUBSTRING(s, 2, 3)', "POSITION('a' IN s)",
  "INTERVAL '5' SECOND", "INTERVAL '1-2' YEAR TO MONTH", "INTERVAL '10' MINUTE(3)", "INTERVAL '10 00:00:00.004' DAY TO SECOND(3)",
  "INTERVAL '5' MINUTES", "INTERVAL -'2' DAY", "INTERVAL '1.5' SECOND(1, 3)",
  "DATE '2024-01-31'", "TIME '12:30:00'", "TIMESTAMP '2024-01-31 12:30:00.000'",
  'ARRAY[1, 2, 3]', "MAP['a', 1, 'b', 2]", "ROW(1, 'x')", '(1, 2)', 'tags[1]', "props['k']", 'person.name', '`order`.`value`',
  '(ROW(1, 2)).f0', 'fn(x).field[2]', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'PROCTIME()', 'CURRENT_ROW_TIMESTAMP()',
  "DATE_FORMAT(dateTime, 'yyyy-MM-dd')", "REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)", "SPLIT_INDEX(url, '/', 3)",
  'COUNT(*)', 'COUNT(DISTINCT bidder)', 'count(*) FILTER (WHERE price < 10000)', 'count(DISTINCT auction) FILTER (WHERE price >= 1000000)',
  'SUM(ALL price)', 'ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC)',
  'AVG(price) OVER (PARTITION BY seller ORDER BY dateTime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)',
  "SUM(price) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)",
  'MAX(price) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)', 'MIN(x) OVER w',
  'LEFT(s, 3)', 'RIGHT(s, 2)', 'IF(a > 0, a, 0)', 'COALESCE(a, b, 0)', 'TUMBLE_START(ts, INTERVAL \'10\' SECOND)',
  'HOP_END(ts, INTERVAL \'2\' SECOND, INTERVAL \'10\' SECOND)', 'SESSION_ROWTIME(ts, INTERVAL \'10\' SECOND)',
  "TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)",
  "SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)",
  "SESSION(TABLE bid PARTITION BY (bidder, auction), DESCRIPTOR(dateTime), INTERVAL '10' SECOND)",
  "CUMULATE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(dateTime), STEP => INTERVAL '2' SECOND, SIZE => INTERVAL '10' SECOND)",
  'x = (SELECT MAX(price) FROM bid)', 'UNKNOWN IS NULL', 'NULL', 'TRUE AND FALSE',
];

test('every expression snippet parses, and prints to SQL that parses back to the same tree', () => {
  for (const sql of SNIPPETS) {
    let tree: Expr;
    try {
      tree = parseExpression(sql);
    } catch (e) {
      throw new Error(`${sql}: ${(e as Error).message}`);
    }
    assert.equal(undefinedFields(tree), [], sql);
    const printed = expressionToSql(tree);
    assert.equal(stripPositions(parseExpression(printed)), stripPositions(tree), `${sql} -> ${printed}`);
  }
});

test('binding strengths follow Calcite: IS below comparison, NOT below comparison, LIKE/BETWEEN/IN above it', () => {
  groupsAs('a = b IS NULL', '(a = b) IS NULL');
  groupsAs('NOT a = b', 'NOT (a = b)');
  groupsAs('NOT a AND b', '(NOT a) AND b');
  groupsAs('a OR b AND c', 'a OR (b AND c)');
  groupsAs('a + b * c - d', '(a + (b * c)) - d');
  groupsAs("a || b * c", "(a || b) * c");
  groupsAs('a - b - c', '(a - b) - c');
  groupsAs('-a.b[1]', '-(a.b[1])');
  groupsAs('x BETWEEN 1 + 1 AND 2 AND y', '(x BETWEEN (1 + 1) AND 2) AND y');
  groupsAs('a = b LIKE c', 'a = (b LIKE c)');
  groupsAs('a < b IN (1)', 'a < (b IN (1))');
  groupsAs('x NOT IN (1) OR y', '(x NOT IN (1)) OR y');
  groupsAs("ts - INTERVAL '4' SECOND", "ts - (INTERVAL '4' SECOND)");
});

test('structure of a few forms', () => {
  assert.equal(shape('count(DISTINCT bidder) FILTER (WHERE price < 10000)'), {
    kind: 'call', name: 'count', distinct: true, star: false, noParens: false,
    args: [{ kind: 'column', names: ['bidder'] }],
    filter: { kind: 'binary', op: '<', left: { kind: 'column', names: ['price'] }, right: { kind: 'numeric', text: '10000' } },
  });
  assert.equal(shape("INTERVAL '10 00:00:00.004' DAY(2) TO SECOND(3)"), {
    kind: 'interval', value: '10 00:00:00.004', negative: false, qualifier: { start: 'DAY', precision: 2, end: 'SECOND', fractionalPrecision: 3 },
  });
  assert.equal(shape("SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(dt), INTERVAL '10' SECOND)"), {
    kind: 'call', name: 'SESSION', distinct: false, star: false, noParens: false,
    args: [
      { kind: 'tableArg', table: ['bid'], partitionBy: [{ kind: 'column', names: ['bidder'] }] },
      { kind: 'descriptor', columns: ['dt'] },
      { kind: 'interval', value: '10', negative: false, qualifier: { start: 'SECOND' } },
    ],
  });
  const named = parseExpression('HOP(DATA => TABLE bid, SLIDE => INTERVAL \'2\' SECOND)');
  assert.equal(named.kind === 'call' && named.args.map((a) => (a.kind === 'namedArg' ? `${a.name}=${a.value.kind}` : a.kind)), ['DATA=tableArg', 'SLIDE=interval']);
  assert.equal(shape('AVG(price) OVER (PARTITION BY seller ORDER BY dt ROWS 10 PRECEDING)'), shape('AVG(price) OVER (PARTITION BY seller ORDER BY dt ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)'));
  assert.equal(shape("TRIM(s)"), { kind: 'trim', side: 'BOTH', operand: { kind: 'column', names: ['s'] } });
  assert.equal(shape('SUBSTRING(s FROM 2 FOR 3)'), shape('SUBSTRING(s, 2, 3)'));
  assert.equal(shape("POSITION('a' IN s)"), {
    kind: 'call', name: 'POSITION', distinct: false, star: false, noParens: false,
    args: [{ kind: 'string', value: 'a' }, { kind: 'column', names: ['s'] }],
  });
  assert.equal(shape('CAST(ts AS TIMESTAMP(3) WITH LOCAL TIME ZONE)'), shape('CAST(ts AS TIMESTAMP_LTZ(3))'));
  assert.equal(shape('CAST(x AS INTEGER)'), shape('CAST(x AS INT)'));
  assert.equal(shape("'it''s'"), { kind: 'string', value: "it's" });
  assert.equal(shape('a != b'), shape('a <> b'));
  // The printer parenthesizes an interval before TO: unparenthesized, TO would extend its qualifier.
  assert.equal(shape("FLOOR((INTERVAL '1' DAY) TO HOUR)"), {
    kind: 'floorCeil', fn: 'FLOOR', unit: 'HOUR', operand: { kind: 'interval', value: '1', negative: false, qualifier: { start: 'DAY' } },
  });
  assert.is(expressionToSql(parseExpression("FLOOR((INTERVAL '1' DAY) TO HOUR)")), "FLOOR((INTERVAL '1' DAY) TO HOUR)");
});

test('data types: every type of the dialect, with aliases normalized', () => {
  const types = [
    'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL(10, 2)', 'DECIMAL(5)', 'STRING', 'VARCHAR(20)',
    'CHAR(3)', 'BYTES', 'DATE', 'TIME(3)', 'TIMESTAMP(3)', 'TIMESTAMP_LTZ(3)', 'INTERVAL DAY TO SECOND(3)', 'INTERVAL YEAR TO MONTH',
    'ARRAY<BIGINT>', 'MAP<STRING, ARRAY<INT>>', 'ROW<>', 'ARRAY<ROW<>>', "ROW<name STRING, age INT 'in years'>", 'BIGINT NOT NULL', 'ARRAY<INT NOT NULL>',
  ];
  for (const t of types) {
    const e = parseExpression(`CAST(x AS ${t})`);
    assert.is(expressionToSql(e), `CAST(x AS ${t})`, t);
  }
  assert.is(expressionToSql(parseExpression('CAST(x AS DOUBLE PRECISION)')), 'CAST(x AS DOUBLE)');
  assert.is(expressionToSql(parseExpression('CAST(x AS ROW(a INT, b NUMERIC(3,1)))')), 'CAST(x AS ROW<a INT, b DECIMAL(3, 1)>)');
});

test('positions: a node starts at its first token; a binary node at its left operand', () => {
  const e = parseExpression('  a +\n  fn(b)');
  assert.equal(e.pos, { line: 1, column: 3, offset: 2 });
  if (e.kind !== 'binary') throw new Error('binary expected');
  assert.equal(e.right.pos, { line: 2, column: 3, offset: 8 });
});

test.run();
