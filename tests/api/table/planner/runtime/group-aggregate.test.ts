// DISTINCT aggregates of a GROUP BY sharing their seen values (one map state per argument, a bit or
// count per aggregate): q15's shape (COUNT(DISTINCT x) with several FILTERs, over two arguments)
// against DuckDB on seeded random rows, over an append-only and an updating input; and the shared
// state survives a savepoint: a job stopped mid-stream and restored counts each value once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment, type ChangelogRow } from '../../../../../api/index.ts';
import { applyChangelog } from '../../../../../api/table/types/row.ts';
import { testSeed } from '../../../../support/random.ts';
import { checkQuery, loadDuck, openDuck, Random, randomRows, viewColumns, type TestColumn } from '../../support/duckdb-oracle.ts';

const COLUMNS: TestColumn[] = [
  { name: 'k', type: 'STRING' }, { name: 'g', type: 'INT' }, { name: 'a', type: 'BIGINT' }, { name: 'd', type: 'DOUBLE' }, { name: 'flag', type: 'BOOLEAN' },
];

const Q15_LIKE = `COUNT(*), COUNT(DISTINCT a), COUNT(DISTINCT a) FILTER (WHERE d < 0.3), COUNT(DISTINCT a) FILTER (WHERE d >= 0.3 AND d < 0.7),
  COUNT(DISTINCT a) FILTER (WHERE d >= 0.7), COUNT(DISTINCT g), COUNT(DISTINCT g) FILTER (WHERE flag), SUM(DISTINCT g) FILTER (WHERE flag), SUM(DISTINCT a), COUNT(DISTINCT k)`;

/** [actorflow SQL, DuckDB SQL]. */
const CASES: [string, string?][] = [
  [`SELECT k, ${Q15_LIKE} FROM t GROUP BY k`],
  [`SELECT ${Q15_LIKE} FROM t`],
  // An updating input: the outer DISTINCT counts lose values as the inner groups change.
  ['SELECT mx, COUNT(DISTINCT k), COUNT(DISTINCT k) FILTER (WHERE c > 2), COUNT(DISTINCT c), SUM(DISTINCT c) FILTER (WHERE c > 1) FROM (SELECT k, MAX(g) AS mx, COUNT(*) AS c FROM t GROUP BY k) GROUP BY mx'],
];

test('shared DISTINCT state agrees with DuckDB on seeded random rows (append-only and updating inputs)', async () => {
  const seed = testSeed('table-group-aggregate-distinct');
  const rows = randomRows(new Random(seed), COLUMNS, 500);
  const duck = await openDuck();
  await loadDuck(duck, 't', COLUMNS, rows);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporaryView('t', env.fromCollection(rows), { columns: viewColumns(COLUMNS) });
  for (const [sql, duckSql] of CASES) await checkQuery(tEnv, duck, sql, duckSql, seed);
});

const ROWS = 9000;

function build(progress: { seen: number }, emitted: ChangelogRow[]) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).setRestartStrategy(RestartStrategies.noRestart()).enableCheckpointing(100);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporarySystemFunction('seen', { resultType: 'BIGINT', eval: (id: number) => { progress.seen++; return id; } });
  tEnv.executeSql(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  // Numeric and string values, each repeated through the stream, so the restored state must know them by value and type.
  const counts = tEnv.sqlQuery(`SELECT k, COUNT(DISTINCT v), COUNT(DISTINCT v) FILTER (WHERE id % 2 = 0), COUNT(DISTINCT s)
    FROM (SELECT seen(id) % 3 AS k, id, id % 97 AS v, CAST(id % 89 AS STRING) AS s FROM src) GROUP BY k`);
  tEnv.toChangelogStream(counts).addSink((c) => { emitted.push(c); }).uid('sink');
  return { env, clock };
}

async function drive(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
}

test('shared DISTINCT state restored from a savepoint counts each value once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sql-distinct-'));
  try {
    const emitted: ChangelogRow[] = [];
    const progress = { seen: 0 };
    const first = build(progress, emitted);
    const client = await first.env.executeAsync('distinct counts');
    await drive(first.clock, () => progress.seen >= 3000);
    let path: string | undefined;
    const stopping = client.stopWithSavepoint(dir).then((p) => { path = p; });
    await drive(first.clock, () => path !== undefined);
    await stopping;
    assert.ok(emitted.length > 0, 'output before the stop');
    const next = build({ seen: 0 }, emitted);
    let finished = false;
    const run = next.env.execute({ name: 'distinct counts restored', fromSavepoint: path! }).then(() => { finished = true; });
    await drive(next.clock, () => finished);
    await run;
    const expected = [0, 1, 2].map((k) => {
      const v = new Set<number>(), even = new Set<number>(), s = new Set<string>();
      for (let id = k; id < ROWS; id += 3) { v.add(id % 97); if (id % 2 === 0) even.add(id % 97); s.add(String(id % 89)); }
      return [k, v.size, even.size, s.size];
    });
    const final = applyChangelog(emitted.map((c) => ({ op: c.op, row: Object.values(c.row) })));
    assert.equal(final.sort((a, b) => (a[0] as number) - (b[0] as number)), expected);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
