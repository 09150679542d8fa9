import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import { testSeed } from '../../../support/random.ts';
import { assertSameRows, loadDuck, openDuck, queryDuck, Random, randomRows, type TestColumn } from '../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'k', type: 'STRING' }, { name: 'a', type: 'INT' }, { name: 'b', type: 'INT' },
  { name: 'd', type: 'DOUBLE' }, { name: 'flag', type: 'BOOLEAN' }, { name: 'ts', type: 'TIMESTAMP' },
];

/** [actorflow SQL, DuckDB SQL (same when omitted)]: projections, filters and built-in functions. */
const CASES: [string, string?][] = [
  ['SELECT id, a + b, a - b, a * b, -a FROM t'],
  ['SELECT id, a / b FROM t WHERE b <> 0', 'SELECT id, CAST(trunc(a::DOUBLE / b) AS BIGINT) FROM t WHERE b <> 0'],
  ['SELECT id, a % b, MOD(a, 3) FROM t WHERE b <> 0', 'SELECT id, a % b, a % 3 FROM t WHERE b <> 0'],
  ['SELECT id, d * 2 + 1.5, d / 4, a + d FROM t'],
  ['SELECT id, a > b, a = b, a <> b, a <= b, k = \'hot\', k < \'k3\' FROM t'],
  ['SELECT id, (a > 0) AND (b > 0), (a > 0) OR (b > 0), NOT (a > 0), flag AND a > 1 FROM t'],
  ['SELECT id, a IS NULL, k IS NOT NULL, flag IS TRUE, flag IS NOT FALSE, flag IS UNKNOWN FROM t',
    'SELECT id, a IS NULL, k IS NOT NULL, flag IS TRUE, flag IS NOT FALSE, flag IS NULL FROM t'],
  ["SELECT id, CASE WHEN a > 2 THEN 'big' WHEN a > 0 THEN 'small' ELSE k END FROM t"],
  ["SELECT id, CASE a WHEN 0 THEN 'zero' WHEN 1 THEN 'one' END, CASE WHEN flag THEN d END FROM t"],
  ["SELECT id, COALESCE(a, b, 0), COALESCE(k, 'none'), NULLIF(a, 0) FROM t"],
  ['SELECT id, CAST(a AS DOUBLE), CAST(d AS INT), CAST(a AS STRING), CAST(flag AS STRING) FROM t',
    'SELECT id, CAST(a AS DOUBLE), CAST(trunc(d) AS INTEGER), CAST(a AS VARCHAR), upper(CAST(flag AS VARCHAR)) FROM t'],
  ["SELECT id, UPPER(k), LOWER(UPPER(k)), CHAR_LENGTH(k), CONCAT(k, '-', k), k || '!' FROM t",
    "SELECT id, upper(k), lower(upper(k)), length(k), k || '-' || k, k || '!' FROM t"],
  ['SELECT id, SUBSTRING(k, 2), SUBSTRING(k, 1, 2), SUBSTRING(k FROM 2 FOR 1) FROM t',
    'SELECT id, substring(k, 2), substring(k, 1, 2), substring(k, 2, 1) FROM t'],
  ["SELECT id, TRIM(BOTH 'k' FROM k), TRIM(LEADING 'h' FROM k), TRIM(TRAILING 't' FROM k) FROM t",
    "SELECT id, trim(k, 'k'), ltrim(k, 'h'), rtrim(k, 't') FROM t"],
  ["SELECT id, k FROM t WHERE k LIKE 'k%' OR k LIKE '_o_'"],
  ["SELECT id, k NOT LIKE '%1', k LIKE 'k\\_%' ESCAPE '\\' FROM t", "SELECT id, k NOT LIKE '%1', k LIKE 'k\\_%' ESCAPE '\\' FROM t"],
  ["SELECT id, REGEXP_EXTRACT(k, 'k([0-9]+)', 1), SPLIT_INDEX(k, 'k', 1) FROM t",
    "SELECT id, NULLIF(regexp_extract(k, 'k([0-9]+)', 1), ''), CASE WHEN len(string_split(k, 'k')) > 1 THEN string_split(k, 'k')[2] END FROM t"],
  ['SELECT id, a IN (1, 2, 3), a NOT IN (0, 1), a IN (1, NULL), b BETWEEN 0 AND 2, b NOT BETWEEN 1 AND 3 FROM t'],
  ['SELECT id, EXTRACT(SECOND FROM ts), EXTRACT(MINUTE FROM ts), EXTRACT(HOUR FROM ts), EXTRACT(DAY FROM ts) FROM t'],
  ['SELECT id, FLOOR(ts TO SECOND), FLOOR(ts TO MINUTE), CEIL(ts TO SECOND) FROM t',
    "SELECT id, date_trunc('second', ts), date_trunc('minute', ts), CASE WHEN date_trunc('second', ts) = ts THEN ts ELSE date_trunc('second', ts) + INTERVAL 1 SECOND END FROM t"],
  ["SELECT id, DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss'), ts + INTERVAL '5' SECOND, ts - INTERVAL '1' MINUTE FROM t",
    "SELECT id, strftime(ts, '%Y-%m-%d %H:%M:%S'), ts + INTERVAL 5 SECOND, ts - INTERVAL 1 MINUTE FROM t"],
  ['SELECT id, ABS(a), a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b FROM t'],
  ["SELECT id, ts FROM t WHERE ts > TIMESTAMP '2024-01-01 00:00:30' AND d < 50",
    "SELECT id, ts FROM t WHERE ts > TIMESTAMP '2024-01-01 00:00:30' AND d < 50"],
  ['SELECT * FROM (SELECT id, a + 1 AS a1, k FROM t WHERE a IS NOT NULL) WHERE a1 > 1 AND k <> \'hot\''],
  // Flink's EXTRACT shorthands.
  ['SELECT id, YEAR(ts), QUARTER(ts), MONTH(ts), DAYOFMONTH(ts), DAYOFYEAR(ts), DAYOFWEEK(ts), HOUR(ts), MINUTE(ts), SECOND(ts) FROM t',
    'SELECT id, year(ts), quarter(ts), month(ts), day(ts), dayofyear(ts), dayofweek(ts) + 1, hour(ts), minute(ts), second(ts) FROM t'],
];

