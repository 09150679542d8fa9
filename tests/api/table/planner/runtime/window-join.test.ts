// Window joins (two window aggregations joined on their window ends, as q5 joins AuctionBids with
// MaxBids) against DuckDB on seeded random rows: INNER with a residual, LEFT and FULL with NULL
// keys and unmatched rows. Each plan is a WindowJoin and append-only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../../api/table/table-environment.ts';
import { testSeed } from '../../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'ts', type: 'TIMESTAMP' }];

const HOP = "TABLE(HOP(TABLE t, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '15' SECOND))";
const TUMBLE = "TABLE(TUMBLE(TABLE t, DESCRIPTOR(rt), INTERVAL '10' SECOND))";
const HOP_COUNTS = `SELECT k, window_start AS ws, window_end AS we, COUNT(*) AS c FROM ${HOP} GROUP BY k, window_start, window_end`;
const DUCK_HOP = 'SELECT k, ws, ws + 15000 AS we, COUNT(*) AS c FROM (SELECT *, (epoch_ms(ts) // 5000) * 5000 - i * 5000 AS ws FROM t, range(0, 3) r(i)) GROUP BY k, ws';
const DUCK_TUMBLE = (select: string, where = ''): string => `SELECT k, (epoch_ms(ts) // 10000) * 10000 + 10000 AS we, ${select} FROM t ${where} GROUP BY 1, 2`;

/** [actorflow SQL, DuckDB SQL]. */
const CASES: [string, string][] = [
  // q5's shape: the auctions with the most bids per window.
  [`SELECT A.k, A.we, A.c FROM (${HOP_COUNTS}) A
    JOIN (SELECT MAX(c) AS m, ws, we FROM (${HOP_COUNTS}) GROUP BY ws, we) B ON A.ws = B.ws AND A.we = B.we AND A.c >= B.m`,
  `WITH h AS (${DUCK_HOP}), m AS (SELECT MAX(c) AS m, ws, we FROM h GROUP BY ws, we)
    SELECT h.k, h.we, h.c FROM h JOIN m ON h.ws = m.ws AND h.we = m.we AND h.c >= m.m`],
  [`SELECT A.k, A.we, A.c, B.s FROM (SELECT k, window_end AS we, COUNT(*) AS c FROM ${TUMBLE} GROUP BY k, window_start, window_end) A
    LEFT JOIN (SELECT k, window_end AS we, SUM(a) AS s FROM ${TUMBLE} WHERE a > 3 GROUP BY k, window_start, window_end) B ON A.k = B.k AND A.we = B.we`,
  `WITH a AS (${DUCK_TUMBLE('COUNT(*) AS c')}), b AS (${DUCK_TUMBLE('SUM(a) AS s', 'WHERE a > 3')})
    SELECT a.k, a.we, a.c, b.s FROM a LEFT JOIN b ON a.k = b.k AND a.we = b.we`],
  [`SELECT A.k, A.we, A.c, B.k, B.c FROM (SELECT k, window_end AS we, COUNT(*) AS c FROM ${TUMBLE} WHERE d < 0.5 GROUP BY k, window_start, window_end) A
    FULL JOIN (SELECT k, window_end AS we, COUNT(*) AS c FROM ${TUMBLE} WHERE d >= 0.5 GROUP BY k, window_start, window_end) B ON A.k = B.k AND A.we = B.we AND A.c > B.c`,
  `WITH a AS (${DUCK_TUMBLE('COUNT(*) AS c', 'WHERE d < 0.5')}), b AS (${DUCK_TUMBLE('COUNT(*) AS c', 'WHERE d >= 0.5')})
    SELECT a.k, a.we, a.c, b.k, b.c FROM a FULL JOIN b ON a.k = b.k AND a.we = b.we AND a.c > b.c`],
];

test('window joins agree with DuckDB on seeded random rows', async () => {
  const seed = testSeed('table-window-join');
  const rows = randomRows(new Random(seed), COLUMNS, 400, { tsRange: 60_000 });
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  // Watermarks trail by more than the data's spread: no row is late, every window is complete.
  const stream = env.fromCollection(rows).assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Record<string, unknown>>(120_000).withTimestampAssigner((r) => r.ts as number));
  tEnv.createTemporaryView('t', stream, { columns: viewColumns(COLUMNS), rowtime: 'rt' });
  for (const [sql, duckSql] of CASES) {
    const table = tEnv.sqlQuery(sql);
    assert.match(table.explain(), /WindowJoin\(/, sql);
    assert.ok(table.isInsertOnly(), `append-only: ${sql}`);
    await checkQuery(tEnv, duck, sql, duckSql, seed);
  }
});

test('a join on window ends that are not both window aggregations stays a regular join', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const stream = env.fromCollection<Record<string, unknown>>([{ k: 'x', a: 1, d: 0, ts: 0 }]).assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps<Record<string, unknown>>().withTimestampAssigner((r) => r.ts as number));
  tEnv.createTemporaryView('t', stream, { columns: viewColumns(COLUMNS), rowtime: 'rt' });
  const plan = tEnv.explainSql(`SELECT * FROM (SELECT k, window_end AS we, COUNT(*) AS c FROM ${TUMBLE} GROUP BY k, window_start, window_end) A
    JOIN (SELECT k, COUNT(*) AS c FROM t GROUP BY k) B ON A.k = B.k`);
  assert.not.match(plan, /WindowJoin/);
  assert.match(plan, /Join\(joinType=\[INNER\]/);
});

test.run();
