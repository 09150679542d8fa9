import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, StreamExecutionEnvironment } from '../../../../api/index.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import { applyChangelog } from '../../../../api/table/types/row.ts';
import { testSeed } from '../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'g', type: 'INT' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'flag', type: 'BOOLEAN' },
];

/** [actorflow SQL, DuckDB SQL]: GROUP BY, DISTINCT, FILTER, HAVING, and aggregation over an updating input. */
const CASES: [string, string?][] = [
  ['SELECT k, COUNT(*), COUNT(a), SUM(a), MIN(a), MAX(a) FROM t GROUP BY k'],
  ['SELECT k, g, SUM(d), AVG(d), MIN(d), MAX(k) FROM t GROUP BY k, g'],
  ['SELECT g, AVG(a) FROM t GROUP BY g', 'SELECT g, CAST(trunc(AVG(a)) AS BIGINT) FROM t GROUP BY g'],
  ['SELECT k, COUNT(DISTINCT a), SUM(DISTINCT a), COUNT(DISTINCT g) FROM t GROUP BY k'],
  ['SELECT k, COUNT(*) FILTER (WHERE flag), SUM(a) FILTER (WHERE a > 0), MAX(d) FILTER (WHERE g = 1) FROM t GROUP BY k'],
  ['SELECT k, COUNT(*) AS c FROM t GROUP BY k HAVING COUNT(*) > 10 AND MAX(a) >= 0'],
  ['SELECT COUNT(*), SUM(a), MIN(k), MAX(d) FROM t'],
  ['SELECT DISTINCT k, g FROM t'],
  ['SELECT UPPER(k) AS uk, g + 1 AS g1, COUNT(*) * 2 AS c2, SUM(a) + MAX(a) AS m FROM t GROUP BY UPPER(k), g + 1'],
  // Aggregation over an updating input: retractions of the inner GROUP BY flow through the outer one.
  ['SELECT c, COUNT(*) AS n, SUM(s) AS total FROM (SELECT k, COUNT(*) AS c, SUM(a) AS s FROM t GROUP BY k) GROUP BY c'],
  ['SELECT mx, MIN(k), MAX(k), COUNT(DISTINCT k) FROM (SELECT k, MAX(g) AS mx FROM t GROUP BY k) GROUP BY mx'],
  ['SELECT g, COUNT(*) FROM (SELECT DISTINCT g, k FROM t) GROUP BY g'],
];

test('group aggregations agree with DuckDB on seeded random rows (nulls, duplicates, a hot key)', async () => {
  const seed = testSeed('table-group-aggregate');
  const rows = randomRows(new Random(seed), COLUMNS, 400);
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromCollection(rows), { columns: viewColumns(COLUMNS) });
  for (const [sql, duckSql] of CASES) await checkQuery(tEnv, duck, sql, duckSql, seed);
});

test('a GROUP BY emits +I, then -U/+U pairs, and -D when its last row is retracted', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const changes = env.fromElements(
    { op: '+I' as const, row: { w: 'a', n: 1 } }, { op: '+I' as const, row: { w: 'a', n: 2 } },
    { op: '-D' as const, row: { w: 'a', n: 1 } }, { op: '-D' as const, row: { w: 'a', n: 2 } }, { op: '+I' as const, row: { w: 'b', n: 5 } },
  );
  const t = tEnv.fromChangelogStream(changes, { columns: { w: 'STRING', n: 'INT' } });
  const log = await tEnv.sqlQuery(`SELECT w, SUM(n) AS s, COUNT(*) AS c FROM ${t} GROUP BY w`).execute().collectChangelog();
  assert.equal(log, [
    { op: '+I', row: { w: 'a', s: 1, c: 1 } },
    { op: '-U', row: { w: 'a', s: 1, c: 1 } }, { op: '+U', row: { w: 'a', s: 3, c: 2 } },
    { op: '-U', row: { w: 'a', s: 3, c: 2 } }, { op: '+U', row: { w: 'a', s: 2, c: 1 } },
    { op: '-D', row: { w: 'a', s: 2, c: 1 } },
    { op: '+I', row: { w: 'b', s: 5, c: 1 } },
  ]);
});

