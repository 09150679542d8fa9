// `actorflow sql --jobmanager`: an INSERT INTO is shipped as the generic SQL job (the session's
// statements as data in the bundle) to a JobManager and TaskManager started in this process, runs
// there to FINISHED and writes its filesystem sink. A SELECT runs there too and its changes come
// back through the collect sink and the REST server: every change once in changelog mode, the
// final table in table mode, exactly-once with checkpoints when the TaskManager running it is
// killed mid-query; Ctrl-C cancels the job. Invalid statements fail before anything ships.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { bundleSqlJob } from '../../bin/commands/sql/sql-cluster.ts';
import { cli, eventually, startCli } from './cli-process.ts';

const jm = await startJobManager({ port: 0, restPort: 0 });
const tm = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 });
/** The TaskManagers still running (closed after the tests). */
const live = new Set([tm]);
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

test('an updating SELECT on the cluster in table mode prints the final table', async () => {
  const script = join(dir, 'table.sql');
  writeFileSync(script, [SOURCE, "SELECT id % 4 AS k, COUNT(*) AS c FROM src GROUP BY id % 4;"].join('\n'));
  const r = await cli('sql', '-f', script, '--rest', jm.restUrl);
  assert.is(r.code, 0, r.stderr);
  // 30 ids: 1..30 by id % 4 -> 0: 7, 1: 8, 2: 8, 3: 7.
  for (const [k, c] of [[0, 7], [1, 8], [2, 8], [3, 7]]) assert.match(r.stdout, new RegExp(`\\|\\s+${k} \\|\\s+${c} \\|`), r.stdout);
});

/** The query jobs the JobManager knows, newest last. */
async function queryJobs(): Promise<Array<{ jid: string; state: string }>> {
  return (await jm.service.listJobs()).filter((j) => j.name === 'sql-client-query').sort((a, b) => a['start-time'] - b['start-time']);
}

test('Ctrl-C stops an unbounded SELECT on the cluster: its job is cancelled, the script goes on', async () => {
  const script = join(dir, 'endless.sql');
  writeFileSync(script, [
    "CREATE TABLE endless (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '50', 'fields.k.min' = '1', 'fields.k.max' = '3');",
    "SET 'sql-client.execution.result-mode' = 'changelog';",
    'SELECT k FROM endless;',
    "SELECT 'after' AS s;",
  ].join('\n'));
  const before = (await queryJobs()).length;
  const p = startCli('sql', '-f', script, '--jobmanager', jm.rpcAddress);
  await eventually(() => /^\+I\[[1-3]\]$/m.test(p.output.stdout), `rows of the query (stderr: ${p.output.stderr})`, 60_000);
  p.child.kill('SIGINT');
  const code = await p.exited;
  const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';
  assert.is(isDeno && code === 1 && p.child.signalCode === 'SIGINT' ? 0 : code, 0, p.output.stderr);
  assert.match(p.output.stdout, /\[INFO\] Query interrupted: the result above is what had arrived\.\n/);
  assert.match(p.output.stdout, /\+I\[after\]/, 'the next query ran');
  const jobs = await queryJobs();
  assert.is(jobs.length, before + 2);
  const endless = jobs[before];
  assert.is((await jm.service.jobResult(endless.jid)).state, 'CANCELED');
});

test('with checkpoints a SELECT is exactly-once on the cluster: the TaskManager running it is killed mid-query', async () => {
  const standby = await startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 });
  live.add(standby);
  {
    const script = join(dir, 'exactly-once.sql');
    writeFileSync(script, [
      "SET 'execution.checkpointing.interval' = '200 ms';",
      "SET 'sql-client.execution.result-mode' = 'changelog';",
      "CREATE TABLE slow (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '600');",
      'SELECT id, id * 2 AS twice FROM slow;',
    ].join('\n'));
    const before = (await queryJobs()).length;
    const p = startCli('sql', '-f', script, '--jobmanager', jm.rpcAddress);
    const changes = (): string[] => p.output.stdout.split('\n').filter((l) => l.startsWith('+I['));
    await eventually(() => changes().length >= 100, `100 changes (stderr: ${p.output.stderr})`, 60_000);
    // The TaskManager that runs the query (both have two free slots) dies as a killed process would.
    const job = (await queryJobs())[before];
    const detail = await jm.service.jobDetail(job.jid);
    const host = detail!.vertices[0].subtasks[0].taskmanager;
    const victim = [...live].find((t) => host.includes(t.id));
    if (victim === undefined) throw new Error(`no TaskManager ${host}`);
    live.delete(victim);
    await victim.kill();
    const code = await p.exited;
    assert.is(code, 0, p.output.stderr);
    const expected = Array.from({ length: 600 }, (_, i) => `+I[${i + 1}, ${2 * (i + 1)}]`);
    assert.equal(changes().sort(), expected.sort(), 'every change once, none twice');
    assert.is((await jm.service.jobResult(job.jid)).state, 'FINISHED');
  }
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
  for (const t of live) await t.close();
  await jm.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
