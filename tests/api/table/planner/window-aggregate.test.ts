import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import { testSeed } from '../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'ts', type: 'TIMESTAMP' }];

const TVF = (fn: string): string => `TABLE(${fn})`;
/** DuckDB sessions per `keys` by a running count of gaps (rowid orders ties the same way in both windows). */
const sessionsDuck = (keys: string, gap: number, select: string, where = ''): string => `WITH o AS (SELECT *, epoch_ms(ts) AS ms, rowid AS rid FROM t ${where}),
  m AS (SELECT *, CASE WHEN ms - lag(ms) OVER (PARTITION BY ${keys} ORDER BY ms, rid) < ${gap} THEN 0 ELSE 1 END AS fresh FROM o),
  s AS (SELECT *, SUM(fresh) OVER (PARTITION BY ${keys} ORDER BY ms, rid ROWS UNBOUNDED PRECEDING) AS sid FROM m)
  SELECT ${select} FROM s GROUP BY ${keys === '0' ? '' : `${keys}, `}sid`;
/** [actorflow SQL, DuckDB SQL]: window TVFs with and without window aggregation. */
const CASES: [string, string][] = [
  [`SELECT window_start, window_end, k, COUNT(*), SUM(a), MAX(d) FROM ${TVF("TUMBLE(TABLE t, DESCRIPTOR(rt), INTERVAL '10' SECOND)")} GROUP BY window_start, window_end, k`,
    'SELECT epoch_ms(ws), epoch_ms(ws + 10000), k, COUNT(*), SUM(a), MAX(d) FROM (SELECT *, (epoch_ms(ts) // 10000) * 10000 AS ws FROM t) GROUP BY ws, k'],
  [`SELECT window_start, window_end, COUNT(DISTINCT k), SUM(a) FILTER (WHERE a > 0) FROM ${TVF("HOP(TABLE t, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '15' SECOND)")} GROUP BY window_start, window_end`,
    'SELECT epoch_ms(ws), epoch_ms(ws + 15000), COUNT(DISTINCT k), SUM(a) FILTER (WHERE a > 0) FROM (SELECT *, (epoch_ms(ts) // 5000) * 5000 - i * 5000 AS ws FROM t, range(0, 3) r(i)) GROUP BY ws'],
  [`SELECT window_start, window_end, k, COUNT(*) AS c FROM ${TVF("CUMULATE(TABLE t, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '20' SECOND)")} GROUP BY window_start, window_end, k`,
    'SELECT epoch_ms(ws), epoch_ms(we), k, COUNT(*) FROM (SELECT *, (epoch_ms(ts) // 20000) * 20000 AS ws, (epoch_ms(ts) // 20000) * 20000 + 5000 * j AS we FROM t, range(1, 5) r(j)) WHERE epoch_ms(ts) < we GROUP BY ws, we, k'],
  [`SELECT k, a, window_start, window_end FROM ${TVF("HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(rt), SLIDE => INTERVAL '10' SECOND, SIZE => INTERVAL '20' SECOND)")} WHERE a > 1`,
    'SELECT k, a, epoch_ms(ws), epoch_ms(ws + 20000) FROM (SELECT *, (epoch_ms(ts) // 10000) * 10000 - i * 10000 AS ws FROM t, range(0, 2) r(i)) WHERE a > 1'],
  // Legacy group windows: the same windows through GROUP BY TUMBLE/HOP/SESSION.
  ["SELECT TUMBLE_START(rt, INTERVAL '10' SECOND) AS ws, TUMBLE_END(rt, INTERVAL '10' SECOND), k, COUNT(*), SUM(a) FROM t GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), k",
    'SELECT epoch_ms(ws), epoch_ms(ws + 10000), k, COUNT(*), SUM(a) FROM (SELECT *, (epoch_ms(ts) // 10000) * 10000 AS ws FROM t) GROUP BY ws, k'],
  ["SELECT HOP_END(rt, INTERVAL '5' SECOND, INTERVAL '15' SECOND), MAX(d) FROM t GROUP BY HOP(rt, INTERVAL '5' SECOND, INTERVAL '15' SECOND)",
    'SELECT epoch_ms(ws + 15000), MAX(d) FROM (SELECT *, (epoch_ms(ts) // 5000) * 5000 - i * 5000 AS ws FROM t, range(0, 3) r(i)) GROUP BY ws'],
  ["SELECT k, SESSION_START(rt, INTERVAL '2' SECOND), SESSION_END(rt, INTERVAL '2' SECOND), COUNT(*), SUM(a) FROM t GROUP BY k, SESSION(rt, INTERVAL '2' SECOND)",
    // Sessions by a running count of gaps; rowid orders ties the same way in both windows.
    `WITH o AS (SELECT *, epoch_ms(ts) AS ms, rowid AS rid FROM t),
      m AS (SELECT *, CASE WHEN ms - lag(ms) OVER (PARTITION BY k ORDER BY ms, rid) < 2000 THEN 0 ELSE 1 END AS fresh FROM o),
      s AS (SELECT *, SUM(fresh) OVER (PARTITION BY k ORDER BY ms, rid ROWS UNBOUNDED PRECEDING) AS sid FROM m)
      SELECT k, epoch_ms(MIN(ms)), epoch_ms(MAX(ms) + 2000), COUNT(*), SUM(a) FROM s GROUP BY k, sid`],
  // The SESSION window TVF: sessions per group key (PARTITION BY names keys of the GROUP BY).
  [`SELECT k, window_start, window_end, window_time, COUNT(*), SUM(a), MAX(d) FROM ${TVF("SESSION(TABLE t PARTITION BY k, DESCRIPTOR(rt), INTERVAL '2' SECOND)")} GROUP BY window_start, window_end, k`,
    sessionsDuck('k', 2000, 'k, epoch_ms(MIN(ms)), epoch_ms(MAX(ms) + 2000), epoch_ms(MAX(ms) + 1999), COUNT(*), SUM(a), MAX(d)')],
  [`SELECT window_start, window_end, COUNT(*), COUNT(DISTINCT k) FROM ${TVF("SESSION(TABLE t, DESCRIPTOR(rt), INTERVAL '0.5' SECOND)")} WHERE a IS NOT NULL GROUP BY window_start, window_end`,
    sessionsDuck('0', 500, 'epoch_ms(MIN(ms)), epoch_ms(MAX(ms) + 500), COUNT(*), COUNT(DISTINCT k)', 'WHERE a IS NOT NULL')],
  [`SELECT k, a, window_end, COUNT(*) AS c FROM ${TVF("SESSION(DATA => TABLE t PARTITION BY (k, a), TIMECOL => DESCRIPTOR(rt), GAP => INTERVAL '5' SECOND)")} GROUP BY k, a, window_start, window_end`,
    sessionsDuck('k, a', 5000, 'k, a, epoch_ms(MAX(ms) + 5000), COUNT(*)')],
  // A GROUP BY over a window aggregation's renamed window_end is a window aggregation too (q5's MaxBids).
  [`SELECT endtime, MAX(c), COUNT(*) FROM (SELECT k, window_end AS endtime, COUNT(*) AS c FROM ${TVF("HOP(TABLE t, DESCRIPTOR(rt), INTERVAL '5' SECOND, INTERVAL '15' SECOND)")} GROUP BY k, window_start, window_end) GROUP BY endtime`,
    'SELECT epoch_ms(we), MAX(c), COUNT(*) FROM (SELECT k, ws + 15000 AS we, COUNT(*) AS c FROM (SELECT *, (epoch_ms(ts) // 5000) * 5000 - i * 5000 AS ws FROM t, range(0, 3) r(i)) GROUP BY k, ws) GROUP BY we'],
  [`SELECT window_start, SUM(c) FROM (SELECT window_start, window_end, k, COUNT(*) AS c FROM ${TVF("TUMBLE(TABLE t, DESCRIPTOR(rt), INTERVAL '20' SECOND)")} GROUP BY window_start, window_end, k) GROUP BY window_start`,
    'SELECT epoch_ms((epoch_ms(ts) // 20000) * 20000), COUNT(*) FROM t GROUP BY 1'],
];