test('projections, filters and built-in functions agree with DuckDB on seeded random rows', async () => {
  const seed = testSeed('table-expressions');
  const rows = randomRows(new Random(seed), COLUMNS, 300).map((r, i) => ({ ...r, id: i }));
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromCollection(rows), {
    columns: { id: 'BIGINT', k: 'STRING', a: 'INT', b: 'INT', d: 'DOUBLE', flag: 'BOOLEAN', ts: 'TIMESTAMP(3)' },
  });
  for (const [sql, duckSql] of CASES) {
    const ours = (await tEnv.sqlQuery(sql).execute().collect()).map((r) => Object.values(r));
    const theirs = await queryDuck(duck, duckSql ?? sql);
    assertSameRows(ours, theirs, `${sql} (seed ${seed})`);
  }
});

test('the fused Calc of stacked subqueries is one operator and keeps three-valued logic', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('v', env.fromElements({ x: 1, y: null }, { x: null, y: 2 }, { x: 3, y: 4 }), { columns: { x: 'INT', y: 'INT' } });
  const t = tEnv.sqlQuery('SELECT s FROM (SELECT x + y AS s, x FROM v WHERE x > 0 OR y > 3) WHERE s IS NULL OR s > 0');
  assert.is(t.explain().split('\n').filter((l) => l.includes('Calc')).length, 1);
  assert.equal(await t.execute().collect(), [{ s: null }, { s: 7 }]);
});

test('user-defined scalar functions: typed result, NULLs passed through, usable in WHERE', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporarySystemFunction('twice', { eval: (x: number | null) => (x === null ? null : x * 2), resultType: 'BIGINT' });
  tEnv.createTemporarySystemFunction('greet', (s: string) => `hi ${s}`);
  tEnv.createTemporaryView('v', env.fromElements({ n: 1, s: 'a' }, { n: 5, s: 'b' }, { n: null, s: 'c' }), { columns: { n: 'BIGINT', s: 'STRING' } });
  const rows = await tEnv.sqlQuery('SELECT greet(s) AS g, TWICE(n) + 1 AS t FROM v WHERE twice(n) > 3 OR n IS NULL').execute().collect();
  assert.equal(rows, [{ g: 'hi b', t: 11 }, { g: 'hi c', t: null }]);
});

test('DECIMAL sums and products are exact to their scale (as Flink), not binary doubles', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('v', env.fromElements({ p: 1234567 }, { p: 3 }), { columns: { p: 'BIGINT' } });
  const rows = await tEnv.sqlQuery('SELECT 0.908 * p AS e, CAST(0.1 AS DECIMAL(3, 1)) + CAST(0.2 AS DECIMAL(3, 1)) AS s, 1.1 * 1.1 - p AS d FROM v').execute().collect();
  assert.equal(rows, [{ e: 1120986.836, s: 0.3, d: 1.21 - 1234567 }, { e: 2.724, s: 0.3, d: -1.79 }]);
});

test('string literals and names never become code: quotes and backslashes are values', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('v', env.fromElements({ s: "x'); throw 1; //" }), { columns: { s: 'STRING' } });
  const rows = await tEnv.sqlQuery("SELECT s || '`${1}\\n\"' AS `weird``name` FROM v WHERE s <> 'c[0]'").execute().collect();
  assert.equal(rows, [{ 'weird`name': "x'); throw 1; //`${1}\\n\"" }]);
});

test.run();
