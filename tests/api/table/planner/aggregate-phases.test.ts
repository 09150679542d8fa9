// Mini-batch and two-phase GROUP BY (table.exec.mini-batch.*, table.optimizer.agg-phase-strategy):
// results agree with DuckDB on seeded random rows (NULLs, duplicates, a hot key) with mini-batch off
// and on, in one phase and in two, with batches small enough to flush mid-stream by size; EXPLAIN
// shows MiniBatchAssigner, LocalGroupAggregate and GlobalGroupAggregate where they apply (golden
// files), and bad option values are refused naming the option.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { testSeed } from '../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), 'golden');
/** Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate plan change (then review the diff). */
const update = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.UPDATE_GOLDEN === '1';

const COLUMNS: TestColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'g', type: 'INT' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'flag', type: 'BOOLEAN' },
];

/** [actorflow SQL, DuckDB SQL]: aggregates that merge (two phases), DISTINCT and MIN/MAX over updates (one phase), nested GROUP BYs. */
const CASES: [string, string?][] = [
  ['SELECT k, COUNT(*), COUNT(a), SUM(a), MIN(a), MAX(a) FROM t GROUP BY k'],
  ['SELECT k, g, SUM(d), AVG(d), MIN(d), MAX(k) FROM t GROUP BY k, g'],
  ['SELECT g, AVG(a) FROM t GROUP BY g', 'SELECT g, CAST(trunc(AVG(a)) AS BIGINT) FROM t GROUP BY g'],
  ['SELECT k, COUNT(DISTINCT a), SUM(DISTINCT a), COUNT(DISTINCT g) FILTER (WHERE flag), COUNT(*) FILTER (WHERE a > 0) FROM t GROUP BY k'],
  ['SELECT k, COUNT(*) FILTER (WHERE flag), SUM(a) FILTER (WHERE a > 0), MAX(d) FILTER (WHERE g = 1) FROM t GROUP BY k'],
  ['SELECT COUNT(*), SUM(a), MIN(k), MAX(d) FROM t'],
  ['SELECT DISTINCT k, g FROM t'],
  ['SELECT k, g, COUNT(*) AS c FROM t GROUP BY ROLLUP (k, g)'],
  // Over an updating input: COUNT and SUM merge with retractions (two phases); MIN/MAX and DISTINCT do not (one phase).
  ['SELECT c, COUNT(*) AS n, SUM(s) AS total FROM (SELECT k, COUNT(*) AS c, SUM(a) AS s FROM t GROUP BY k) GROUP BY c'],
  ['SELECT mx, MIN(k), MAX(k), COUNT(DISTINCT k) FROM (SELECT k, MAX(g) AS mx FROM t GROUP BY k) GROUP BY mx'],
  ['SELECT g, COUNT(*), SUM(g) FROM (SELECT DISTINCT g, k FROM t) GROUP BY g'],
];

/** SET statements of one configuration. */
const CONFIGS: Record<string, Record<string, string>> = {
  'mini-batch off': {},
  'mini-batch, one phase, 7 rows': { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '1 h', 'table.exec.mini-batch.size': '7', 'table.optimizer.agg-phase-strategy': 'ONE_PHASE' },
  'mini-batch, two phases, 7 rows': { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '1 h', 'table.exec.mini-batch.size': '7', 'table.optimizer.agg-phase-strategy': 'TWO_PHASE' },
  'mini-batch, AUTO, 1 row': { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '2 s', 'table.exec.mini-batch.size': '1' },
  'mini-batch, AUTO, 5000 rows': { 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '2s', 'table.exec.mini-batch.size': '5000' },
};

function tableEnv(settings: Record<string, string>, parallelism = 2): { env: StreamExecutionEnvironment; tEnv: StreamTableEnvironment } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism);
  const tEnv = StreamTableEnvironment.create(env);
  for (const [key, value] of Object.entries(settings)) void tEnv.executeSql(`SET '${key}' = '${value}'`);
  return { env, tEnv };
}

test('GROUP BY agrees with DuckDB with mini-batch off and on, in one phase and in two (seeded rows with NULLs, duplicates, a hot key)', async () => {
  const seed = testSeed('table-aggregate-phases');
  const rows = randomRows(new Random(seed), COLUMNS, 600);
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  for (const [name, settings] of Object.entries(CONFIGS)) {
    const { env, tEnv } = tableEnv(settings);
    tEnv.createTemporaryView('t', env.fromCollection(rows), { columns: viewColumns(COLUMNS) });
    for (const [sql, duckSql] of CASES) await checkQuery(tEnv, duck, sql, duckSql, seed).catch((e: Error) => { throw new Error(`${name}: ${e.message}`); });
  }
});

