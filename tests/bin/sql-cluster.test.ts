// `actorflow sql --jobmanager`: an INSERT INTO is shipped as the generic SQL job (the session's
// statements as data in the bundle) to a JobManager and TaskManager started in this process, runs
// there to FINISHED and writes its filesystem sink; a SELECT on the cluster is refused clearly.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { bundleSqlJob } from '../../bin/commands/sql/sql-cluster.ts';
import { cli } from './cli-process.ts';

const jm = await startJobManager({ port: 0, restPort: 0 });
const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 });
const dir = mkdtempSync(join(tmpdir(), 'actorflow-sql-cluster-'));

/** A SQL string literal. */
function sqlString(s: string): string { return `'${s.replace(/'/g, "''")}'`; }

const SOURCE = "CREATE TABLE src (id BIGINT, tag STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '30', " +
  "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '30', 'fields.tag.values' = 'it''s;*/ `x`');";

test('INSERT INTO on the cluster: the job id is printed, the job finishes there, the sink holds the rows', async () => {
  const out = join(dir, 'out');
  const script = join(dir, 'insert.sql');
  writeFileSync(script, [
    "SET 'parallelism.default' = '2';",
    SOURCE,
    `CREATE TABLE sink (id BIGINT, tag STRING) WITH ('connector' = 'filesystem', 'path' = ${sqlString(out)}, 'format' = 'json');`,
    'INSERT INTO sink SELECT id, tag FROM src WHERE id > 10;',
  ].join('\n'));
  const r = await cli('sql', '-f', script, '--jobmanager', jm.rpcAddress);
  assert.is(r.code, 0, r.stderr);
  const jid = /Job ID: ([0-9a-f]{32})/.exec(r.stdout)?.[1];
  assert.ok(jid, r.stdout);
  const result = await jm.service.jobResult(jid!);
  assert.is(result.state, 'FINISHED', JSON.stringify(result));
  const rows = readdirSync(out).filter((n) => !n.startsWith('.') && !n.startsWith('_'))
    .flatMap((n) => readFileSync(join(out, n), 'utf8').split('\n')).filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { id: number; tag: string });
  assert.equal(rows.map((x) => x.id).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 11));
  // The tag's quote, semicolon, comment end and backticks went through as data.
  assert.ok(rows.every((x) => x.tag === "it's;*/ `x`"), JSON.stringify(rows.slice(0, 3)));
});

test('the bundle carries the statements as data: the same statements give the same bytes, others differ', async () => {
  const a = await bundleSqlJob({ name: 'j', statements: [SOURCE, 'INSERT INTO s SELECT * FROM src'] });
  const b = await bundleSqlJob({ name: 'j', statements: [SOURCE, 'INSERT INTO s SELECT * FROM src'] });
  const c = await bundleSqlJob({ name: 'j', statements: [SOURCE, 'INSERT INTO t SELECT * FROM src'] });
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test('a SELECT on the cluster shows its rows: changelog mode, every change once, the job finished on the cluster', async () => {
  const script = join(dir, 'select.sql');
  writeFileSync(script, [
    "SET 'sql-client.execution.result-mode' = 'changelog';",
    "SET 'parallelism.default' = '2';",
    SOURCE,
    'SELECT id, tag FROM src WHERE id % 3 = 0;',
  ].join('\n'));
  const r = await cli('sql', '-f', script, '--jobmanager', jm.rpcAddress);
  assert.is(r.code, 0, r.stderr);
  const changes = r.stdout.split('\n').filter((l) => l.startsWith('+I['));
  const expected = Array.from({ length: 30 }, (_, i) => i + 1).filter((i) => i % 3 === 0).map((i) => `+I[${i}, it's;*/ \`x\`]`);
  assert.equal(changes.sort(), expected.sort(), r.stdout);
  const jobs = (await jm.service.listJobs()).filter((j) => j.name === 'sql-client-query');
  assert.ok(jobs.length >= 1 && jobs.every((j) => j.state === 'FINISHED'), JSON.stringify(jobs));
});

test('an invalid INSERT or SELECT on the cluster is refused with a clear error and exit code 1, before anything ships', async () => {
  const bad = join(dir, 'bad-insert.sql');
  writeFileSync(bad, `${SOURCE}\nINSERT INTO nowhere SELECT id FROM src;\n`);
  const b = await cli('sql', '-f', bad, '--jobmanager', jm.rpcAddress);
  assert.is(b.code, 1, b.stdout);
  assert.match(b.stderr, /unknown table nowhere/);
  assert.not.match(b.stdout, /Submitting/);
  const before = (await jm.service.listJobs()).length;
  const badSelect = join(dir, 'bad-select.sql');
  writeFileSync(badSelect, `${SOURCE}\nSELECT nope FROM src;\n`);
  const q = await cli('sql', '-f', badSelect, '--rest', jm.restUrl);
  assert.is(q.code, 1, q.stdout);
  assert.match(q.stderr, /at line 2, column \d+ of .*bad-select\.sql\. Reason:\n.*nope/);
  assert.is((await jm.service.listJobs()).length, before, 'no job was submitted');
});

test.after(async () => {
  await tm.close();
  await jm.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
