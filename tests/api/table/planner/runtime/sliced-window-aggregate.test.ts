// Window aggregation over shared slices against the per-window path (table.exec.window-agg.slicing
// = 'false', each row copied into each window): seeded random rows arriving out of order with a
// watermark that makes some of them late give the same changelog both ways, for HOP (slide
// dividing the size or not, with an offset), CUMULATE, TUMBLE and every built-in aggregate; and a
// HOP/CUMULATE INSERT restored from checkpoints mid-window writes exactly a plain loop's windows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment, WatermarkStrategy } from '../../../../../api/index.ts';
import { ManualClock } from '../../../../../api/time/clock.ts';
import { Random, testSeed } from '../../../../support/random.ts';
import { drive } from '../../../../e2e/fault-tolerance/support.ts';
import { committedLines, registerMaybeFail } from '../../support/failure-injection.ts';

interface Event { k: string; a: number | null; d: number; t: number }

/**
 * A watermark this far behind the latest time: rows further out of order than this are late. Times
 * are multiples of 50 ms, so the watermark often sits exactly at a window's last millisecond.
 */
const LAG = 1501;

const TVF = (fn: string): string => `TABLE(${fn})`;
const AGGS = 'COUNT(*) AS c, SUM(a) AS s, MIN(a) AS mn, MAX(d) AS mx, AVG(a) AS av, COUNT(DISTINCT a) AS cd, SUM(a) FILTER (WHERE d > 0.5) AS sf';
/** [query, whether its window aggregation shares slices]. */
const QUERIES: [string, boolean][] = [
  [`SELECT k, window_start, window_end, ${AGGS} FROM ${TVF("HOP(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '10' SECOND)")} GROUP BY k, window_start, window_end`, true],
  [`SELECT window_end, k, COUNT(*) AS c, MAX(a) AS m FROM ${TVF("HOP(DATA => TABLE e, TIMECOL => DESCRIPTOR(rt), SLIDE => INTERVAL '3' SECOND, SIZE => INTERVAL '10' SECOND, OFFSET => INTERVAL '1' SECOND)")} WHERE a IS NOT NULL GROUP BY window_start, window_end, k`, true],
  [`SELECT window_start, window_end, window_time, ${AGGS} FROM ${TVF("CUMULATE(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '8' SECOND)")} GROUP BY window_start, window_end, window_time`, true],
  [`SELECT k, window_start, COUNT(*) AS c, SUM(a) AS s FROM ${TVF("TUMBLE(TABLE e, DESCRIPTOR(rt), INTERVAL '5' SECOND)")} GROUP BY k, window_start, window_end`, true],
  [`SELECT window_start, window_end, COUNT(*) AS c, mid(a) AS m FROM ${TVF("HOP(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '6' SECOND)")} GROUP BY window_start, window_end`, true],
  // An aggregate without merge: HOP windows are then filled row by row (the same results).
  [`SELECT k, window_end, nomerge(a) AS m FROM ${TVF("HOP(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '6' SECOND)")} GROUP BY k, window_start, window_end`, false],
  // A condition on a window column: each row must be in its windows before the filter.
  [`SELECT k, window_start, COUNT(*) AS c FROM ${TVF("HOP(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '6' SECOND)")} WHERE window_start > TIMESTAMP '1970-01-01 00:00:10' GROUP BY k, window_start, window_end`, false],
];

/** Sum of non-null values divided by their count, as an aggregate UDF (with or without merge). */
function midFunction(merge: boolean) {
  return {
    resultType: 'DOUBLE',
    createAccumulator: () => [0, 0],
    accumulate: (acc: number[], v: number | null) => { if (v !== null) { acc[0] += v; acc[1]++; } },
    getValue: (acc: number[]) => (acc[1] === 0 ? null : acc[0] / acc[1]),
    ...(merge ? { merge: (acc: number[], other: number[]) => { acc[0] += other[0]; acc[1] += other[1]; } } : {}),
  };
}

function randomEvents(random: Random, count: number): Event[] {
  const events: Event[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += 50 * random.int(0, 3);
    // Mostly in order, some up to 3 s behind (late once the watermark, LAG behind, has passed their windows).
    const time = random.chance(0.15) ? Math.max(0, t - 50 * random.int(0, 60)) : t;
    events.push({ k: `k${random.int(0, 3)}`, a: random.chance(0.1) ? null : random.int(-5, 20), d: random.next(), t: time });
  }
  return events;
}

async function run(events: Event[], sql: string, slicing: boolean): Promise<{ rows: string[]; vertices: string }> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporarySystemFunction('mid', midFunction(true));
  tEnv.createTemporarySystemFunction('nomerge', midFunction(false));
  if (!slicing) await tEnv.executeSql("SET 'table.exec.window-agg.slicing' = 'false'");
  // The watermark follows each row (not a periodic timer), so both runs see the same rows as late.
  let max = -Infinity;
  const stream = env.fromCollection(events).assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator<Event>(() => ({
    onEvent: (_e, ts, out) => { if (ts > max) { max = ts; out.emitWatermark(ts - LAG); } },
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e) => e.t));
  tEnv.createTemporaryView('e', stream, { columns: { k: 'STRING', a: 'BIGINT', d: 'DOUBLE', t: 'BIGINT' }, rowtime: 'rt' });
  const rows: string[] = [];
  tEnv.toChangelogStream(tEnv.sqlQuery(sql)).addSink((c) => { rows.push(`${c.op} ${JSON.stringify(c.row)}`); });
  const vertices = env.getJobGraph().vertices.map((v) => v.name).join(' | ');
  await env.execute('sliced window aggregate');
  return { rows: rows.sort(), vertices };
}

