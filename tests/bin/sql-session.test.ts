// The SQL client's session apart from any terminal: a script of SET, CREATE TABLE over bounded
// datagen rows, SHOW/DESCRIBE, and SELECTs in the table, changelog and tableau result modes, with
// the rows checked against what the generator produces; a parse error with its position in the
// script, after which the session goes on; the statement buffer's splitting at `;`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SqlSession } from '../../bin/commands/sql/sql-session.ts';
import { errorLines } from '../../bin/commands/sql/sql-command.ts';
import { StatementBuffer } from '../../bin/commands/sql/statement-buffer.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A session printing into an array. */
function session(): { s: SqlSession; lines: string[] } {
  const lines: string[] = [];
  return { s: new SqlSession({ out: { println: (l) => { lines.push(l); } } }), lines };
}

/** Runs each statement of `script`, collecting the printed lines and the error lines. */
async function run(s: SqlSession, lines: string[], script: string): Promise<void> {
  const buffer = new StatementBuffer();
  for (const stmt of buffer.push(script)) {
    try { await s.execute(stmt.sql); } catch (e) { lines.push(...errorLines(e, stmt, 'script.sql')); }
  }
}

const DDL = `CREATE TABLE src (
  id BIGINT,
  grp STRING
) WITH ('connector' = 'datagen', 'number-of-rows' = '6', 'fields.id.kind' = 'sequence',
        'fields.id.start' = '1', 'fields.id.end' = '6', 'fields.grp.values' = 'a,b');
`;

test('SET, CREATE TABLE, SHOW TABLES, DESCRIBE and a SELECT in table mode (the updating result materialized)', async () => {
  const { s, lines } = session();
  await run(s, lines, `${DDL}SHOW TABLES;\nDESCRIBE src;\nSELECT id, grp FROM src;`);
  const rows = lines.filter((l) => /^\|\s+\d+ \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()).filter(Boolean));
  assert.is(rows.length, 6, lines.join('\n'));
  assert.equal(rows.map((r) => Number(r[0])), [1, 2, 3, 4, 5, 6]);
  const groups = new Map(rows.map((r) => [r[0], r[1]]));
  assert.ok([...groups.values()].every((g) => g === 'a' || g === 'b'));
  assert.ok(lines.includes('|        src |'), lines.join('\n'));
  assert.ok(lines.some((l) => /\|\s+grp \| STRING \| TRUE \|/.test(l)), lines.join('\n'));
  assert.ok(lines.includes('6 rows in set'));

  // The grouped counts: the final table holds one row per group, and their counts add up.
  lines.length = 0;
  await run(s, lines, "SET 'sql-client.execution.result-mode' = 'table';\nSELECT grp, COUNT(*) AS c FROM src GROUP BY grp;");
  const counts = new Map<string, number>();
  for (const l of lines) {
    const m = /^\|\s+([ab]) \|\s+(\d+) \|$/.exec(l);
    if (m) counts.set(m[1], Number(m[2]));
  }
  const expected = new Map<string, number>();
  for (const g of groups.values()) expected.set(g, (expected.get(g) ?? 0) + 1);
  assert.equal([...counts].sort(), [...expected].sort(), lines.join('\n'));
  assert.ok(lines.includes(`${expected.size} row${expected.size === 1 ? '' : 's'} in set`));
});

