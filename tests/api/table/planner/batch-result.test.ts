// SQL in BATCH mode: every result is insert-only (Flink's batch planning). Updating queries —
// GROUP BY (with DISTINCT and FILTER), aggregates over aggregates, outer joins, Top-N — give only
// +I rows, equal to DuckDB's rows over the same seeded data; an updating result may go to an
// append-only sink or toDataStream; `SET 'execution.runtime-mode'` chooses the mode in SQL, and
// 'automatic' with bounded sources plans as batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, StreamTableEnvironment, type ChangelogRow } from '../../../../api/index.ts';
import { testSeed } from '../../../support/random.ts';
import { assertSameRows, loadDuck, openDuck, queryDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [
  { name: 'id', type: 'BIGINT' }, { name: 'k', type: 'STRING' }, { name: 'g', type: 'INT' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'flag', type: 'BOOLEAN' },
];

/** [actorflow SQL, DuckDB SQL when it differs]. */
const CASES: [string, string?][] = [
  ['SELECT k, COUNT(*), COUNT(a), SUM(a), MIN(d), MAX(g), COUNT(DISTINCT g), SUM(a) FILTER (WHERE flag) FROM t GROUP BY k'],
  ['SELECT COUNT(*), SUM(g), MAX(d) FROM t'],
  // An aggregate over an updating aggregate.
  ['SELECT c, COUNT(*) FROM (SELECT k, COUNT(*) AS c FROM t GROUP BY k) GROUP BY c'],
  // Outer joins of an aggregate with the rows.
  ['SELECT t.id, t.k, m.mx FROM t LEFT JOIN (SELECT g, MAX(a) AS mx FROM t GROUP BY g) m ON t.g = m.g'],
  ['SELECT l.k, l.c, r.s FROM (SELECT k, COUNT(*) AS c FROM t WHERE flag GROUP BY k) l FULL OUTER JOIN (SELECT k, SUM(g) AS s FROM t WHERE NOT flag GROUP BY k) r ON l.k = r.k'],
  // Top-N per key (ties broken by the unique id).
  ['SELECT k, id, a FROM (SELECT k, id, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC, id) AS rn FROM t WHERE a IS NOT NULL) WHERE rn <= 2',
    'SELECT k, id, a FROM (SELECT k, id, a, ROW_NUMBER() OVER (PARTITION BY k ORDER BY a DESC, id) AS rn FROM t WHERE a IS NOT NULL) WHERE rn <= 2'],
];

function rowsOf(seed: number): Record<string, unknown>[] {
  return randomRows(new Random(seed), COLUMNS.slice(1), 600).map((r, i) => ({ id: i, ...r }));
}

function batchEnv(rows: Record<string, unknown>[], mode: 'batch' | 'automatic' | 'streaming' = 'batch') {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2).setRuntimeMode(mode);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromCollection(rows), { columns: viewColumns(COLUMNS) });
  return { env, tEnv };
}

const values = (rows: ChangelogRow[]): unknown[][] => rows.map((c) => Object.values(c.row));

test('BATCH mode: updating queries give only +I rows, equal to DuckDB', async () => {
  const seed = testSeed('sql-batch-result');
  const rows = rowsOf(seed);
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  for (const [sql, duckSql] of CASES) {
    const { tEnv } = batchEnv(rows);
    const table = tEnv.sqlQuery(sql);
    assert.not.ok(table.isInsertOnly(), `${sql}: the plan itself is updating`);
    const changelog = await table.execute().collectChangelog();
    assert.equal([...new Set(changelog.map((c) => c.op))], ['+I'], `${sql}: only inserts (seed ${seed})`);
    assertSameRows(values(changelog), await queryDuck(duck, duckSql ?? sql), `${sql} (seed ${seed})`);
  }
});

test('streaming mode keeps the changelog (the same query retracts), and its final rows agree', async () => {
  const seed = testSeed('sql-batch-result-streaming');
  const rows = rowsOf(seed);
  const sql = CASES[0][0];
  const streaming = await batchEnv(rows, 'streaming').tEnv.sqlQuery(sql).execute().collectChangelog();
  assert.ok(streaming.some((c) => c.op === '-U'), 'streaming retracts');
  const batch = await batchEnv(rows).tEnv.sqlQuery(sql).execute().collect();
  const final = await batchEnv(rows, 'streaming').tEnv.sqlQuery(sql).execute().collect();
  assertSameRows(batch.map((r) => Object.values(r)), final.map((r) => Object.values(r)), `${sql} (seed ${seed})`);
});

test("'automatic' with bounded sources plans as batch; SET 'execution.runtime-mode' chooses the mode in SQL", async () => {
  const rows = rowsOf(7);
  const auto = await batchEnv(rows, 'automatic').tEnv.sqlQuery('SELECT k, COUNT(*) FROM t GROUP BY k').execute().collectChangelog();
  assert.equal([...new Set(auto.map((c) => c.op))], ['+I']);
  const { tEnv, env } = batchEnv(rows, 'streaming');
  tEnv.executeSql("SET 'execution.runtime-mode' = 'batch'");
  assert.is(env.getRuntimeMode(), 'batch');
  assert.match(tEnv.explainSql('SELECT g, SUM(a) FROM t GROUP BY g'), /FinalRows\(changelog folded into inserts\)\n\+- GroupAggregate/);
  const set = await tEnv.sqlQuery('SELECT g, SUM(a) FROM t GROUP BY g').execute().collectChangelog();
  assert.equal([...new Set(set.map((c) => c.op))], ['+I']);
  assert.throws(() => tEnv.executeSql("SET 'execution.runtime-mode' = 'bulk'"), /execution.runtime-mode must be 'streaming', 'batch' or 'automatic', got 'bulk'/);
});

test('an updating result goes to an append-only sink and to toDataStream in BATCH mode only', async () => {
  const rows = rowsOf(11);
  const expected = new Map<string | null, number>();
  for (const r of rows) expected.set(r.k as string | null, (expected.get(r.k as string | null) ?? 0) + 1);
  const { env, tEnv } = batchEnv(rows);
  const out: Array<Record<string, unknown>> = [];
  tEnv.toDataStream(tEnv.sqlQuery('SELECT k, COUNT(*) AS c FROM t GROUP BY k')).addSink((r) => { out.push(r as Record<string, unknown>); });
  await env.execute('to-datastream');
  assert.equal(out.map((r) => [r.k, r.c]).sort(), [...expected.entries()].sort());
  const dir = mkdtempSync(join(tmpdir(), 'sql-batch-sink-'));
  try {
    const ddl = `CREATE TABLE sink (k STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`;
    tEnv.executeSql(ddl);
    await (await tEnv.executeSql('INSERT INTO sink SELECT k, COUNT(*) FROM t GROUP BY k')).await();
    const lines = readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
    assert.is(lines.length, expected.size, `one line per key: ${lines.join(' | ')}`);
    const streaming = batchEnv(rows, 'streaming').tEnv;
    streaming.executeSql(ddl);
    assert.throws(() => streaming.executeSql('INSERT INTO sink SELECT k, COUNT(*) FROM t GROUP BY k'), /append-only, but the query produces updates/);
    assert.throws(() => streaming.toDataStream(streaming.sqlQuery('SELECT k, COUNT(*) FROM t GROUP BY k')), /toDataStream needs an insert-only table/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
