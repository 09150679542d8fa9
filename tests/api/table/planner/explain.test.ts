import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
/** Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate plan change (then review the diff). */
const update = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.UPDATE_GOLDEN === '1';

function tableEnv(): { env: StreamExecutionEnvironment; tEnv: StreamTableEnvironment } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.executeSql(`CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, url STRING, dateTime TIMESTAMP(3),
    WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
  tEnv.executeSql("CREATE TABLE person (id BIGINT, name STRING, city STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')");
  tEnv.executeSql("CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole')");
  return { env, tEnv };
}

const PLANS: Record<string, string> = {
  'calc-fused': "SELECT auction, price * 0.908 AS euros FROM (SELECT * FROM bid WHERE price > 10) WHERE url LIKE 'http%'",
  'group-aggregate': 'SELECT auction, COUNT(*) AS bids, MAX(price) FILTER (WHERE bidder > 5) AS top FROM bid GROUP BY auction HAVING COUNT(*) > 1',
  'window-aggregate': "SELECT window_start, window_end, auction, COUNT(DISTINCT bidder) FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY window_start, window_end, auction",
  'join-union-sort': 'SELECT name, price FROM bid JOIN person ON bidder = id UNION ALL SELECT city, id FROM person ORDER BY price DESC LIMIT 5',
  'top-n': 'SELECT * FROM (SELECT auction, price, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 3',
  'insert': 'INSERT INTO sink SELECT auction, SUM(price) FROM bid GROUP BY auction',
};

test('explainSql prints the plan operator by operator (golden files)', () => {
  const { tEnv } = tableEnv();
  for (const [name, sql] of Object.entries(PLANS)) {
    const plan = tEnv.explainSql(sql);
    const file = join(GOLDEN, `${name}.txt`);
    if (update || !existsSync(file)) writeFileSync(file, plan);
    assert.fixture(plan, readFileSync(file, 'utf8'), name);
  }
});

test('EXPLAIN as a statement returns the same plan as a row', async () => {
  const { tEnv } = tableEnv();
  const rows = await (await tEnv.executeSql(`EXPLAIN ${PLANS['group-aggregate']}`)).collect();
  assert.is(rows[0].plan, tEnv.explainSql(PLANS['group-aggregate']));
});

test('operator uids come from the plan: the same query gets the same uids, another query others', () => {
  const uidsOf = (sql: string): string[] => {
    const { env, tEnv } = tableEnv();
    tEnv.toChangelogStream(tEnv.sqlQuery(sql)).addSink(() => {});
    return env.streamGraph.nodes.map((n) => n.uid ?? '').filter((u) => u.startsWith('table-'));
  };
  const a = uidsOf(PLANS['group-aggregate']);
  assert.ok(a.length >= 3, a.join(', '));
  assert.equal(uidsOf(PLANS['group-aggregate']), a);
  assert.equal(new Set(a).size, a.length);
  const b = uidsOf(PLANS['group-aggregate'].replace('COUNT(*) > 1', 'COUNT(*) > 2'));
  assert.not.equal(b, a);
});

test.run();