const PLANS: Record<string, [Record<string, string>, string]> = {
  // Every aggregate merges: local before the exchange, global after it.
  'mini-batch-two-phase': [CONFIGS['mini-batch, AUTO, 5000 rows'], 'SELECT auction, COUNT(*) AS bids, SUM(price) AS total, MAX(price) FILTER (WHERE bidder > 5) AS top FROM bid GROUP BY auction'],
  // DISTINCT is not split: one phase with its mini-batch.
  'mini-batch-distinct': [CONFIGS['mini-batch, AUTO, 5000 rows'], 'SELECT auction, COUNT(DISTINCT bidder) AS bidders, COUNT(*) AS bids FROM bid GROUP BY auction'],
  'mini-batch-one-phase': [CONFIGS['mini-batch, one phase, 7 rows'], 'SELECT auction, COUNT(*) AS bids FROM bid GROUP BY auction'],
  // The outer MAX over an updating input keeps a multiset that does not merge: one phase above, two below.
  'mini-batch-updating': [CONFIGS['mini-batch, AUTO, 5000 rows'], 'SELECT MAX(c) AS most, SUM(c) AS total FROM (SELECT auction, COUNT(*) AS c FROM bid GROUP BY auction)'],
};

test('EXPLAIN shows MiniBatchAssigner, LocalGroupAggregate and GlobalGroupAggregate where they apply (golden files)', () => {
  for (const [name, [settings, sql]] of Object.entries(PLANS)) {
    const { tEnv } = tableEnv(settings);
    void tEnv.executeSql(`CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, dateTime TIMESTAMP(3),
      WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10')`);
    const plan = tEnv.explainSql(sql);
    const file = join(GOLDEN, `${name}.txt`);
    if (update || !existsSync(file)) writeFileSync(file, plan);
    assert.fixture(plan, readFileSync(file, 'utf8'), name);
    // Table.explain() prints the same plan.
    assert.ok(plan.includes(tEnv.sqlQuery(sql).explain()), `${name}: Table.explain`);
  }
  const { tEnv } = tableEnv({});
  void tEnv.executeSql("CREATE TABLE bid (auction BIGINT, price BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10')");
  assert.not.match(tEnv.explainSql('SELECT auction, COUNT(*) FROM bid GROUP BY auction'), /MiniBatch|LocalGroup|GlobalGroup/, 'mini-batch is off by default');
});

test('in BATCH mode the mini-batch options are not applied (a keyed operator sees one key at a time there)', async () => {
  const { env, tEnv } = tableEnv(CONFIGS['mini-batch, AUTO, 1 row']);
  env.setRuntimeMode('batch');
  tEnv.createTemporaryView('t', env.fromCollection(Array.from({ length: 50 }, (_, i) => ({ k: `k${i % 4}`, v: i }))));
  const sql = 'SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY k';
  assert.not.match(tEnv.explainSql(sql), /MiniBatch|LocalGroup|GlobalGroup/);
  const rows = (await tEnv.sqlQuery(sql).execute().collect()).map((r) => `${r.k}:${r.n}:${r.s}`).sort();
  assert.equal(rows, ['k0:13:312', 'k1:13:325', 'k2:12:288', 'k3:12:300']);
});

test("a mini-batch's latency and size do not change the operators' uids (state restores after retuning)", () => {
  const uids = (settings: Record<string, string>): string[] => {
    const { env, tEnv } = tableEnv(settings);
    tEnv.createTemporaryView('t', env.fromElements({ k: 'a', v: 1 }));
    tEnv.toChangelogStream(tEnv.sqlQuery('SELECT k, COUNT(*) AS n, COUNT(DISTINCT v) AS d FROM (SELECT k, SUM(v) AS v FROM t GROUP BY k) GROUP BY k'));
    return env.streamGraph.nodes.flatMap((n) => (n.uid?.startsWith('table-') ? [n.uid] : []));
  };
  const small = uids(CONFIGS['mini-batch, AUTO, 1 row']);
  assert.ok(small.some((u) => u.includes('global-group-aggregate')) && small.some((u) => u.startsWith('table-aggregate-group-aggregate')), small.join(' '));
  assert.equal(uids(CONFIGS['mini-batch, AUTO, 5000 rows']), small);
});

test('bad mini-batch and phase options are refused naming the option', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.size': '100' }, /table\.exec\.mini-batch\.allow-latency must be above 0/],
    [{ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '2 s' }, /table\.exec\.mini-batch\.size must be a whole number above 0/],
    [{ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': '2 s', 'table.exec.mini-batch.size': '0' }, /table\.exec\.mini-batch\.size/],
    [{ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.allow-latency': 'soon', 'table.exec.mini-batch.size': '10' }, /table\.exec\.mini-batch\.allow-latency must be a duration/],
    [{ 'table.exec.mini-batch.enabled': 'yes' }, /table\.exec\.mini-batch\.enabled must be 'true' or 'false'/],
    [{ 'table.optimizer.agg-phase-strategy': 'THREE_PHASE' }, /table\.optimizer\.agg-phase-strategy must be AUTO, ONE_PHASE or TWO_PHASE/],
    [{ 'table.optimizer.distinct-agg.split.enabled': 'true' }, /table\.optimizer\.distinct-agg\.split\.enabled = 'true' is not supported/],
  ];
  for (const [settings, message] of cases) {
    const { env, tEnv } = tableEnv(settings);
    tEnv.createTemporaryView('t', env.fromElements({ k: 'a' }));
    assert.throws(() => tEnv.explainSql('SELECT k, COUNT(*) FROM t GROUP BY k'), message);
    let error: Error | undefined;
    await tEnv.sqlQuery('SELECT k, COUNT(*) FROM t GROUP BY k').execute().collect().catch((e: Error) => { error = e; });
    assert.match(error?.message ?? '', message);
  }
});

test.run();
