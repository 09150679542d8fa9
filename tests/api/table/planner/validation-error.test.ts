import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, StreamTableEnvironment, SqlValidationError } from '../../../../api/index.ts';

function tableEnv(): StreamTableEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromElements({ k: 'a', n: 1, d: 1.5 }), { columns: { k: 'STRING', n: 'INT', d: 'DOUBLE' }, rowtime: 'rt' });
  tEnv.createTemporaryView('u', env.fromElements({ k: 'a', m: 2 }), { columns: { k: 'STRING', m: 'INT' } });
  return tEnv;
}

/** [sql, line, column, reason]: the error points at the offending node and says why. */
const CASES: [string, number, number, RegExp][] = [
  ['SELECT k, nope FROM t', 1, 11, /unknown column nope/],
  ['SELECT k\nFROM missing', 2, 6, /unknown table missing/],
  ['SELECT k FROM t\nWHERE n + 1', 2, 7, /the WHERE condition must be BOOLEAN, but n \+ 1 is INT/],
  ["SELECT n + 'x' FROM t", 1, 8, /type mismatch: cannot apply \+ to INT NOT NULL|type mismatch: cannot apply \+ to INT and STRING/],
  ["SELECT k FROM t WHERE n = 'one'", 1, 23, /type mismatch: cannot apply = to INT and STRING NOT NULL/],
  ['SELECT frobnicate(k) FROM t', 1, 8, /unknown function frobnicate/],
  ['SELECT UPPER(n) FROM t', 1, 14, /UPPER needs a STRING, but n is INT/],
  ['SELECT SUBSTRING(k) FROM t', 1, 8, /SUBSTRING takes 2 to 3 arguments, got 1/],
  ['SELECT k, COUNT(*) FROM t', 1, 8, /column k must appear in GROUP BY or be used in an aggregate function/],
  ['SELECT k FROM t WHERE COUNT(*) > 1', 1, 23, /aggregate function COUNT is not allowed in WHERE/],
  ['SELECT SUM(k) FROM t', 1, 8, /SUM needs a numeric argument, but k is STRING/],
  ['SELECT k FROM t JOIN u ON t.k = u.k WHERE k = \'a\'', 1, 43, /column k is ambiguous/],
  ["SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(n), INTERVAL '1' SECOND))", 1, 37, /the DESCRIPTOR column n must be a time attribute/],
  ["SELECT * FROM TABLE(SESSION(TABLE t, DESCRIPTOR(rt), INTERVAL '1' SECOND))", 1, 15, /the SESSION window TVF is supported in a window aggregation only/],
  ["SELECT * FROM TABLE(HOP(TABLE t PARTITION BY k, DESCRIPTOR(rt), INTERVAL '1' SECOND, INTERVAL '2' SECOND))", 1, 25, /PARTITION BY is only allowed in a SESSION window TVF/],
  ["SELECT COUNT(*) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(rt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end", 1, 107, /PARTITION BY column k must be in GROUP BY/],
  ["SELECT * FROM t JOIN TABLE(SESSION(TABLE t, DESCRIPTOR(rt), INTERVAL '1' SECOND)) s ON t.k = s.k", 1, 22, /SESSION window TVF .* not in a join/],
  ['SELECT k FROM t WHERE n NOT IN (SELECT m FROM u)', 1, 23, /NOT IN \(subquery\) over nullable columns \(INT, INT\) is not supported: use NOT EXISTS/],
  ['SELECT k FROM t WHERE n > 0 OR n IN (SELECT m FROM u)', 1, 32, /IN \(subquery\) is only supported as a condition AND-ed into WHERE/],
  ['SELECT k FROM t INTERSECT SELECT k, n FROM t', 1, 1, /INTERSECT needs inputs with the same number of columns, got 1 and 2/],
  ['SELECT k FROM t EXCEPT ALL SELECT n FROM t', 1, 1, /EXCEPT column 1 \(k\) has types STRING and INT with no common type/],
  ['SELECT CAST(k AS TIMESTAMP(3)) + 1 FROM t', 1, 8, /type mismatch: cannot apply \+ to TIMESTAMP\(3\)/],
  ['SELECT RANK() OVER (ORDER BY n) FROM t', 1, 8, /RANK\(\.\.\.\) OVER \(\.\.\.\) is not supported/],
  ['SELECT k FROM t ORDER BY d', 1, 26, /ORDER BY d must name a column of the SELECT list/],
  ["SELECT TUMBLE_START(n, INTERVAL '1' SECOND) FROM t", 1, 8, /TUMBLE_START needs a legacy group window \(GROUP BY TUMBLE\(\.\.\.\)\)/],
];

test('validation errors name the line and column of the node at fault', () => {
  const tEnv = tableEnv();
  for (const [sql, line, column, reason] of CASES) {
    let error: unknown;
    try { tEnv.sqlQuery(sql); } catch (e) { error = e; }
    assert.ok(error instanceof SqlValidationError, `${sql}: expected a SqlValidationError, got ${String(error)}`);
    const e = error as SqlValidationError;
    assert.match(e.message, reason, sql);
    assert.equal([e.line, e.column], [line, column], `${sql}: ${e.message}`);
    assert.ok(e.message.includes('^'), 'a caret excerpt');
  }
});

test('DDL errors: unknown connector, unsupported option, bad watermark column', () => {
  const tEnv = tableEnv();
  assert.throws(() => tEnv.executeSql("CREATE TABLE x (a INT) WITH ('connector' = 'kafka')"), /line 1, column 30: unknown connector 'kafka' \(known: blackhole, datagen, filesystem, [^)]*print/);
  assert.throws(() => tEnv.executeSql("CREATE TABLE x (a INT) WITH ('connector' = 'datagen', 'rows' = '1')"), /column 55: the datagen connector does not support the option 'rows'/);
  assert.throws(() => tEnv.executeSql("CREATE TABLE x (a INT, WATERMARK FOR a AS a) WITH ('connector' = 'datagen')"), /the rowtime column a must be TIMESTAMP\(3\) or TIMESTAMP_LTZ\(3\), but it is INT/);
  assert.throws(() => tEnv.executeSql("CREATE TABLE x (a INT, b AS a + 'z') WITH ('connector' = 'datagen')"), /line 1, column 29: type mismatch/);
  assert.throws(() => tEnv.executeSql('INSERT INTO t SELECT * FROM u'), /t is a view; INSERT INTO needs a table/);
});

test('errors inside a view point into the view definition', () => {
  const tEnv = tableEnv();
  assert.throws(() => tEnv.executeSql('CREATE VIEW v AS\n  SELECT k, bogus FROM t'), (e: Error) => e instanceof SqlValidationError && e.line === 2 && e.column === 13);
});

test.run();
