// `actorflow sql` as a process: `-f` scripts (the printed results, the exit code and the failing
// statement's place in the file), the REPL driven through piped stdin up to QUIT, and an INSERT
// INTO a filesystem table whose files are read back afterwards.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, eventually, startCli } from './cli-process.ts';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** The lines of `text` from the one equal to `first`, `count` of them. */
function block(text: string, first: string, count: number): string[] {
  const lines = text.split('\n');
  const at = lines.indexOf(first);
  assert.ok(at >= 0, `no line "${first}" in:\n${text}`);
  return lines.slice(at, at + count);
}

test('-f runs a script: tableau rows as they arrive, a grouped result in table mode, SHOW and DESCRIBE', async () => {
  const { code, stdout, stderr } = await cli('sql', '-f', 'tests/bin/fixtures/sql/bounded.sql');
  assert.is(code, 0, stderr);
  assert.equal(block(stdout, '|     orders |', 1), ['|     orders |']);
  assert.equal(block(stdout, '|      id | BIGINT | TRUE | <NULL> |', 3), [
    '|      id | BIGINT | TRUE | <NULL> |',
    '| product | STRING | TRUE | <NULL> |',
    '|  amount |    INT | TRUE | <NULL> |',
  ]);
  assert.equal(block(stdout, '| op |                   id |      amount |', 6), [
    '| op |                   id |      amount |',
    '+----+----------------------+-------------+',
    '| +I |                    1 |          10 |',
    '| +I |                    2 |          11 |',
    '| +I |                    3 |          12 |',
    '+----+----------------------+-------------+',
  ]);
  assert.match(stdout, /Received a total of 3 rows\n/);
  // 8 rows, amounts 10..17.
  assert.equal(block(stdout, '| n | total |', 4), ['| n | total |', '+---+-------+', '| 8 |   108 |', '+---+-------+']);
  assert.is(stdout.split('\n').filter((l) => l === '[INFO] Execute statement succeeded.').length, 3);
});

test('-f stops at the first failing statement with exit code 1 and its place in the file', async () => {
  const { code, stdout, stderr } = await cli('sql', '-f', 'tests/bin/fixtures/sql/failing.sql');
  assert.is(code, 1, stdout);
  assert.match(stderr, /\[ERROR\] Could not execute SQL statement at line 5, column 8 of tests\/bin\/fixtures\/sql\/failing\.sql\. Reason:/);
  assert.match(stderr, /unknown column missing_column/);
  assert.match(stdout, /\| 3 \|/);
  assert.not.match(stdout, /never printed/);
  const missing = await cli('sql', '-f', 'tests/bin/fixtures/sql/no-such.sql');
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /cannot read tests\/bin\/fixtures\/sql\/no-such\.sql/);
});

test('the REPL over piped stdin: multi-line statements, an error that does not end the session, QUIT', async () => {
  const p = startCli('sql');
  p.child.stdin!.write("SET 'sql-client.execution.result-mode' = 'changelog';\nSELECT 1 +\n  2 AS three");
  p.child.stdin!.write(';\nSELECT nope;\nHELP;\nSELECT UPPER(\'done\') AS s;\nQUIT;\nSELECT \'after quit\' AS s;\n');
  p.child.stdin!.end();
  const code = await p.exited;
  const { stdout } = p.output;
  assert.is(code, 0, p.output.stderr);
  assert.match(stdout, /^\+I\[3\]$/m);
  assert.match(stdout, /\[ERROR\] Could not execute SQL statement at line 4, column 8\. Reason:\nSQL validation error at line 1, column 8: unknown column nope/);
  assert.match(stdout, /QUIT\/EXIT {5}Quits the SQL client\./);
  assert.match(stdout, /^\+I\[DONE\]$/m);
  assert.not.match(stdout, /after quit/);
});