test('window TVFs and window aggregation agree with DuckDB on seeded random rows', async () => {
  const seed = testSeed('table-window-aggregate');
  const rows = randomRows(new Random(seed), COLUMNS, 300, { tsRange: 60_000 });
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  // Watermarks trail by more than the data's spread: no row is late, every window is complete.
  const stream = env.fromCollection(rows).assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Record<string, unknown>>(120_000).withTimestampAssigner((r) => r.ts as number));
  tEnv.createTemporaryView('t', stream, { columns: viewColumns(COLUMNS), rowtime: 'rt' });
  for (const [sql, duckSql] of CASES) await checkQuery(tEnv, duck, sql, duckSql, seed);
  const nested = tEnv.sqlQuery(CASES.find(([sql]) => sql.startsWith('SELECT endtime'))![0]);
  assert.ok(nested.isInsertOnly(), 'the outer aggregation fires once per window');
  assert.is(nested.explain().match(/WindowAggregate/g)?.length, 2);
});

/** [actorflow SQL, DuckDB SQL]: OVER aggregates over ROWS and RANGE frames. */
const OVER_CASES: [string, string][] = [
  ['SELECT k, ts, SUM(a) OVER (PARTITION BY k ORDER BY rt ROWS BETWEEN 3 PRECEDING AND CURRENT ROW), COUNT(*) OVER (PARTITION BY k ORDER BY rt ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) FROM t',
    'SELECT k, ts, SUM(a) OVER w, COUNT(*) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)'],
  ["SELECT k, ts, MAX(d) OVER w AS m, AVG(d) OVER w AS v FROM t WINDOW w AS (PARTITION BY k ORDER BY rt RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW)",
    "SELECT k, ts, MAX(d) OVER w, AVG(d) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL 2 SECOND PRECEDING AND CURRENT ROW)"],
  // Interval joins (a self-join of the stream view), and a window aggregation over one (time attributes kept).
  ["SELECT x.k, x.a, y.a FROM t x JOIN t y ON x.k = y.k AND y.rt BETWEEN x.rt - INTERVAL '2' SECOND AND x.rt + INTERVAL '1' SECOND",
    'SELECT x.k, x.a, y.a FROM t x JOIN t y ON x.k = y.k AND y.ts BETWEEN x.ts - INTERVAL 2 SECOND AND x.ts + INTERVAL 1 SECOND'],
  ["SELECT x.a, y.d FROM t x, t y WHERE x.a = y.a AND x.rt > y.rt AND x.rt <= y.rt + INTERVAL '3' SECOND AND x.d < y.d",
    'SELECT x.a, y.d FROM t x, t y WHERE x.a = y.a AND x.ts > y.ts AND x.ts <= y.ts + INTERVAL 3 SECOND AND x.d < y.d'],
  ['SELECT ts, a, SUM(a) OVER (ORDER BY rt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) + 1 AS running, MIN(a) OVER (ORDER BY rt ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t',
    'SELECT ts, a, SUM(a) OVER w + 1, MIN(a) OVER w FROM t WINDOW w AS (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)'],
];

