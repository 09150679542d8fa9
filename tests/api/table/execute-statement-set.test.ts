// EXECUTE STATEMENT SET BEGIN ... END in SQL: its INSERTs run as one job (through
// createStatementSet), every INSERT is planned before any runs, errors name their place in the
// whole statement, and scripts split at `;` keep the set together.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../../api/index.ts';
import { opensStatementSet, parseStatement, parseStatements, splitStatements, statementToSql } from '../../../api/table/sql/index.ts';

const ROWS = 200;

function lines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

async function setUp(root: string): Promise<StreamTableEnvironment> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  for (const name of ['evens', 'odds']) {
    await tEnv.executeSql(`CREATE TABLE ${name} (id BIGINT, sq BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(root, name)}', 'format' = 'csv')`);
  }
  return tEnv;
}

const SET = `EXECUTE STATEMENT SET
BEGIN
  INSERT INTO evens SELECT id, id * id FROM src WHERE MOD(id, 2) = 0;
  -- a comment; with a semicolon
  INSERT INTO odds SELECT id, id * id FROM src WHERE MOD(id, 2) = 1;
END;`;

test('executeSql runs the INSERTs of EXECUTE STATEMENT SET as one job', async () => {
  const root = mkdtempSync(join(tmpdir(), 'execute-set-'));
  try {
    const tEnv = await setUp(root);
    const explained = (await (await tEnv.executeSql(`EXPLAIN ${SET}`)).collect())[0].plan as string;
    assert.is(explained.match(/Sink\(table=/g)?.length, 2);
    const result = await tEnv.executeSql(SET);
    // One job, one column per sink, as createStatementSet().execute() gives.
    assert.equal(result.getResolvedSchema().names, ['default_catalog.default_database.evens', 'default_catalog.default_database.odds']);
    await result.await();
    const expect = (keep: (i: number) => boolean): string[] => Array.from({ length: ROWS }, (_, i) => i).filter(keep).map((i) => `${i},${i * i}`).sort();
    assert.equal(lines(join(root, 'evens')), expect((i) => i % 2 === 0));
    assert.equal(lines(join(root, 'odds')), expect((i) => i % 2 === 1));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a bad INSERT in the set fails before anything runs, at its line and column in the statement', async () => {
  const root = mkdtempSync(join(tmpdir(), 'execute-set-'));
  try {
    const tEnv = await setUp(root);
    const bad = 'EXECUTE STATEMENT SET BEGIN\nINSERT INTO evens SELECT id, id FROM src;\nINSERT INTO odds SELECT id, nope FROM src;\nEND';
    const err = await (async () => tEnv.executeSql(bad))().then(() => undefined, (e: unknown) => e);
    assert.match(String(err), /line 3, column 29: unknown column nope/);
    assert.equal(readdirSync(root).flatMap((d) => readdirSync(join(root, d)).filter((f) => !f.startsWith('.'))), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the parser takes only INSERTs, each ended by ;, and needs END', () => {
  const stmt = parseStatement(SET);
  assert.is(stmt.kind, 'statementSet');
  assert.is(stmt.kind === 'statementSet' && stmt.inserts.length, 2);
  assert.equal(parseStatement(statementToSql(stmt)), parseStatement(statementToSql(parseStatement(statementToSql(stmt)))));
  assert.throws(() => parseStatement('EXECUTE STATEMENT SET BEGIN SELECT 1; END'), /line 1, column 29: .*INSERT in a statement set/);
  assert.throws(() => parseStatement('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 FROM b END'), /';' after an INSERT of a statement set/);
  assert.throws(() => parseStatement('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 FROM b;'), /INSERT or END in a statement set/);
  assert.throws(() => parseStatement('EXECUTE STATEMENT SET BEGIN END'), /INSERT in a statement set/);
  assert.throws(() => parseStatement('EXECUTE PLAN x'), /EXECUTE statement/);
});

test('scripts split at ; keep a statement set whole', () => {
  const script = `CREATE TABLE a (x INT) WITH ('connector' = 'blackhole');\n${SET}\nSELECT 1;`;
  const parts = splitStatements(script);
  assert.equal(parts.map((p) => p.sql.split(/\s+/)[0]), ['CREATE', 'EXECUTE', 'SELECT']);
  assert.ok(parts[1].sql.endsWith('END'));
  assert.equal([parts[2].pos.line, parts[2].pos.column], [8, 1]);
  assert.equal(parseStatements(script).map((s) => s.kind), ['createTable', 'statementSet', 'select']);
  assert.is(opensStatementSet('execute statement set begin insert into a select 1 from b'), true);
  assert.is(opensStatementSet('EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1 FROM b; END'), false);
  assert.is(opensStatementSet("INSERT INTO a SELECT 'EXECUTE STATEMENT SET BEGIN'"), false);
});

test.run();