/** Runs `statements` as a script, sends Ctrl-C once `ready` holds of its output, and resolves with its end. */
async function interrupted(statements: string[], ready: (stdout: string) => boolean): Promise<{ code: number; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-sql-cli-'));
  try {
    const script = join(dir, 'endless.sql');
    writeFileSync(script, statements.join('\n'));
    const p = startCli('sql', '-f', script);
    await eventually(() => ready(p.output.stdout), `the query to run (stdout: ${p.output.stdout}, stderr: ${p.output.stderr})`);
    p.child.kill('SIGINT');
    const code = await p.exited;
    // Deno's child_process reports a child it sent a signal to as ended by that signal (code null,
    // read as 1) even when the child handled it and exited 0; Node reports the real exit code.
    return { code: isDeno && code === 1 && p.child.signalCode === 'SIGINT' ? 0 : code, stdout: p.output.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ENDLESS = "CREATE TABLE endless (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '100', 'fields.k.min' = '1', 'fields.k.max' = '3');";

test('Ctrl-C stops an unbounded query in changelog mode; the script goes on', async () => {
  const { code, stdout } = await interrupted(
    [ENDLESS, "SET 'sql-client.execution.result-mode' = 'changelog';", 'SELECT k FROM endless;', "SELECT 'after' AS s;"],
    (out) => /^\+I\[\d\]$/m.test(out));
  assert.is(code, 0, stdout);
  const received = Number(/^Received a total of (\d+) changes?$/m.exec(stdout)?.[1]);
  assert.is(stdout.split('\n').filter((l) => /^\+I\[[1-3]\]$/.test(l)).length, received);
  assert.match(stdout, /\[INFO\] Query interrupted: the result above is what had arrived\.\n\+I\[after\]\n/);
});

test('Ctrl-C stops an unbounded updating query in table mode off a terminal: the table as it stood is printed', async () => {
  // The grouped query starts as soon as the SET's line is out (the script runs on without a pause).
  const { code, stdout } = await interrupted(
    [ENDLESS, "SET 'sql-client.execution.result-mode' = 'table';", 'SELECT k, COUNT(*) AS c FROM endless GROUP BY k;', "SELECT 'after' AS s;"],
    (out) => out.split('[INFO] Execute statement succeeded.').length === 3);
  assert.is(code, 0, stdout);
  const header = /^\| k \| +c \|$/m.exec(stdout);
  assert.ok(header, stdout);
  const table = stdout.slice(header!.index);
  const counts = [...table.matchAll(/^\| ([1-3]) \| +(\d+) \|$/gm)];
  assert.match(table, new RegExp(`\n${counts.length === 0 ? 'Empty set' : `${counts.length} rows? in set`}\n\\[INFO\\] Query interrupted`), table);
  assert.match(stdout, /^\| after \|$/m);
});

test('INSERT INTO a filesystem table prints the job id; the files hold the rows once the script ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-sql-cli-'));
  try {
    const out = join(dir, 'out');
    const script = join(dir, 'insert.sql');
    writeFileSync(script, [
      "CREATE TABLE src (id BIGINT, name STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '20',",
      "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20', 'fields.name.values' = 'x,y');",
      `CREATE TABLE sink (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = ${sqlString(out)}, 'format' = 'csv');`,
      'INSERT INTO sink SELECT id * 10, UPPER(name) FROM src WHERE MOD(id, 2) = 0;',
      '',
    ].join('\n'));
    const { code, stdout, stderr } = await cli('sql', '-f', script);
    assert.is(code, 0, stderr);
    assert.match(stdout, /\[INFO\] Submitting SQL update statement to the cluster\.\.\.\n\[INFO\] SQL update statement has been successfully submitted to the cluster:\nJob ID: [0-9a-f]{32}\n/);
    const rows = files(out).flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l !== '');
    const ids = rows.map((r) => Number(r.split(',')[0])).sort((a, b) => a - b);
    assert.equal(ids, Array.from({ length: 10 }, (_, i) => (i + 1) * 20));
    assert.ok(rows.every((r) => /^\d+,[XY]$/.test(r)), rows.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-f runs EXECUTE STATEMENT SET BEGIN ... END as one job; both sinks hold their rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-sql-cli-'));
  try {
    const script = join(dir, 'set.sql');
    writeFileSync(script, [
      "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10',",
      "  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '10');",
      `CREATE TABLE evens (id BIGINT) WITH ('connector' = 'filesystem', 'path' = ${sqlString(join(dir, 'evens'))}, 'format' = 'csv');`,
      `CREATE TABLE odds (id BIGINT) WITH ('connector' = 'filesystem', 'path' = ${sqlString(join(dir, 'odds'))}, 'format' = 'csv');`,
      'EXECUTE STATEMENT SET',
      'BEGIN',
      '  INSERT INTO evens SELECT id FROM src WHERE MOD(id, 2) = 0;',
      '  INSERT INTO odds SELECT id FROM src WHERE MOD(id, 2) = 1;',
      'END;',
      '',
    ].join('\n'));
    const { code, stdout, stderr } = await cli('sql', '-f', script);
    assert.is(code, 0, stderr);
    assert.is(stdout.match(/Job ID: [0-9a-f]{32}/g)?.length, 1, stdout);
    const ids = (d: string) => files(d).flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l !== '').map(Number).sort((a, b) => a - b);
    assert.equal(ids(join(dir, 'evens')), [2, 4, 6, 8, 10]);
    assert.equal(ids(join(dir, 'odds')), [1, 3, 5, 7, 9]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A SQL string literal. */
function sqlString(s: string): string { return `'${s.replace(/'/g, "''")}'`; }

/** The visible files under `dir` (not hidden or in-progress ones). */
function files(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('_')).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test.run();
