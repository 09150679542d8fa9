// A SQL job stopped with a savepoint and restored (at another parallelism) from it continues from
// its GROUP BY state: operator uids come from the plan, so the same query finds its state again.
// The materialized changelog of both runs equals a plain-loop count.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment, type ChangelogRow } from '../../../api/index.ts';
import { applyChangelog } from '../../../api/table/types/row.ts';

const ROWS = 12_000;
const KEYS = 6;

function build(parallelism: number, progress: { seen: number }, emitted: ChangelogRow[]) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(parallelism).setRestartStrategy(RestartStrategies.noRestart()).enableCheckpointing(100);
  const tEnv = StreamTableEnvironment.create(env);
  tEnv.createTemporarySystemFunction('seen', { resultType: 'BIGINT', eval: (id: number) => { progress.seen++; return id; } });
  tEnv.executeSql(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  const counts = tEnv.sqlQuery(`SELECT k, COUNT(*) AS c, SUM(id) AS s FROM (SELECT seen(id) % ${KEYS} AS k, id FROM src) GROUP BY k`);
  tEnv.toChangelogStream(counts).addSink((c) => { emitted.push(c); }).uid('sink');
  return { env, clock };
}

async function drive(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
}

test('a GROUP BY query restored from a savepoint continues from its state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sql-savepoint-'));
  try {
    const emitted: ChangelogRow[] = [];
    const progress = { seen: 0 };
    const first = build(2, progress, emitted);
    const client = await first.env.executeAsync('sql counts');
    await drive(first.clock, () => progress.seen >= 4000);
    let path: string | undefined;
    const stopping = client.stopWithSavepoint(dir).then((p) => { path = p; });
    await drive(first.clock, () => path !== undefined);
    await stopping;
    const before = emitted.length;
    assert.ok(before > 0, 'output before the stop');
    const next = build(3, { seen: 0 }, emitted);
    let finished = false;
    const run = next.env.execute({ name: 'sql counts restored', fromSavepoint: path! }).then(() => { finished = true; });
    await drive(next.clock, () => finished);
    await run;
    const expected = new Map<number, [number, number]>();
    for (let id = 0; id < ROWS; id++) {
      const e = expected.get(id % KEYS) ?? [0, 0];
      expected.set(id % KEYS, [e[0] + 1, e[1] + id]);
    }
    const final = applyChangelog(emitted.map((c) => ({ op: c.op, row: [c.row.k, c.row.c, c.row.s] })));
    assert.equal(final.sort((a, b) => (a[0] as number) - (b[0] as number)), [...expected].sort((a, b) => a[0] - b[0]).map(([k, [c, s]]) => [k, c, s]));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