test('changelog and tableau modes print every change as it arrives', async () => {
  const { s, lines } = session();
  await run(s, lines, `${DDL}SET 'sql-client.execution.result-mode' = 'changelog';\nSELECT grp, COUNT(*) AS c FROM src GROUP BY grp;`);
  const changes = lines.filter((l) => /^[+-][IUD]\[/.test(l));
  // 6 input rows into 2 groups at most: each row after a group's first retracts and re-adds.
  const inserts = changes.filter((c) => c.startsWith('+I')).length;
  assert.is(changes.length, inserts + 2 * (6 - inserts), changes.join('\n'));
  assert.ok(changes.filter((c) => c.startsWith('-U')).length === 6 - inserts);
  assert.ok(lines.includes(`Received a total of ${changes.length} changes`));

  lines.length = 0;
  await run(s, lines, "SET 'sql-client.execution.result-mode' = 'tableau';\nSELECT id FROM src WHERE id > 4;");
  assert.ok(lines.includes('| op |                   id |'), lines.join('\n'));
  assert.equal(lines.filter((l) => l.startsWith('| +I')), ['| +I |                    5 |', '| +I |                    6 |']);
  assert.ok(lines.includes('Received a total of 2 rows'));
});

test('a bad result mode, a parse error with its place in the script, then the session goes on', async () => {
  const { s, lines } = session();
  await run(s, lines, `${DDL}SET 'sql-client.execution.result-mode' = 'fancy';\nSELECT id\n  FROM src WHERE id >;\nSELECT COUNT(*) AS n FROM src;`);
  const text = lines.join('\n');
  assert.match(text, /'sql-client\.execution\.result-mode' must be one of 'table', 'changelog', 'tableau', got 'fancy'/);
  // The WHERE clause's missing operand: line 8 of the script, the `;` right after `>`.
  assert.match(text, /\[ERROR\] Could not execute SQL statement at line 8, column 22 of script\.sql\. Reason:/);
  assert.match(text, /SQL parse error at line 2, column 22/);
  assert.ok(lines.includes('| 6 |'), text);
  assert.is(s.setting('sql-client.execution.result-mode'), 'table');
});

test('an unbounded query runs until interrupted, then shows what had arrived and the session goes on', async () => {
  const lines: string[] = [];
  let s: SqlSession | undefined;
  let rows = 0;
  // Interrupted from the output, once three rows are in: the result is what had arrived by then.
  s = new SqlSession({ out: { println: (l) => { lines.push(l); if (/^\+I\[/.test(l) && ++rows === 3) s!.interrupt(); } } });
  await s.execute("CREATE TABLE endless (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.id.kind' = 'random', 'fields.id.min' = '1', 'fields.id.max' = '9')");
  await s.execute("SET 'sql-client.execution.result-mode' = 'changelog'");
  assert.is(await s.execute('SELECT id FROM endless'), 'continue');
  const received = Number(/^Received a total of (\d+) changes$/m.exec(lines.join('\n'))?.[1]);
  assert.ok(received >= 3, lines.join('\n'));
  assert.is(lines.filter((l) => /^\+I\[\d\]$/.test(l)).length, received);
  assert.is(lines.at(-1), '[INFO] Query interrupted: the result above is what had arrived.');
  assert.not.ok(s.busy);
});

test('HELP prints the commands, RESET restores a client setting, QUIT and EXIT end the session', async () => {
  const { s, lines } = session();
  assert.is(await s.execute('HELP'), 'continue');
  assert.ok(lines.some((l) => l.startsWith('QUIT/EXIT')));
  assert.ok(lines.some((l) => l.startsWith('EXECUTE STATEMENT SET BEGIN')));
  await s.execute("SET 'sql-client.execution.result-mode' = 'changelog'");
  await s.execute("RESET 'sql-client.execution.result-mode'");
  assert.is(s.setting('sql-client.execution.result-mode'), 'table');
  assert.is(await s.execute('quit'), 'quit');
  assert.is(await s.execute(' EXIT '), 'quit');
});

test('the statement buffer ends statements at ; outside strings, identifiers and comments, with their positions', () => {
  const b = new StatementBuffer();
  assert.equal(b.push("SELECT 'a;b'"), []);
  assert.ok(b.pending);
  assert.equal(b.push(", `c;d` -- e;f\n  FROM t; /* g; */ SELECT 1;  SELECT\n"), [
    { sql: "SELECT 'a;b', `c;d` -- e;f\n  FROM t", line: 1, column: 1 },
    { sql: 'SELECT 1', line: 2, column: 20 },
  ]);
  assert.ok(b.pending);
  assert.equal(b.push("'it''s;' ;"), [{ sql: "SELECT\n'it''s;'", line: 2, column: 31 }]);
  assert.not.ok(b.pending);
  assert.equal(b.push('SELECT 2'), []);
  assert.equal(b.rest(), { sql: 'SELECT 2', line: 3, column: 11 });
});

test('the statement buffer keeps EXECUTE STATEMENT SET BEGIN ... END together, typed line by line', () => {
  const b = new StatementBuffer();
  assert.equal(b.push('execute statement set\n'), []);
  assert.equal(b.push('BEGIN\n'), []);
  assert.equal(b.push("  INSERT INTO a SELECT 'x;' FROM t;\n"), []);
  assert.ok(b.pending);
  assert.equal(b.push('  INSERT INTO b SELECT 1 FROM t; -- END;\n'), []);
  assert.equal(b.push('END; SELECT 2;'), [
    { sql: "execute statement set\nBEGIN\n  INSERT INTO a SELECT 'x;' FROM t;\n  INSERT INTO b SELECT 1 FROM t; -- END;\nEND", line: 1, column: 1 },
    { sql: 'SELECT 2', line: 5, column: 6 },
  ]);
  assert.not.ok(b.pending);
});

test('a statement set runs its INSERTs as one job and prints its job id', async () => {
  const { s, lines } = session();
  const dir = mkdtempSync(join(tmpdir(), 'sql-session-set-'));
  try {
    await run(s, lines, `${DDL}
CREATE TABLE a_rows (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'a')}', 'format' = 'csv');
CREATE TABLE b_rows (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'b')}', 'format' = 'csv');
SET 'table.dml-sync' = 'true';
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a_rows SELECT id FROM src WHERE grp = 'a';
  INSERT INTO b_rows SELECT id * 10 FROM src WHERE grp = 'b';
END;`);
    assert.equal(lines.filter((l) => l.startsWith('Job ID: ')).length, 1, lines.join('\n'));
    assert.ok(lines.some((l) => /^\[INFO\] Job [0-9a-f]+ finished\.$/.test(l)), lines.join('\n'));
    const read = (d: string): number[] => readdirSync(d).filter((f) => !f.startsWith('.'))
      .flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n').filter(Boolean)).map(Number).sort((x, y) => x - y);
    const a = read(join(dir, 'a'));
    const b = read(join(dir, 'b'));
    // Every generated row reaches exactly one of the two sinks.
    assert.equal([...a, ...b.map((x) => x / 10)].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
    assert.ok(a.length > 0 || b.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
