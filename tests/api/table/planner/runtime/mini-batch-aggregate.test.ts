// The mini-batch GROUP BY operators: one change per key and batch (a key whose batch leaves its
// result unchanged emits nothing, a group emptied and refilled within one batch updates), batches
// flushed by size and by the allow-latency timer on the job's injected clock, user-defined
// aggregates in two phases only when they merge, and exactly-once across injected failures with
// batches flushed only at checkpoint barriers and end of input (against a plain loop).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../../api/index.ts';
import { drive } from '../../../../e2e/fault-tolerance/support.ts';
import { Random, testSeed } from '../../../../support/random.ts';
import { registerMaybeFail } from '../../support/failure-injection.ts';

function miniBatch(tEnv: StreamTableEnvironment, latency: string, size: number, phases = 'AUTO'): void {
  void tEnv.executeSql("SET 'table.exec.mini-batch.enabled' = 'true'");
  void tEnv.executeSql(`SET 'table.exec.mini-batch.allow-latency' = '${latency}'`);
  void tEnv.executeSql(`SET 'table.exec.mini-batch.size' = '${size}'`);
  void tEnv.executeSql(`SET 'table.optimizer.agg-phase-strategy' = '${phases}'`);
}

const CHANGES = [
  // batch 1 (2 rows): a and b appear
  { op: '+I' as const, row: { w: 'a', n: 1 } }, { op: '+I' as const, row: { w: 'b', n: 5 } },
  // batch 2: a grows twice: one -U/+U pair
  { op: '+I' as const, row: { w: 'a', n: 2 } }, { op: '+I' as const, row: { w: 'a', n: 3 } },
  // batch 3: b gains and loses a row: unchanged, nothing emitted
  { op: '+I' as const, row: { w: 'b', n: 0 } }, { op: '-D' as const, row: { w: 'b', n: 0 } },
  // batch 4: c appears and disappears: nothing; batch 5: b is emptied and refilled: one update
  { op: '+I' as const, row: { w: 'c', n: 7 } }, { op: '-D' as const, row: { w: 'c', n: 7 } },
  { op: '-D' as const, row: { w: 'b', n: 5 } }, { op: '+I' as const, row: { w: 'b', n: 9 } },
  // batch 6: a loses two rows: one update; batch 7: a is emptied: -D, e appears: +I
  { op: '-D' as const, row: { w: 'a', n: 1 } }, { op: '-D' as const, row: { w: 'a', n: 2 } },
  { op: '-D' as const, row: { w: 'a', n: 3 } }, { op: '+I' as const, row: { w: 'e', n: 4 } },
];

test('one change per key and batch: -U/+U combined, unchanged results and groups born and gone within a batch emit nothing', async () => {
  for (const phases of ['ONE_PHASE', 'TWO_PHASE']) {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    const tEnv = StreamTableEnvironment.create(env);
    miniBatch(tEnv, '1 h', 2, phases);
    const t = tEnv.fromChangelogStream(env.fromElements(...CHANGES), { columns: { w: 'STRING', n: 'INT' } });
    const sql = `SELECT w, SUM(n) AS s, COUNT(*) AS c FROM ${t} GROUP BY w`;
    assert.is(tEnv.explainSql(sql).includes('LocalGroupAggregate'), phases === 'TWO_PHASE', `${phases}: the plan`);
    const log = (await tEnv.sqlQuery(sql).execute().collectChangelog()).map((c) => `${c.op}${c.row.w}:${c.row.s}/${c.row.c}`);
    // Two phases: the global aggregation batches the local partial rows (one per key and local
    // batch) two at a time, so a's last two partials arrive in one batch and a goes at once.
    const tail = phases === 'ONE_PHASE' ? ['-Ua:6/3', '+Ua:3/1', '-Da:3/1', '+Ie:4/1'] : ['-Da:6/3', '+Ie:4/1'];
    assert.equal(log, ['+Ia:1/1', '+Ib:5/1', '-Ua:1/1', '+Ua:6/3', '-Ub:5/1', '+Ub:9/1', ...tail], phases);
  }
});

test('a batch is flushed when allow-latency has passed on the job clock, not only at end of input', async () => {
  const run = async (latency: string): Promise<string[]> => {
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
    const tEnv = StreamTableEnvironment.create(env);
    miniBatch(tEnv, latency, 1000);
    // One row per second of the manual clock.
    await tEnv.executeSql("CREATE TABLE r (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'rows-per-second' = '1', 'fields.k.values' = 'x')");
    const result = tEnv.sqlQuery('SELECT k, COUNT(*) AS c FROM r GROUP BY k').execute();
    return (await drive(clock, result.collectChangelog())).map((c) => `${c.op}${c.row.c}`);
  };
  // 500 ms: each row's batch flushes before the next row arrives.
  assert.equal(await run('500 ms'), ['+I1', '-U1', '+U2', '-U2', '+U3']);
  // 1 min: the one batch is flushed at end of input.
  assert.equal(await run('1 min'), ['+I3']);
});

