import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Statement } from '../../../../api/table/sql/ast.ts';
import { isQuery, parseStatement, parseStatements, splitStatements } from '../../../../api/table/sql/parser.ts';
import { statementToSql } from '../../../../api/table/sql/unparse.ts';
import { stripPositions, undefinedFields } from './ast-support.ts';

const shape = (sql: string) => stripPositions(parseStatement(sql));

/** Every statement form: DDL with all column kinds, DML, EXPLAIN and the client's statements. */
const SNIPPETS = [
  `CREATE TABLE orders (
     order_id BIGINT,
     price DECIMAL(10, 2) NOT NULL COMMENT 'in cents',
     tags ARRAY<STRING>,
     attrs MAP<STRING, STRING>,
     buyer ROW<name STRING, city STRING>,
     cost AS price * quantity,
     proc AS PROCTIME(),
     ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
     part INT METADATA,
     order_time TIMESTAMP(3),
     WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND,
     PRIMARY KEY (order_id) NOT ENFORCED
   ) COMMENT 'orders' PARTITIONED BY (part) WITH ('connector' = 'datagen', 'rows-per-second' = '10')`,
  "CREATE TEMPORARY TABLE IF NOT EXISTS db.t (id INT PRIMARY KEY NOT ENFORCED, v STRING) WITH ('connector' = 'print')",
  "CREATE TABLE t (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED) WITH ('connector' = 'blackhole')",
  'CREATE TABLE t (a INT)',
  'CREATE VIEW v AS SELECT a FROM t',
  'CREATE TEMPORARY VIEW IF NOT EXISTS v (x, y) AS SELECT a, b FROM t UNION ALL SELECT c, d FROM u',
  "CREATE FUNCTION count_char AS 'org.example.CountChar'",
  "CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS 'org.example.F' LANGUAGE JAVA",
  'DROP TABLE t', 'DROP TABLE IF EXISTS db.t', 'DROP TEMPORARY VIEW IF EXISTS v', 'DROP TEMPORARY SYSTEM FUNCTION f',
  'INSERT INTO sink SELECT * FROM src', 'INSERT INTO sink (a, b) SELECT x, y FROM src', 'INSERT OVERWRITE sink SELECT * FROM src',
  'INSERT INTO sink (SELECT * FROM src)', "INSERT INTO sink VALUES (1, 'a')",
  'EXPLAIN PLAN FOR SELECT * FROM t', 'EXPLAIN SELECT 1', 'EXPLAIN CHANGELOG_MODE, ESTIMATED_COST INSERT INTO s SELECT * FROM t',
  "SET 'table.exec.mini-batch.enabled' = 'true'", 'SET', "RESET 'parallelism.default'", 'RESET',
  'SHOW TABLES', 'SHOW VIEWS', 'SHOW FUNCTIONS', 'SHOW CATALOGS', 'SHOW DATABASES', 'SHOW JOBS',
  'DESCRIBE orders', 'DESC db.orders', 'DESCRIBE EXTENDED orders',
  'SELECT 1', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x', 'VALUES (1)', '(SELECT 1)',
];

test('every statement snippet parses, and prints to SQL that parses back to the same tree', () => {
  for (const sql of SNIPPETS) {
    let tree: Statement;
    try {
      tree = parseStatement(sql);
    } catch (e) {
      throw new Error(`${sql}: ${(e as Error).message}`);
    }
    assert.equal(undefinedFields(tree), [], sql);
    const printed = statementToSql(tree);
    assert.equal(stripPositions(parseStatement(printed)), stripPositions(tree), `${sql} -> ${printed}`);
  }
});

test('CREATE TABLE: physical, computed and metadata columns, watermark, key, partitions, options', () => {
  const t = parseStatement(SNIPPETS[0]);
  if (t.kind !== 'createTable') throw new Error('createTable expected');
  assert.equal(t.columns.map((c) => `${c.kind}:${c.name}`), [
    'physical:order_id', 'physical:price', 'physical:tags', 'physical:attrs', 'physical:buyer', 'computed:cost', 'computed:proc',
    'metadata:ts', 'metadata:part', 'physical:order_time',
  ]);
  assert.equal(stripPositions(t.columns[1]), { kind: 'physical', name: 'price', type: { nullable: false, name: 'DECIMAL', precision: 10, scale: 2 }, comment: 'in cents' });
  assert.equal(stripPositions(t.columns[7]), { kind: 'metadata', name: 'ts', type: { nullable: true, name: 'TIMESTAMP_LTZ', precision: 3 }, from: 'timestamp', virtual: true });
  assert.equal(t.watermark?.column, ['order_time']);
  assert.equal(t.primaryKey?.columns, ['order_id']);
  assert.equal(t.partitionedBy, ['part']);
  assert.is(t.comment, 'orders');
  assert.equal(t.options.map((o) => [o.key, o.value]), [['connector', 'datagen'], ['rows-per-second', '10']]);
  const inline = parseStatement("CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED) WITH ('connector' = 'print')");
  assert.ok(inline.kind === 'createTable' && inline.primaryKey?.columns[0] === 'id');
});

test('the client statements and DML', () => {
  assert.equal(shape("SET 'parallelism.default' = '2'"), { kind: 'set', key: 'parallelism.default', value: '2' });
  assert.equal(shape('SET;'), { kind: 'set' });
  assert.equal(shape('RESET'), { kind: 'reset' });
  assert.equal(shape('SHOW tables'), { kind: 'show', object: 'TABLES' });
  assert.equal(shape('desc t'), { kind: 'describe', name: ['t'], extended: false });
  const insert = parseStatement('INSERT INTO s (a, b) SELECT 1, 2');
  assert.ok(insert.kind === 'insert' && !insert.overwrite && insert.columns?.join() === 'a,b' && isQuery(insert.query));
  const explain = parseStatement('EXPLAIN PLAN FOR INSERT INTO s SELECT 1');
  assert.ok(explain.kind === 'explain' && explain.statement.kind === 'insert' && explain.details.length === 0);
  assert.equal(shape("CREATE FUNCTION f AS 'com.x.F' LANGUAGE java"), {
    kind: 'createFunction', name: ['f'], temporary: false, system: false, ifNotExists: false, identifier: 'com.x.F', language: 'JAVA',
  });
});

test('a script splits on semicolons outside strings, identifiers and comments', () => {
  const script = "SET 'a' = 'x;y';\n-- a comment; with a semicolon\nCREATE VIEW `v;1` AS SELECT ';' AS s /* ; */;\n;\nSELECT 1";
  const statements = parseStatements(script);
  assert.equal(statements.map((s) => s.kind), ['set', 'createView', 'select']);
  assert.equal(statements[2].pos, { line: 5, column: 1, offset: script.lastIndexOf('SELECT') });
  assert.equal(splitStatements(script).map((p) => [p.sql, p.pos.line]), [
    ["SET 'a' = 'x;y'", 1], ["CREATE VIEW `v;1` AS SELECT ';' AS s", 3], ['SELECT 1', 5],
  ]);
  assert.equal(parseStatements('  ;; -- nothing\n'), []);
});

test.run();
