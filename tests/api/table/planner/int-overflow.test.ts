// INT arithmetic wraps at 32 bits as Flink's INT (Java's int) does; BIGINT and DOUBLE do not.
// DuckDB raises an error on overflow instead, so these compare to Flink's documented results.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromElements({ a: 2147483647, b: -2147483648, c: 65536 }), {
    columns: { a: 'INT', b: 'INT', c: 'INT' },
  });
  return await tEnv.sqlQuery(sql).execute().collect() as Record<string, unknown>[];
}

test('INT + - * / and unary minus wrap on overflow', async () => {
  const [r] = await query('SELECT a + 1 AS p, b - 1 AS m, c * c AS sq, a * 2 AS dbl, b / -1 AS q, -b AS n, a + b AS s FROM t');
  assert.equal(r, { p: -2147483648, m: 2147483647, sq: 0, dbl: -2, q: -2147483648, n: -2147483648, s: -1 });
});

test('a literal cast to INT wraps too; BIGINT and DOUBLE arithmetic does not', async () => {
  const [r] = await query(
    'SELECT CAST(2147483647 AS INT) + 1 AS w, CAST(a AS BIGINT) + 1 AS big, CAST(a AS DOUBLE) * 2 AS d, CAST(CAST(a AS BIGINT) + 1 AS INT) AS narrowed FROM t');
  assert.equal(r, { w: -2147483648, big: 2147483648, d: 4294967294, narrowed: -2147483648 });
});

test('INT results in range are unchanged, and NULL stays NULL', async () => {
  const [r] = await query('SELECT c + 1 AS p, c * 3 AS m, c / 3 AS q, CAST(NULL AS INT) + a AS z FROM t');
  assert.equal(r, { p: 65537, m: 196608, q: 21845, z: null });
});

test('SUM of INT is an INT and wraps, in a group aggregation, with retractions, and in OVER; SUM of BIGINT does not', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  const tEnv = StreamTableEnvironment.create(env);
  const rows = [{ k: 'a', v: 2147483647, t: 0 }, { k: 'a', v: 1, t: 1 }, { k: 'b', v: -2147483648, t: 2 }, { k: 'b', v: -1, t: 3 }];
  const timed = env.fromCollection(rows).assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps<(typeof rows)[number]>().withTimestampAssigner((r) => r.t));
  tEnv.createTemporaryView('s', timed, { columns: { k: 'STRING', v: 'INT' }, rowtime: 'ts' });
  const sums = await tEnv.sqlQuery('SELECT k, SUM(v) AS s, SUM(CAST(v AS BIGINT)) AS big, AVG(v) AS a FROM s GROUP BY k').execute().collect();
  sums.sort((x, y) => String(x.k).localeCompare(String(y.k)));
  assert.equal(sums, [{ k: 'a', s: -2147483648, big: 2147483648, a: 1073741824 }, { k: 'b', s: 2147483647, big: -2147483649, a: -1073741824 }]);
  // The group sums feed a second aggregation as updates: its retractions undo the wrapped values exactly.
  const total = await tEnv.sqlQuery('SELECT SUM(s) AS s FROM (SELECT k, SUM(v) AS s FROM s GROUP BY k)').execute().collect();
  assert.equal(total, [{ s: -1 }]);
  const over = await tEnv.sqlQuery('SELECT SUM(v) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run FROM s').execute().collect();
  assert.equal(over.map((r) => r.run), [2147483647, -2147483648, 0, -1]);
});

test.run();
