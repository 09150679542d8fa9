// A SQL INSERT job (datagen -> window aggregation -> filesystem) across injected failures: the
// committed files hold exactly the rows of a plain-loop computation, none twice, none missing,
// and the window operator's state is restored from checkpoints (its uid comes from the plan).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment } from '../../../api/index.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { Random, testSeed } from '../../support/random.ts';
import { drive } from '../../e2e/fault-tolerance/support.ts';
import { committedLines, registerMaybeFail } from './support/failure-injection.ts';

const ROWS = 20_000;
const EPOCH = Date.UTC(2024, 0, 1);

/** The expected CSV lines, by a plain loop: id i at second i, windows of 1000 s, k = id % 7. */
function expectedLines(): string[] {
  const groups = new Map<string, [number, number]>();
  for (let id = 0; id < ROWS; id++) {
    // Tumbling windows are aligned to the epoch, as in Flink.
    const ts = EPOCH + id * 1000;
    const start = new Date(ts - (ts % 1_000_000)).toISOString().replace('T', ' ').replace('Z', '');
    const key = `${start},${id % 7}`;
    const g = groups.get(key) ?? [0, 0];
    groups.set(key, [g[0] + 1, g[1] + id]);
  }
  return [...groups].map(([key, [count, sum]]) => `${key},${count},${sum}`).sort();
}


async function runInsert(dir: string, failAt: number[]): Promise<number> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(failAt.length + 2, 0));
  const tEnv = StreamTableEnvironment.create(env);
  const shared = registerMaybeFail(tEnv, failAt);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT, k AS id % 7, ts AS TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' SECOND * CAST(id AS INT),
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
    WITH ('connector' = 'datagen', 'rows-per-second' = '30000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  await tEnv.executeSql(`CREATE TABLE out (window_start TIMESTAMP(3), k BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`);
  const result = await tEnv.executeSql(`INSERT INTO out
    SELECT window_start, k, COUNT(*), SUM(maybe_fail(id)) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1000' SECOND))
    GROUP BY window_start, window_end, k`);
  await drive(clock, result.await());
  return shared.failures;
}

test('a SQL INSERT into a filesystem table is exactly-once across injected failures', async () => {
  const random = new Random(testSeed('sql-insert-exactly-once'));
  const dirs = [mkdtempSync(join(tmpdir(), 'sql-eo-ref-')), mkdtempSync(join(tmpdir(), 'sql-eo-fail-'))];
  try {
    assert.is(await runInsert(dirs[0], []), 0);
    const expected = expectedLines();
    assert.equal(committedLines(dirs[0]), expected, 'the no-failure run');
    const failures = await runInsert(dirs[1], [random.int(2000, 8000), random.int(10_000, 16_000)]);
    assert.ok(failures >= 1, 'failures happened');
    assert.equal(committedLines(dirs[1]), expected);
    assert.ok(readdirSync(dirs[1]).every((f) => !f.endsWith('.pending')), 'no pending file is left behind');
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test.run();
