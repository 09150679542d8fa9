// Event-time temporal joins (FOR SYSTEM_TIME AS OF) against DuckDB's ASOF JOIN on seeded random
// orders and rate versions, the versioned table's deletions against a plain loop, and the errors
// for what is not a temporal join Flink accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import { testSeed } from '../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const ORDERS: TestColumn[] = [{ name: 'k', type: 'STRING' }, { name: 'amount', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }];
const RATES: TestColumn[] = [{ name: 'rk', type: 'STRING' }, { name: 'rate', type: 'DOUBLE' }, { name: 'rts', type: 'TIMESTAMP' }];
const EPOCH = Date.UTC(2024, 0, 1);

/** Versions of each key at distinct times (DuckDB's ASOF picks arbitrarily among ties). */
function rateVersions(random: Random): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const rk of ['hot', 'k0', 'k1', 'k2', 'k3', 'k4', 'k5']) {
    const times = new Set<number>();
    for (let i = random.int(0, 8); i > 0; i--) times.add(EPOCH + random.int(0, 60_000));
    for (const t of times) rows.push({ rk, rate: random.chance(0.1) ? null : Math.round(random.next() * 10000) / 100, rts: t });
  }
  // Arrival order is not time order.
  for (let i = rows.length - 1; i > 0; i--) { const j = random.int(0, i); [rows[i], rows[j]] = [rows[j], rows[i]]; }
  return rows;
}

