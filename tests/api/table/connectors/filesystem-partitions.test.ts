// PARTITIONED BY on the filesystem connector: rows go under Hive-style `k=v/` directories (values
// escaped as Hive escapes them, null and empty values under __DEFAULT_PARTITION__), the files
// hold the other columns only, and reading the directory gives the partition values back
// ('partition.default-name' renames the directory of null values).
// Partitioning is refused for other connectors and for unknown or computed columns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { escapePathName, unescapePathName } from '../../../../api/table/connectors/filesystem-partitions.ts';

const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-fs-partitions-')); dirs.push(d); return d; };
const fresh = () => StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2));

/** Committed lines by partition directory (relative), each sorted. */
function linesByPartition(dir: string, at = '', out: Record<string, string[]> = {}): Record<string, string[]> {
  for (const n of readdirSync(join(dir, at))) {
    if (n.startsWith('.')) continue;
    const rel = at === '' ? n : `${at}/${n}`;
    if (statSync(join(dir, rel)).isDirectory()) linesByPartition(dir, rel, out);
    else (out[at] ??= []).push(...readFileSync(join(dir, rel), 'utf8').split('\n').filter(Boolean));
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

test('partition values are escaped as Hive escapes path names, and unescaped back', () => {
  assert.is(escapePathName('12:30'), '12%3A30');
  assert.is(escapePathName('a/b=c%d'), 'a%2Fb%3Dc%25d');
  assert.is(escapePathName('plain-text_ok é'), 'plain-text_ok é');
  for (const s of ['12:30', 'a/b=c%d', '#?*[]^{}\\\'"', 'x\ny']) assert.is(unescapePathName(escapePathName(s)), s);
});

test('INSERT into a partitioned table writes k=v directories without the partition columns; a source table reads them back', async () => {
  const dir = tempDir();
  const tEnv = fresh();
  await tEnv.executeSql(`CREATE TABLE out (id INT, p INT, name STRING, s STRING) PARTITIONED BY (p, s)
    WITH ('connector' = 'filesystem', 'path' = 'file://${dir}', 'format' = 'csv')`);
  const result = await tEnv.executeSql(`INSERT INTO out SELECT * FROM (VALUES
    (1, 10, 'one', 'a/b'), (2, 10, 'two', 'a/b'), (3, 20, 'three', '12:30'), (4, CAST(NULL AS INT), 'four', 'x'), (5, 20, 'five', ''))`);
  await result.await();
  assert.equal(linesByPartition(dir), {
    'p=10/s=a%2Fb': ['1,one', '2,two'],
    'p=20/s=12%3A30': ['3,three'],
    'p=__DEFAULT_PARTITION__/s=x': ['4,four'],
    'p=20/s=__DEFAULT_PARTITION__': ['5,five'],
  });
  await tEnv.executeSql(`CREATE TABLE back (id INT, p INT, name STRING, s STRING) PARTITIONED BY (p, s)
    WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
  const rows = await tEnv.sqlQuery('SELECT id, p, name, s FROM back').execute().collect();
  assert.equal(rows.map((r) => Object.values(r)).sort((a, b) => (a[0] as number) - (b[0] as number)), [
    [1, 10, 'one', 'a/b'], [2, 10, 'two', 'a/b'], [3, 20, 'three', '12:30'], [4, null, 'four', 'x'], [5, 20, 'five', null],
  ]);
});

test("'partition.default-name' names the directory of null and empty values, written and read back as null", async () => {
  const dir = tempDir();
  const tEnv = fresh();
  const options = `'connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv', 'partition.default-name' = 'none:here'`;
  await tEnv.executeSql(`CREATE TABLE out (id INT, s STRING) PARTITIONED BY (s) WITH (${options})`);
  await (await tEnv.executeSql("INSERT INTO out VALUES (1, 'a'), (2, CAST(NULL AS STRING)), (3, '')")).await();
  assert.equal(linesByPartition(dir), { 's=a': ['1'], 's=none%3Ahere': ['2', '3'] });
  const rows = await tEnv.sqlQuery('SELECT id, s FROM out').execute().collect();
  assert.equal(rows.map((r) => [r.id, r.s]).sort((a, b) => (a[0] as number) - (b[0] as number)), [[1, 'a'], [2, null], [3, null]]);
});

test('a file outside the partition directories of a partitioned table is a clear error', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'p=1'));
  writeFileSync(join(dir, 'p=1', 'part-0'), 'a\n');
  writeFileSync(join(dir, 'stray.csv'), 'b\n');
  const tEnv = fresh();
  await tEnv.executeSql(`CREATE TABLE t (v STRING, p INT) PARTITIONED BY (p) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
  let error: unknown;
  try { await tEnv.sqlQuery('SELECT * FROM t').execute().collect(); } catch (e) { error = e; }
  assert.match(String(error), /stray\.csv:1: the file is not under a 'p=\.\.\.' partition directory/);
});

test('PARTITIONED BY is refused for other connectors, unknown or computed columns, and every column', () => {
  const tEnv = fresh();
  const refused: Array<[string, RegExp]> = [
    [`CREATE TABLE a (v INT) PARTITIONED BY (v) WITH ('connector' = 'datagen')`, /the datagen connector does not support PARTITIONED BY/],
    [`CREATE TABLE b (v INT, w INT) PARTITIONED BY (x) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')`, /PARTITIONED BY names unknown column x/],
    [`CREATE TABLE c (v INT, w AS v + 1) PARTITIONED BY (w) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')`, /PARTITIONED BY names the computed column w/],
    [`CREATE TABLE d (v INT, w INT) PARTITIONED BY (w, w) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')`, /PARTITIONED BY names w twice/],
    [`CREATE TABLE e (v INT) PARTITIONED BY (v) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')`, /PARTITIONED BY names every column/],
  ];
  for (const [ddl, reason] of refused) assert.throws(() => tEnv.executeSql(ddl), reason, ddl);
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