test('OVER aggregates agree with DuckDB on rows arriving out of order (distinct times)', async () => {
  const seed = testSeed('table-over-aggregate');
  const random = new Random(seed);
  const rows: Record<string, unknown>[] = randomRows(random, COLUMNS, 200).map((r, i) => ({ ...r, ts: Date.UTC(2024, 0, 1) + i * 300 + random.int(0, 250) }));
  for (let i = rows.length - 1; i > 0; i--) { const j = random.int(Math.max(0, i - 5), i); [rows[i], rows[j]] = [rows[j], rows[i]]; }
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  const stream = env.fromCollection(rows).assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Record<string, unknown>>(10_000).withTimestampAssigner((r) => r.ts as number));
  tEnv.createTemporaryView('t', stream, { columns: viewColumns(COLUMNS), rowtime: 'rt' });
  for (const [sql, duckSql] of OVER_CASES) await checkQuery(tEnv, duck, sql, duckSql, seed);
});

test('an interval join keeps both time attributes, so a window aggregation can follow it', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const view = (name: string, events: { id: number; t: number }[]) => tEnv.createTemporaryView(name, env.fromCollection(events)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<{ id: number; t: number }>(1000).withTimestampAssigner((e) => e.t)),
  { columns: { id: 'INT' }, rowtime: 'rt' });
  view('orders', [{ id: 1, t: 1000 }, { id: 2, t: 1500 }, { id: 3, t: 12_000 }]);
  view('shipments', [{ id: 1, t: 3000 }, { id: 2, t: 9000 }, { id: 3, t: 13_000 }]);
  await tEnv.executeSql("CREATE VIEW shipped AS SELECT o.id, o.rt AS ordered, s.rt AS shipped FROM orders o JOIN shipments s ON o.id = s.id AND s.rt BETWEEN o.rt AND o.rt + INTERVAL '5' SECOND");
  assert.match(tEnv.explainSql('SELECT * FROM shipped'), /IntervalJoin\(joinType=\[INNER\].*bounds=\[rt - rt in \[0, 5000\] ms\]/);
  const t = tEnv.sqlQuery("SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE shipped, DESCRIPTOR(shipped), INTERVAL '10' SECOND)) GROUP BY window_start, window_end");
  assert.ok(t.isInsertOnly());
  assert.equal(await t.execute().collect(), [{ window_start: 0, n: 1 }, { window_start: 10_000, n: 1 }]);
});

test('a window aggregation is append-only, fires on the watermark, and drops rows of windows already fired', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const events = [{ k: 'x', t: 1000 }, { k: 'x', t: 4000 }, { k: 'x', t: 12_000 }, { k: 'x', t: 3000 /* late: [0, 10s) fired */ }, { k: 'x', t: 25_000 }];
  const stream = env.fromCollection(events).assignTimestampsAndWatermarks(
    WatermarkStrategy.forGenerator<{ k: string; t: number }>(() => ({
      onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.t));
  tEnv.createTemporaryView('e', stream, { columns: { k: 'STRING', t: 'BIGINT' }, rowtime: 'rt' });
  const t = tEnv.sqlQuery("SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(rt), INTERVAL '10' SECOND)) GROUP BY window_start, window_end");
  assert.ok(t.isInsertOnly());
  const log = await t.execute().collectChangelog();
  assert.equal(log, [
    { op: '+I', row: { window_start: 0, c: 2 } }, { op: '+I', row: { window_start: 10_000, c: 1 } }, { op: '+I', row: { window_start: 20_000, c: 1 } },
  ]);
});

test.run();
