// Processing-time windows in SQL: PROCTIME() computed columns read the job's clock, and TUMBLE /
// SESSION over them fire on processing-time timers. The clock is a ManualClock the test advances
// (never a sleep); the generator releases rows at its rate as the clock moves.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, StreamExecutionEnvironment } from '../../../../api/index.ts';
import { StreamTableEnvironment } from '../../../../api/table/table-environment.ts';
import type { Row } from '../../../../api/table/types/row.ts';

/** Runs `sql` over an unbounded generator of `v` = 0, 1, 2, ... at 1000 rows/s until `done`. */
async function runOnClock(sql: string, done: (rows: Row[]) => boolean, maxMs = 5000, ddl = ''): Promise<{ rows: Row[]; firedAt: number[] }> {
  const clock = new ManualClock(1_000_000);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock });
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql(`CREATE TABLE g (v BIGINT, pt AS PROCTIME()) WITH (
    'connector' = 'datagen', 'rows-per-second' = '1000', 'fields.v.kind' = 'sequence', 'fields.v.start' = '0')`);
  for (const stmt of ddl.split(';').filter((x) => x.trim() !== '')) await tEnv.executeSql(stmt);
  const rows: Row[] = [];
  const firedAt: number[] = [];
  tEnv.toDataStream(tEnv.sqlQuery(sql)).addSink((r: Row) => { rows.push(r); firedAt.push(clock.now()); });
  const client = await env.executeAsync('proctime windows');
  while (clock.now() < 1_000_000 + maxMs && !done(rows)) {
    clock.advance(10);
    for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  await client.cancel();
  await client.getJobExecutionResult().catch(() => {});
  return { rows, firedAt };
}

test('PROCTIME() is a processing-time attribute of the clock', async () => {
  const tEnv = StreamTableEnvironment.create(StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(42) }));
  await tEnv.executeSql("CREATE TABLE g (v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'number-of-rows' = '3')");
  assert.match(tEnv.explainSql('SELECT pt FROM g'), /Scan|datagen/i);
  const pt = tEnv.sqlQuery('SELECT v, pt FROM g').getSchema().columns[1].type;
  assert.equal([pt.kind, pt.timeAttribute], ['TIMESTAMP_LTZ', 'proctime']);
  const rows = await tEnv.sqlQuery('SELECT pt, NOW() AS n FROM g').execute().collect();
  assert.equal(rows.map((r) => [r.pt, r.n]), [[42, 42], [42, 42], [42, 42]]);
});

test('a TUMBLE window over PROCTIME() fires on the clock with every row once, in order', async () => {
  const sql = `SELECT window_start, window_end, COUNT(*) AS c, MIN(v) AS lo, MAX(v) AS hi
    FROM TABLE(TUMBLE(TABLE g, DESCRIPTOR(pt), INTERVAL '0.1' SECOND)) GROUP BY window_start, window_end`;
  const { rows, firedAt } = await runOnClock(sql, (r) => r.length >= 8);
  assert.ok(rows.length >= 8, `only ${rows.length} windows fired`);
  let next = 0;
  rows.forEach((r, i) => {
    const start = r.window_start as number;
    assert.is((start - 1_000_000) % 100, 0, 'windows align to the size');
    assert.is(r.window_end, start + 100);
    assert.ok(firedAt[i] >= start + 99, `window ${start} fired at ${firedAt[i]}, before its end`);
    // Rows are generated in order at p1: each window holds the next run of v.
    assert.is(r.lo, next, `window ${start} starts at v=${r.lo}, expected ${next}`);
    assert.is(r.c, (r.hi as number) - (r.lo as number) + 1);
    next = (r.hi as number) + 1;
  });
  assert.ok(next > 100, `only ${next} rows counted`);
});

test('the SESSION TVF and legacy TUMBLE over PROCTIME() fire on processing-time timers', async () => {
  // The generator never pauses for 0.1 s, so one session grows; sessions with a gap under the
  // generator's batch spacing split it. Here: legacy TUMBLE, and a session that must not fire early.
  const legacy = await runOnClock(`SELECT TUMBLE_START(pt, INTERVAL '0.05' SECOND) AS s, COUNT(*) AS c
    FROM g GROUP BY TUMBLE(pt, INTERVAL '0.05' SECOND)`, (r) => r.length >= 5);
  assert.ok(legacy.rows.length >= 5);
  assert.ok(legacy.rows.reduce((n, r) => n + (r.c as number), 0) >= 50);
  const session = await runOnClock(`SELECT window_start, window_end, COUNT(*) AS c FROM TABLE(SESSION(TABLE g, DESCRIPTOR(pt), INTERVAL '1' SECOND))
    GROUP BY window_start, window_end`, () => false, 600);
  assert.equal(session.rows, [], 'a session still receiving rows does not fire');
  // A burst of 100 rows under key 'a' (then nothing), and a slow stream under 'b' keeping the job alive:
  // the session of 'a' fires once the clock passes its last row plus the gap.
  const burst = await runOnClock(`SELECT k, window_start, window_end, COUNT(*) AS c, MIN(v) AS lo, MAX(v) AS hi
    FROM TABLE(SESSION(TABLE u PARTITION BY k, DESCRIPTOR(pt), INTERVAL '0.05' SECOND)) GROUP BY k, window_start, window_end`, (r) => r.length > 0, 3000, `
    CREATE TABLE burst (v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '1000', 'number-of-rows' = '100', 'fields.v.kind' = 'sequence', 'fields.v.start' = '0');
    CREATE TABLE slow (v BIGINT, pt AS PROCTIME()) WITH ('connector' = 'datagen', 'rows-per-second' = '1', 'fields.v.kind' = 'sequence', 'fields.v.start' = '0');
    CREATE VIEW u AS SELECT 'a' AS k, v, pt FROM burst UNION ALL SELECT 'b' AS k, v, pt FROM slow`);
  assert.is(burst.rows.length, 1);
  const [s] = burst.rows;
  assert.equal([s.k, s.c, s.lo, s.hi], ['a', 100, 0, 99]);
  assert.ok(burst.firedAt[0] >= (s.window_end as number) - 1, 'the session fired on the clock, after its end');
  assert.ok((s.window_end as number) - (s.window_start as number) >= 50);
});

test.run();