test('slice-shared window aggregation gives the per-window results, late rows included', async () => {
  const seed = testSeed('sliced-window-aggregate');
  const events = randomEvents(new Random(seed), 600);
  for (const [sql, shared] of QUERIES) {
    const sliced = await run(events, sql, true);
    const unshared = await run(events, sql, false);
    assert.is(/sliced/.test(sliced.vertices), shared, `seed ${seed}: slices shared in ${sliced.vertices}`);
    assert.not.match(unshared.vertices, /sliced/, 'the setting turns slicing off');
    assert.ok(sliced.rows.length > 0, `seed ${seed}: ${sql} has results`);
    assert.equal(sliced.rows, unshared.rows, `seed ${seed}: ${sql}`);
  }
  // Late rows were dropped: the tumbling windows counted fewer rows than there are.
  const tumbling = await run(events, QUERIES[3][0], true);
  const counted = tumbling.rows.reduce((n, r) => n + (JSON.parse(r.slice(3)) as Record<string, number>).c, 0);
  assert.ok(counted < events.length && counted > events.length / 2, `seed ${seed}: ${counted} of ${events.length} rows counted`);
});

test('a row is late exactly for the windows whose last millisecond the watermark has reached', async () => {
  // Watermarks LAG behind: 13500 puts it at 11999, the last millisecond of [2000, 12000).
  const events: Event[] = [{ k: 'x', a: 1, d: 0, t: 1000 }, { k: 'y', a: 1, d: 0, t: 13_500 }, { k: 'x', a: 5, d: 0, t: 10_500 }, { k: 'y', a: 1, d: 0, t: 40_000 }];
  const sql = `SELECT k, window_end, COUNT(*) AS c, SUM(a) AS s FROM ${TVF("HOP(TABLE e, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '10' SECOND)")} WHERE k = 'x' GROUP BY k, window_start, window_end`;
  const row = (end: number, c: number, s: number): string => `+I ${JSON.stringify({ k: 'x', window_end: end, c, s })}`;
  const expected = [row(2000, 1, 1), row(4000, 1, 1), row(6000, 1, 1), row(8000, 1, 1), row(10_000, 1, 1), row(14_000, 1, 5), row(16_000, 1, 5), row(18_000, 1, 5), row(20_000, 1, 5)].sort();
  assert.equal((await run(events, sql, true)).rows, expected);
  assert.equal((await run(events, sql, false)).rows, expected);
});

const ROWS = 6000;

/** A timestamp of second `s` as the CSV format writes it. */
const text = (s: number): string => new Date(s * 1000).toISOString().replace('T', ' ').replace('Z', '');

/** The expected CSV lines by a plain loop: id i at second i (k = id % 5) in HOP(200 s, 1000 s) and CUMULATE(200 s, 600 s). */
function expectedLines(): string[] {
  const groups = new Map<string, [number, number]>();
  const add = (kind: string, start: number, end: number, id: number): void => {
    const key = `${kind},${text(start)},${text(end)},${id % 5}`;
    const g = groups.get(key) ?? [0, 0];
    groups.set(key, [g[0] + 1, g[1] + id]);
  };
  for (let id = 0; id < ROWS; id++) {
    for (let start = id - (id % 200); start > id - 1000; start -= 200) add('hop', start, start + 1000, id);
    const cycle = id - (id % 600);
    for (let end = id - (id % 200) + 200; end <= cycle + 600; end += 200) add('cumulate', cycle, end, id);
  }
  return [...groups].map(([key, [count, sum]]) => `${key},${count},${sum}`).sort();
}


/** HOP and CUMULATE window counts into a filesystem table, failing at the given calls (after a checkpoint). */
async function runInsert(dir: string, failAt: number[]): Promise<number> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(failAt.length + 2, 0));
  const tEnv = StreamTableEnvironment.create(env);
  const shared = registerMaybeFail(tEnv, failAt);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT, k AS id % 5, ts AS TIMESTAMP '1970-01-01 00:00:00' + INTERVAL '1' SECOND * CAST(id AS INT),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'datagen', 'rows-per-second' = '20000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  await tEnv.executeSql(`CREATE TABLE out (kind STRING, ws TIMESTAMP(3), we TIMESTAMP(3), k BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
  const set = tEnv.createStatementSet();
  set.addInsertSql(`INSERT INTO out SELECT 'hop', window_start, window_end, k, COUNT(*), SUM(maybe_fail(id))
    FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '200' SECOND, INTERVAL '1000' SECOND)) GROUP BY window_start, window_end, k`);
  set.addInsertSql(`INSERT INTO out SELECT 'cumulate', window_start, window_end, k, COUNT(*), SUM(id)
    FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '200' SECOND, INTERVAL '600' SECOND)) GROUP BY window_start, window_end, k`);
  const result = await set.execute();
  await drive(clock, result.await());
  return shared.failures;
}

test('HOP and CUMULATE over shared slices restore mid-window from checkpoints, exactly once', async () => {
  const random = new Random(testSeed('sliced-window-restore'));
  const dir = mkdtempSync(join(tmpdir(), 'sql-sliced-'));
  try {
    const failures = await runInsert(dir, [random.int(1000, 2500), random.int(3000, 4500)]);
    assert.ok(failures >= 1, 'failures happened');
    assert.equal(committedLines(dir), expectedLines());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
