// The SQL DDL connectors 'jdbc' and 'postgres-cdc' against a real PostgreSQL server: an updating
// GROUP BY job upserts into a table (exactly-once across an injected failure) that equals a plain
// loop's answer; a CDC table with an initial snapshot (with each decoding plugin, test_decoding and
// pgoutput), changed while the job reads it, feeds a SQL
// aggregation whose upserted (and deleted) rows equal a query on the source table; DDL and
// planning errors name the option or the reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { startPostgresWithClient, type PostgresServer } from '../../../support/postgres-server.ts';
import { Random, testSeed } from '../../../support/random.ts';

const seed = testSeed('postgres-table-connector');
let server: PostgresServer;
let db: pg.Client;

test.before(async () => { ({ server, db } = await startPostgresWithClient()); });
test.after(async () => { await db?.end(); await server?.stop(); });

const jdbcUrl = (): string => `jdbc:postgresql://127.0.0.1:${server.port}/postgres`;

function environment(clock: ManualClock, checkpointMs?: number): { env: StreamExecutionEnvironment; tEnv: StreamTableEnvironment } {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  if (checkpointMs !== undefined) env.enableCheckpointing(checkpointMs);
  return { env, tEnv: StreamTableEnvironment.create(env) };
}

/** A UDF passing its argument through that fails once, at call `at`, after a checkpoint since the restore. */
function failingOnce(at: number): { eval: (v: number) => number; failures: () => number } {
  const shared = { seen: 0, failures: 0 };
  return {
    eval: (v: number) => {
      const ck = embeddedExecutor.lastJobMaster?.checkpointing;
      if (++shared.seen >= at && shared.failures === 0 && (ck?.latestCompletedId ?? 0) > (ck?.restoredCheckpointId ?? 0)) {
        shared.failures++;
        throw new Error(`injected failure at call ${shared.seen}`);
      }
      return v;
    },
    failures: () => shared.failures,
  };
}

/** Resolves once `check` holds (polled), or rejects after `ms`. */
async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('INSERT INTO a jdbc table SELECT ... GROUP BY upserts exactly once across a failure, equal to a plain loop', async () => {
  const ROWS = 6000;
  const random = new Random(seed);
  const mod = random.int(7, 23);
  await db.query('CREATE TABLE totals (k bigint PRIMARY KEY, c bigint NOT NULL, s bigint NOT NULL)');
  const clock = new ManualClock();
  const { tEnv } = environment(clock, 100);
  const fail = failingOnce(random.int(1000, 4000));
  tEnv.createTemporarySystemFunction('maybe_fail', { resultType: 'BIGINT', eval: fail.eval });
  await tEnv.executeSql(`CREATE TABLE src (id BIGINT, k AS (id * 7919) % ${mod}, v AS id % 100 - 30)
    WITH ('connector' = 'datagen', 'rows-per-second' = '20000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '${ROWS - 1}')`);
  await tEnv.executeSql(`CREATE TABLE pg_totals (k BIGINT, c BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED)
    WITH ('connector' = 'jdbc', 'url' = '${jdbcUrl()}', 'table-name' = 'totals', 'username' = 'postgres', 'sink.buffer-flush.max-rows' = '50')`);
  const result = await tEnv.executeSql('INSERT INTO pg_totals SELECT k, COUNT(*), SUM(maybe_fail(v)) FROM src GROUP BY k');
  await drive(clock, result.await());
  assert.is(fail.failures(), 1, 'the failure happened');
  const expected = new Map<number, [number, number]>();
  for (let id = 0; id < ROWS; id++) {
    const k = (id * 7919) % mod;
    const e = expected.get(k) ?? [0, 0];
    expected.set(k, [e[0] + 1, e[1] + (id % 100) - 30]);
  }
  const want = [...expected].sort((a, b) => a[0] - b[0]).map(([k, [c, s]]) => `${k}:${c}:${s}`);
  const read = async () => (await db.query('SELECT k, c, s FROM totals ORDER BY k')).rows.map((r) => `${r.k}:${r.c}:${r.s}`);
  // The last transaction's commit may still be on its way when the job's result arrives.
  await until(async () => JSON.stringify(await read()) === JSON.stringify(want));
  assert.equal(await read(), want);
  assert.is(Number((await db.query('SELECT count(*) AS n FROM pg_prepared_xacts')).rows[0].n), 0, 'no prepared transaction is left');
});