test('a user-defined aggregate runs in two phases only when it has merge()', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  miniBatch(tEnv, '1 h', 3);
  const product = {
    createAccumulator: () => ({ p: 1 }),
    accumulate: (acc: { p: number }, v: number | null) => { if (v !== null) acc.p *= v; },
    getValue: (acc: { p: number }) => acc.p,
    resultType: 'BIGINT',
  };
  tEnv.createTemporarySystemFunction('product_merging', { ...product, merge: (acc: { p: number }, other: { p: number }) => { acc.p *= other.p; } });
  tEnv.createTemporarySystemFunction('product_plain', product);
  tEnv.createTemporaryView('v', env.fromCollection(Array.from({ length: 40 }, (_, i) => ({ k: i % 3, n: (i % 4) + 1 }))));
  const merging = 'SELECT k, product_merging(n) AS p FROM v GROUP BY k';
  const plain = 'SELECT k, product_plain(n) AS p FROM v GROUP BY k';
  assert.match(tEnv.explainSql(merging), /GlobalGroupAggregate/);
  assert.not.match(tEnv.explainSql(plain), /LocalGroupAggregate/);
  const expected = [0, 1, 2].map((k) => {
    let p = 1;
    for (let i = 0; i < 40; i++) if (i % 3 === k) p *= (i % 4) + 1;
    return { k, p };
  });
  const sorted = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => (a.k as number) - (b.k as number));
  assert.equal(sorted(await tEnv.sqlQuery(merging).execute().collect()), expected);
  assert.equal(sorted(await tEnv.sqlQuery(plain).execute().collect()), expected);
});

const ROWS = 12_000;

/** The expected final rows, by a plain loop: per id % 7, the count, the sum of ids and the distinct id % 50 values. */
function expectedRows(): string[] {
  const groups = new Map<number, { c: number; s: number; d: Set<number> }>();
  for (let id = 0; id < ROWS; id++) {
    const g = groups.get(id % 7) ?? { c: 0, s: 0, d: new Set<number>() };
    g.c++;
    g.s += id;
    g.d.add(id % 50);
    groups.set(id % 7, g);
  }
  return [...groups].map(([k, g]) => `${k},${g.c},${g.s},${g.d.size}`).sort();
}

/**
 * A GROUP BY with checkpoints every 100 ms and failures injected in the aggregate's argument;
 * batches are never flushed by size or latency (1,000,000 rows, 1 h), only at checkpoint barriers
 * and at end of input, so rows held in a batch at a barrier must be in that checkpoint's state.
 */
async function runWithFailures(sql: string, failAt: number[]): Promise<{ rows: string[]; failures: number }> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(failAt.length + 2, 0));
  const tEnv = StreamTableEnvironment.create(env);
  miniBatch(tEnv, '1 h', 1_000_000);
  const shared = registerMaybeFail(tEnv, failAt);
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20000',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  const rows = await drive(clock, tEnv.sqlQuery(sql).execute().collect());
  return { rows: rows.map((r) => Object.values(r).join(',')).sort(), failures: shared.failures };
}

test('mini-batch GROUP BY is exactly-once across injected failures, in one phase and in two (against a plain loop)', async () => {
  const random = new Random(testSeed('sql-mini-batch-exactly-once'));
  // Two phases (COUNT, SUM and MAX merge); one phase (COUNT DISTINCT is not split).
  const queries: [string, string[]][] = [
    ['SELECT id % 7 AS k, COUNT(*) AS c, SUM(maybe_fail(id)) AS s, MAX(id % 50) + 1 AS d FROM src GROUP BY id % 7', expectedRows()],
    ['SELECT id % 7 AS k, COUNT(*) AS c, SUM(maybe_fail(id)) AS s, COUNT(DISTINCT id % 50) AS d FROM src GROUP BY id % 7', expectedRows()],
  ];
  for (const [sql, expected] of queries) {
    const plain = await runWithFailures(sql, []);
    assert.equal(plain.rows, expected, `no failures: ${sql}`);
    const failed = await runWithFailures(sql, [random.int(1500, 4000), random.int(5000, 8000)]);
    assert.ok(failed.failures >= 1, 'failures happened');
    assert.equal(failed.rows, expected, sql);
  }
});

test.run();
