// createStatementSet(): several INSERTs (SQL and Table API) run as one job, each sink holding
// exactly what a plain loop computes; statements are planned when added (errors at once, with
// positions), and an updating query into an append-only sink is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, StreamTableEnvironment, SqlValidationError, TableError } from '../../../api/index.ts';

const ROWS = 500;

function lines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

async function setUp(root: string): Promise<StreamTableEnvironment> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  for (const name of ['evens', 'odds', 'tens']) {
    await tEnv.executeSql(`CREATE TABLE ${name} (id BIGINT, sq BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(root, name)}', 'format' = 'csv')`);
  }
  await tEnv.executeSql(`CREATE TABLE counts (k BIGINT, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(root, 'counts')}', 'format' = 'csv')`);
  return tEnv;
}

test('a statement set runs its INSERTs as one job and every sink gets its rows', async () => {
  const root = mkdtempSync(join(tmpdir(), 'statement-set-'));
  try {
    const tEnv = await setUp(root);
    const set = tEnv.createStatementSet()
      .addInsertSql('INSERT INTO evens SELECT id, id * id FROM src WHERE MOD(id, 2) = 0')
      .addInsertSql('INSERT INTO odds (sq, id) SELECT id * id, id FROM src WHERE MOD(id, 2) = 1')
      .addInsert('tens', tEnv.sqlQuery('SELECT id, id * id AS sq FROM src WHERE MOD(id, 10) = 0'));
    assert.is(set.explain().match(/Sink\(table=/g)?.length, 3);
    const result = await set.execute();
    assert.equal(result.getResolvedSchema().names, ['default_catalog.default_database.evens', 'default_catalog.default_database.odds', 'default_catalog.default_database.tens']);
    await result.await();
    const expect = (keep: (i: number) => boolean): string[] => Array.from({ length: ROWS }, (_, i) => i).filter(keep).map((i) => `${i},${i * i}`).sort();
    assert.equal(lines(join(root, 'evens')), expect((i) => i % 2 === 0));
    assert.equal(lines(join(root, 'odds')), expect((i) => i % 2 === 1));
    assert.equal(lines(join(root, 'tens')), expect((i) => i % 10 === 0));
    // The set is empty after execute, as in Flink.
    const empty = await set.execute().then(() => undefined, (e: unknown) => e);
    assert.match(String(empty), /a statement set needs at least one INSERT/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('statements are planned when added: errors name their position, updating results need an updating sink', async () => {
  const root = mkdtempSync(join(tmpdir(), 'statement-set-'));
  try {
    const tEnv = await setUp(root);
    const set = tEnv.createStatementSet();
    assert.throws(() => set.addInsertSql('SELECT id FROM src'), (e: unknown) => e instanceof SqlValidationError && /takes INSERT statements, not a query/.test(e.message));
    assert.throws(() => set.addInsertSql('INSERT INTO evens SELECT id, nope FROM src'), /line 1, column 30: unknown column nope/);
    assert.throws(() => set.addInsertSql('INSERT INTO counts SELECT MOD(id, 3), COUNT(*) FROM src GROUP BY MOD(id, 3)'), /counts \(connector filesystem\) is append-only, but the query produces updates/);
    assert.throws(() => set.addInsert('counts', tEnv.sqlQuery('SELECT MOD(id, 3) AS k, COUNT(*) AS c FROM src GROUP BY MOD(id, 3)')),
      (e: unknown) => e instanceof TableError && /append-only, but the query produces updates/.test(e.message));
    assert.throws(() => set.addInsert('nowhere', tEnv.sqlQuery('SELECT id FROM src')), /unknown table nowhere/);
    // Table.executeInsert: one INSERT of a Table as its own job.
    await (await tEnv.sqlQuery('SELECT id, id AS sq FROM src WHERE id < 3').executeInsert('evens')).await();
    assert.equal(lines(join(root, 'evens')), ['0,0', '1,1', '2,2']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