for (const plugin of ['test_decoding', 'pgoutput']) {
  const p = plugin === 'pgoutput' ? 'po' : 'td';
  test(`${plugin}: a postgres-cdc table (initial snapshot, changed while read) aggregated by SQL into a jdbc table equals a query on the source`, async () => {
    const random = new Random(seed + 1);
    await db.query(`CREATE TABLE accounts_${p} (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE accounts_${p} REPLICA IDENTITY FULL`);
    await db.query(`CREATE TABLE owner_totals_${p} (owner text PRIMARY KEY, n bigint NOT NULL, total bigint NOT NULL)`);
    const INITIAL = 3000;
    let next = 1;
    const ids: number[] = [];
    for (let i = 0; i < INITIAL; i += 500) {
      const values: string[] = [];
      for (let j = 0; j < 500; j++) { ids.push(next); values.push(`(${next++}, 'o${random.int(0, 8)}', ${random.int(-50, 100)})`); }
      await db.query(`INSERT INTO accounts_${p} VALUES ${values.join(', ')}`);
    }
    const clock = new ManualClock();
    const { tEnv } = environment(clock, 100);
    await tEnv.executeSql(`CREATE TABLE acc (id INT, owner STRING, balance INT, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'postgres-cdc', 'hostname' = '127.0.0.1', 'port' = '${server.port}', 'username' = 'postgres',
      'database-name' = 'postgres', 'schema-name' = 'public', 'table-name' = 'accounts_${p}', 'slot.name' = 'acc_sql_${p}',
      'scan.snapshot.chunk-pages' = '2', 'scan.poll-interval-ms' = '20', 'decoding.plugin.name' = '${plugin}')`);
    await tEnv.executeSql(`CREATE TABLE totals_sink (owner STRING, n BIGINT, total BIGINT, PRIMARY KEY (owner) NOT ENFORCED)
      WITH ('connector' = 'postgres', 'url' = '${jdbcUrl()}', 'table-name' = 'owner_totals_${p}', 'username' = 'postgres')`);
    const result = await tEnv.executeSql('INSERT INTO totals_sink SELECT owner, COUNT(*), SUM(balance) FROM acc GROUP BY owner');
    const job = result.getJobClient()!;
    const running = job.getJobExecutionResult();
    running.catch(() => {});
    // Changes while the job starts and reads the snapshot: inserts, updates (moving rows between owners) and deletes of whole owners.
    const churn = (async () => {
      for (let t = 0; t < 150; t++) {
        await db.query('BEGIN');
        for (let k = random.int(1, 4); k > 0; k--) {
          const r = random.int(0, 9);
          if (r < 4) {
            ids.push(next);
            await db.query(`INSERT INTO accounts_${p} VALUES ($1, $2, $3)`, [next++, `o${random.int(0, 8)}`, random.int(-50, 100)]);
          } else if (r < 8) {
            await db.query(`UPDATE accounts_${p} SET balance = balance + $2, owner = $3 WHERE id = $1`, [ids[random.int(0, ids.length - 1)], random.int(-20, 20), `o${random.int(0, 9)}`]);
          } else {
            const i = random.int(0, ids.length - 1);
            await db.query(`DELETE FROM accounts_${p} WHERE id = $1`, [ids[i]]);
            ids.splice(i, 1);
          }
        }
        await db.query('COMMIT');
        await new Promise((r) => setTimeout(r, 1));
      }
      // A whole owner disappears: its row must be deleted from the sink.
      await db.query(`DELETE FROM accounts_${p} WHERE owner = 'o3'`);
    })();
    const source = async () => (await db.query(`SELECT owner, count(*)::int AS n, sum(balance)::int AS total FROM accounts_${p} GROUP BY owner ORDER BY owner`)).rows.map((r) => `${r.owner}:${r.n}:${r.total}`);
    const sink = async () => (await db.query(`SELECT owner, n, total FROM owner_totals_${p} ORDER BY owner`)).rows.map((r) => `${r.owner}:${r.n}:${r.total}`);
    const settled = churn.then(() => until(async () => JSON.stringify(await sink()) === JSON.stringify(await source())));
    await drive(clock, Promise.race([settled, running]));
    const want = await source();
    assert.equal(await sink(), want);
    assert.ok(!want.some((r) => r.startsWith('o3:')), 'the deleted owner is gone from the sink');
    await job.cancel();
  });
}