const CASES: [string, string][] = [
  ['SELECT o.k, o.amount, o.ts, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.k = r.rk',
    'SELECT o.k, o.amount, o.ts, r.rate FROM orders o ASOF JOIN rates r ON o.k = r.rk AND o.ts >= r.rts'],
  ['SELECT o.k, o.amount, r.rate, r.rts FROM orders o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ot r ON r.rk = o.k',
    'SELECT o.k, o.amount, r.rate, r.rts FROM orders o ASOF LEFT JOIN rates r ON r.rk = o.k AND o.ts >= r.rts'],
  ['SELECT o.k, o.amount * r.rate AS v FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ot r ON o.k = r.rk AND r.rate > 20 WHERE o.amount > 0',
    'SELECT o.k, o.amount * r.rate FROM orders o ASOF JOIN rates r ON o.k = r.rk AND o.ts >= r.rts WHERE r.rate > 20 AND o.amount > 0'],
  // The join keeps the left time attribute: a window aggregation over its result.
  ["SELECT window_start, COUNT(*), SUM(rate) FROM TABLE(TUMBLE(TABLE j, DESCRIPTOR(ot), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    'SELECT epoch_ms((epoch_ms(o.ts) // 10000) * 10000), COUNT(*), SUM(r.rate) FROM orders o ASOF JOIN rates r ON o.k = r.rk AND o.ts >= r.rts GROUP BY 1'],
];

test('temporal joins agree with DuckDB ASOF joins on seeded orders and rate versions', async () => {
  const seed = testSeed('table-temporal-join');
  const random = new Random(seed);
  const orders = randomRows(random, ORDERS, 300, { tsRange: 70_000 }).map((r) => ({ ...r, ts: (r.ts as number) - 5000 }));
  const rates = rateVersions(random);
  const duck = await openDuck();
  await loadDuck(duck, 'orders', ORDERS, orders);
  await loadDuck(duck, 'rates', RATES, rates);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  const late = <T extends Record<string, unknown>>(field: string) => WatermarkStrategy.forBoundedOutOfOrderness<T>(120_000).withTimestampAssigner((r) => r[field] as number);
  tEnv.createTemporaryView('orders', env.fromCollection(orders).assignTimestampsAndWatermarks(late('ts')), { columns: viewColumns(ORDERS), rowtime: 'ot' });
  tEnv.createTemporaryView('rates', env.fromCollection(rates).assignTimestampsAndWatermarks(late('rts')), { columns: viewColumns(RATES), rowtime: 'rt', primaryKey: ['rk'] });
  await tEnv.executeSql('CREATE VIEW j AS SELECT o.ot, r.rate FROM orders o JOIN rates FOR SYSTEM_TIME AS OF o.ot r ON o.k = r.rk');
  assert.match(tEnv.explainSql(CASES[0][0]), /TemporalJoin\(joinType=\[INNER\], where=\[o\.k = r\.rk\], keys=\[k=rk\], asOf=\[ot\], versionTime=\[rt\]\)/);
  for (const [sql, duckSql] of CASES) await checkQuery(tEnv, duck, sql, duckSql, seed);
});

test('a deleted version ends the key: later orders find no rate (plain loop)', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const ts = <T>(f: (x: T) => number) => WatermarkStrategy.forBoundedOutOfOrderness<T>(1000).withTimestampAssigner(f);
  type Rate = { op: '+I' | '+U' | '-U' | '-D'; row: { rk: string; rate: number } ; t: number };
  const changes: Rate[] = [
    { op: '+I', row: { rk: 'eur', rate: 1.1 }, t: 1000 }, { op: '-U', row: { rk: 'eur', rate: 1.1 }, t: 5000 },
    { op: '+U', row: { rk: 'eur', rate: 1.2 }, t: 5000 }, { op: '-D', row: { rk: 'eur', rate: 1.2 }, t: 9000 },
    { op: '+I', row: { rk: 'usd', rate: 0.9 }, t: 2000 },
  ];
  const rates = tEnv.fromChangelogStream(env.fromCollection(changes).assignTimestampsAndWatermarks(ts((c: Rate) => c.t)).map((c) => ({ op: c.op, row: c.row })),
    { columns: { rk: 'STRING', rate: 'DOUBLE' }, rowtime: 'rt', primaryKey: ['rk'] });
  tEnv.createTemporaryView('rates', rates);
  const orders = [0, 1000, 3000, 5000, 8999, 9000, 12000].flatMap((t) => [{ k: 'eur', t }, { k: 'usd', t }]);
  tEnv.createTemporaryView('orders', env.fromCollection(orders).assignTimestampsAndWatermarks(ts((o: { k: string; t: number }) => o.t)), { columns: { k: 'STRING', t: 'BIGINT' }, rowtime: 'ot' });
  const rows = await tEnv.sqlQuery('SELECT o.k, o.t, r.rate FROM orders o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.ot AS r ON o.k = r.rk').execute().collect();
  // The plain loop: the latest change at or before t; a deletion means no rate.
  const expected = orders.map((o) => {
    const live = changes.filter((c) => c.row.rk === o.k && c.t <= o.t && c.op !== '-U').sort((a, b) => a.t - b.t).pop();
    return { k: o.k, t: o.t, rate: live && live.op !== '-D' ? live.row.rate : null };
  });
  const key = (r: Record<string, unknown>) => `${r.k}|${r.t}`;
  assert.equal(rows.map((r) => ({ k: r.k, t: r.t, rate: r.rate })).sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
});

test('temporal join errors name the construct and its position', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('o', env.fromElements({ k: 'a', n: 1 }), { columns: { k: 'STRING', n: 'INT' }, rowtime: 'ot' });
  tEnv.createTemporaryView('v', env.fromElements({ k: 'a', x: 1 }), { columns: { k: 'STRING', x: 'INT' }, rowtime: 'vt', primaryKey: ['k'] });
  tEnv.createTemporaryView('nokey', env.fromElements({ k: 'a', x: 1 }), { columns: { k: 'STRING', x: 'INT' }, rowtime: 'vt' });
  tEnv.executeSql("CREATE TABLE g (k STRING, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '1')");
  const cases: [string, RegExp][] = [
    ['SELECT * FROM o JOIN nokey FOR SYSTEM_TIME AS OF o.ot AS n ON o.k = n.k', /line 1, column 22: nokey is not a versioned table: a temporal join needs a PRIMARY KEY/],
    ['SELECT * FROM o JOIN v FOR SYSTEM_TIME AS OF o.ot ON o.n = v.x', /line 1, column 54: a temporal join's ON must equate the primary key of v with left columns; k is not/],
    ['SELECT * FROM o JOIN v FOR SYSTEM_TIME AS OF o.n ON o.k = v.k', /line 1, column 46: FOR SYSTEM_TIME AS OF needs an event-time attribute of the left side, but o.n is INT/],
    ['SELECT * FROM g JOIN v FOR SYSTEM_TIME AS OF g.pt ON g.k = v.k', /line 1, column 46: processing-time temporal joins \(lookup joins/],
    ['SELECT * FROM o FULL JOIN v FOR SYSTEM_TIME AS OF o.ot ON o.k = v.k', /a temporal join \(FOR SYSTEM_TIME AS OF\) is INNER or LEFT, not FULL/],
    ['SELECT * FROM v FOR SYSTEM_TIME AS OF TIMESTAMP \'2024-01-01 00:00:00\'', /FOR SYSTEM_TIME AS OF belongs to the right side of a JOIN/],
  ];
  for (const [sql, reason] of cases) assert.throws(() => tEnv.sqlQuery(sql), reason, sql);
});

test.run();