test('MIN/MAX over an updating input fall back to the next value when the extreme is retracted', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  const t = tEnv.fromChangelogStream(env.fromElements(
    { op: '+I' as const, row: { v: 3 } }, { op: '+I' as const, row: { v: 9 } }, { op: '+I' as const, row: { v: 1 } },
    { op: '-U' as const, row: { v: 9 } }, { op: '+U' as const, row: { v: 4 } }, { op: '-D' as const, row: { v: 1 } },
  ), { columns: { v: 'INT' } });
  assert.equal(await tEnv.sqlQuery(`SELECT MIN(v) AS lo, MAX(v) AS hi FROM ${t}`).execute().collect(), [{ lo: 3, hi: 4 }]);
});

test("SET 'table.exec.state.ttl': a group idle longer than the TTL starts over", async () => {
  const run = async (ttl: string | undefined) => {
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
    const tEnv = StreamTableEnvironment.create(env);
    if (ttl) await tEnv.executeSql(`SET 'table.exec.state.ttl' = '${ttl}'`);
    // One row per second of the manual clock.
    await tEnv.executeSql("CREATE TABLE r (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'rows-per-second' = '1', 'fields.k.values' = 'x')");
    const result = tEnv.sqlQuery('SELECT k, COUNT(*) AS c FROM r GROUP BY k').execute();
    return (await drive(clock, result.collectChangelog())).map((c) => `${c.op}${c.row.c}`);
  };
  assert.equal(await run(undefined), ['+I1', '-U1', '+U2', '-U2', '+U3']);
  assert.equal(await run('5 min'), ['+I1', '-U1', '+U2', '-U2', '+U3']);
  assert.equal(await run('500 ms'), ['+I1', '+I1', '+I1']);
});

test('user-defined aggregate functions: accumulate, retract over an updating input, typed result', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  // The product of the values (retract divides back out).
  tEnv.createTemporarySystemFunction('product', {
    createAccumulator: () => ({ p: 1 }),
    accumulate: (acc: { p: number }, v: number | null) => { if (v !== null) acc.p *= v; },
    retract: (acc: { p: number }, v: number | null) => { if (v !== null) acc.p /= v; },
    getValue: (acc: { p: number }) => acc.p,
    resultType: 'BIGINT',
  });
  tEnv.createTemporarySystemFunction('concat_all', {
    createAccumulator: () => [] as string[],
    accumulate: (acc: string[], s: string) => { acc.push(s); },
    getValue: (acc: string[]) => acc.join('+'),
    resultType: 'STRING',
  });
  tEnv.createTemporaryView('v', env.fromElements({ k: 'a', n: 2 }, { k: 'a', n: 3 }, { k: 'b', n: 5 }, { k: 'a', n: null }));
  const out = await tEnv.sqlQuery('SELECT k, PRODUCT(n) AS p, concat_all(k) AS s FROM v GROUP BY k').execute().collect();
  assert.equal(out.map((r) => JSON.stringify(r)).sort(), [JSON.stringify({ k: 'a', p: 6, s: 'a+a+a' }), JSON.stringify({ k: 'b', p: 5, s: 'b' })]);
  // Over an updating input: the counts per key change, the product of counts follows by retraction.
  const nested = await tEnv.sqlQuery('SELECT product(c) AS p FROM (SELECT k, COUNT(*) AS c FROM v GROUP BY k)').execute().collect();
  assert.equal(nested, [{ p: 3 }]);
  // Without retract, an updating input is refused when the query is planned.
  assert.throws(() => tEnv.sqlQuery('SELECT concat_all(k) AS s FROM (SELECT k, COUNT(*) AS c FROM v GROUP BY k)'),
    /line 1, column 8: aggregate function concat_all has no retract\(\), but its input is updating/);
});

test('applyChangelog refuses a retraction of a row that was never added', () => {
  assert.throws(() => applyChangelog([{ op: '-D', row: [1] }]), /never added/);
});

test.run();