/** The error of `run` (thrown, or a rejection), if any. */
async function errorOf(run: () => Promise<unknown>): Promise<Error | undefined> {
  try { await run(); } catch (error) { return error as Error; }
  return undefined;
}

test('DDL and planning errors name the option or the reason', async () => {
  const clock = new ManualClock();
  const { tEnv } = environment(clock);
  await tEnv.executeSql(`CREATE TABLE a (k BIGINT) WITH ('connector' = 'jdbc', 'url' = '${jdbcUrl()}')`);
  const missing = await errorOf(async () => (await tEnv.executeSql('INSERT INTO a VALUES (CAST(1 AS BIGINT))')).await());
  assert.match(String(missing?.message), /needs the option 'table-name'/);
  const unknown = await errorOf(() => tEnv.executeSql(`CREATE TABLE b (k BIGINT) WITH ('connector' = 'jdbc', 'url' = '${jdbcUrl()}', 'table-name' = 't', 'sink.flavour' = 'x')`));
  assert.match(String(unknown?.message), /does not support the option 'sink.flavour'/);
  await tEnv.executeSql(`CREATE TABLE c (k BIGINT, n BIGINT) WITH ('connector' = 'jdbc', 'url' = '${jdbcUrl()}', 'table-name' = 't')`);
  await tEnv.executeSql("CREATE TABLE d (k BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')");
  const updating = await errorOf(() => tEnv.executeSql('INSERT INTO c SELECT k, COUNT(*) FROM d GROUP BY k'));
  assert.match(String(updating?.message), /append-only, but the query produces updates/);
  await tEnv.executeSql("CREATE TABLE e (id INT) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h', 'username' = 'u', 'database-name' = 'd', 'table-name' = 't')");
  const cdc = await errorOf(async () => (await tEnv.executeSql('SELECT * FROM e')).collect());
  assert.match(String(cdc?.message), /needs the option 'slot.name'/);
  await tEnv.executeSql("CREATE TABLE g (id INT) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h', 'username' = 'u', 'database-name' = 'd', 'table-name' = 't', 'slot.name' = 's', 'decoding.plugin.name' = 'wal2json')");
  assert.match(String((await errorOf(async () => (await tEnv.executeSql('SELECT * FROM g')).collect()))?.message), /'decoding.plugin.name' must be 'test_decoding' or 'pgoutput', got 'wal2json'/);
  await tEnv.executeSql("CREATE TABLE h (id INT) WITH ('connector' = 'postgres-cdc', 'hostname' = 'h', 'username' = 'u', 'database-name' = 'd', 'table-name' = 't', 'slot.name' = 's', 'decoding.plugin.name' = 'pgoutput', 'publication.name' = 'Pub!')");
  assert.match(String((await errorOf(async () => (await tEnv.executeSql('SELECT * FROM h')).collect()))?.message), /'publication.name' must be 1-63 lower-case letters/);
  await tEnv.executeSql(`CREATE TABLE f (k BIGINT) WITH ('connector' = 'jdbc', 'url' = 'mysql://h/d', 'table-name' = 't')`);
  const url = await errorOf(async () => (await tEnv.executeSql('INSERT INTO f VALUES (CAST(1 AS BIGINT))')).await());
  assert.match(String(url?.message), /'url' must be jdbc:postgresql:/);
});

test.run();
