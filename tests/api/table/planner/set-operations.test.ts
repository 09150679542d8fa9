// INTERSECT / EXCEPT (ALL and DISTINCT) and GROUPING SETS / ROLLUP / CUBE with GROUPING(), checked
// against DuckDB on seeded random rows (NULLs, duplicates, a hot key); the changelog of one key is
// tested in runtime/set-operation.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import { testSeed } from '../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'g', type: 'INT' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }];

/** [actorflow SQL, DuckDB SQL (default: the same)]. */
const SET_CASES: [string, string?][] = [
  ['SELECT k, g FROM t WHERE a > 0 INTERSECT SELECT k, g FROM t WHERE a < 3'],
  ['SELECT k, g FROM t WHERE a > 0 INTERSECT ALL SELECT k, g FROM t WHERE a < 3'],
  ['SELECT k, g FROM t EXCEPT SELECT k, g FROM t WHERE d > 50'],
  ['SELECT k, g FROM t EXCEPT ALL SELECT k, g FROM t WHERE d > 50'],
  ['SELECT g, a FROM t EXCEPT ALL SELECT a, g FROM t'],
  // Set operations over updating inputs (GROUP BY results that change as rows arrive).
  ['SELECT k, COUNT(*) AS c FROM t GROUP BY k INTERSECT SELECT k, COUNT(*) FROM t WHERE g IS NOT NULL OR g IS NULL GROUP BY k'],
  ['SELECT g FROM (SELECT g, COUNT(*) AS c FROM t GROUP BY g) WHERE c > 10 EXCEPT SELECT g FROM t WHERE k = \'hot\''],
  // Chained: INTERSECT binds tighter than UNION and EXCEPT.
  ['SELECT g FROM t WHERE a = 1 UNION ALL SELECT g FROM t WHERE a = 2 INTERSECT ALL SELECT g FROM t WHERE a = 3'],
  ['(SELECT k FROM t EXCEPT SELECT k FROM t WHERE a = 0) EXCEPT SELECT k FROM t WHERE a = 1'],
];

const GROUPING_CASES: [string, string?][] = [
  ['SELECT k, g, COUNT(*), SUM(a) FROM t GROUP BY GROUPING SETS ((k, g), (k), ())'],
  ['SELECT k, g, COUNT(*) AS c, MAX(d), GROUPING(k) AS gk, GROUPING(g), GROUPING(k, g) FROM t GROUP BY ROLLUP (k, g)'],
  ['SELECT k, g, SUM(a), GROUPING(g, k) FROM t GROUP BY CUBE (k, g)'],
  ['SELECT k, g, a, COUNT(*) FROM t GROUP BY k, ROLLUP (g, a)'],
  ['SELECT k, g, COUNT(DISTINCT a) FROM t GROUP BY GROUPING SETS ((k), (g)) HAVING COUNT(*) > 5'],
  ['SELECT k, COUNT(*), GROUPING(k) FROM t GROUP BY k'],
  ['SELECT k, g, a, COUNT(*) FROM t GROUP BY CUBE ((k, g), a)'],
  // Over an updating input: retractions flow through Expand.
  ['SELECT c, k, COUNT(*) FROM (SELECT k, g, COUNT(*) AS c FROM t GROUP BY k, g) GROUP BY ROLLUP (c, k)'],
];

test('INTERSECT, EXCEPT and grouping sets agree with DuckDB on seeded random rows', async () => {
  const seed = testSeed('table-set-operations');
  const rows = randomRows(new Random(seed), COLUMNS, 300);
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromCollection(rows), { columns: viewColumns(COLUMNS) });
  for (const [sql, duckSql] of [...SET_CASES, ...GROUPING_CASES]) await checkQuery(tEnv, duck, sql, duckSql, seed);
});

test('GROUPING() names a GROUP BY expression; grouping sets in a window aggregation are refused', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromElements({ k: 'a', g: 1 }), { columns: { k: 'STRING', g: 'INT' }, rowtime: 'rt' });
  assert.throws(() => tEnv.sqlQuery('SELECT GROUPING(g) FROM t GROUP BY ROLLUP (k)'), /line 1, column 17: the argument g of GROUPING must be an expression of GROUP BY/);
  assert.throws(() => tEnv.sqlQuery("SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(rt), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, ROLLUP (k)"),
    /GROUPING SETS, ROLLUP, CUBE and GROUPING\(\) in a window aggregation are not supported/);
  assert.match(tEnv.explainSql('SELECT k, COUNT(*) FROM t GROUP BY ROLLUP (k, g)'), /Expand\(sets=\[\{k, g\}, \{k\}, \{\}\]/);
  assert.match(tEnv.explainSql('SELECT k FROM t INTERSECT ALL SELECT k FROM t'), /Intersect\(all=\[true\]/);
  assert.match(tEnv.explainSql('SELECT k FROM t EXCEPT SELECT k FROM t'), /Minus\(all=\[false\]/);
});

test.run();
