// The SQL DDL connector 'nats' against a real nats-server (and PostgreSQL): JSON events in a
// JetStream stream, read by a SQL table over partition subjects, aggregated by GROUP BY into a
// jdbc upsert table across an injected failure (equal to a plain loop), and filtered into a NATS
// sink table exactly once; option errors name the option.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { RestartStrategies, StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { startPostgresServer, type PostgresServer } from '../../../support/postgres-server.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { createStream, natsFixture, publishAll, readStream, waitForMessages, type NatsFixture } from '../../connectors/nats/nats-fixture.ts';

const seed = testSeed('nats-table-connector');
const random = new Random(seed);
const COUNT = 5000, KEYS = 9, PARTITIONS = 3;
interface Event { id: number; key: string; amount: number; ts: string }
const events: Event[] = Array.from({ length: COUNT }, (_, id) => ({
  id, key: `k${random.int(0, KEYS - 1)}`, amount: random.int(1, 500), ts: `2024-01-01 00:${String(Math.floor(id / 100) % 60).padStart(2, '0')}:00.000`,
}));
let nats: NatsFixture;
let server: PostgresServer;
let db: pg.Client;

test.before(async () => {
  try {
    nats = await natsFixture();
    server = await startPostgresServer();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    await createStream(nats, 'orders', ['orders.>']);
    await createStream(nats, 'big', ['big.>']);
    await publishAll(nats, events.map((e) => ({ subject: `orders.${e.id % PARTITIONS}`, value: e })));
  } catch (error) {
    console.error('setup failed:', error);
    throw error;
  }
});
test.after(async () => { await db?.end(); await nats?.close(); await server?.stop(); });

function sourceDdl(name: string): string {
  return `CREATE TABLE ${name} (id BIGINT, key STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
    'connector' = 'nats', 'servers' = '${nats.server.url}', 'stream' = 'orders', 'subjects' = 'orders.0, orders.1, orders.2',
    'scan.bounded' = 'true', 'format' = 'json', 'scan.fetch-size' = '128')`;
}

test('nats -> SQL GROUP BY -> postgres upserts exactly once across a failure; a filtered nats sink gets each row once', async () => {
  await db.query('CREATE TABLE key_totals (key text PRIMARY KEY, n bigint NOT NULL, total bigint NOT NULL)');
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const tEnv = StreamTableEnvironment.create(env);
  const shared = { seen: 0, failures: 0, at: random.int(1000, 3500) };
  tEnv.createTemporarySystemFunction('maybe_fail', { resultType: 'INT', eval: (v: number) => {
    const ck = embeddedExecutor.lastJobMaster?.checkpointing;
    if (++shared.seen >= shared.at && shared.failures === 0 && (ck?.latestCompletedId ?? 0) > (ck?.restoredCheckpointId ?? 0)) {
      shared.failures++;
      throw new Error(`injected failure at call ${shared.seen}`);
    }
    return v;
  } });
  await tEnv.executeSql(sourceDdl('orders'));
  await tEnv.executeSql(`CREATE TABLE totals (key STRING, n BIGINT, total BIGINT, PRIMARY KEY (key) NOT ENFORCED)
    WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${server.port}/postgres', 'table-name' = 'key_totals', 'username' = 'postgres')`);
  const result = await tEnv.executeSql('INSERT INTO totals SELECT key, COUNT(*), SUM(CAST(maybe_fail(amount) AS BIGINT)) FROM orders GROUP BY key');
  await drive(clock, result.await());
  assert.is(shared.failures, 1, 'the failure happened');
  const expected = new Map<string, [number, number]>();
  for (const e of events) { const t = expected.get(e.key) ?? [0, 0]; expected.set(e.key, [t[0] + 1, t[1] + e.amount]); }
  const want = [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, [n, s]]) => `${k}:${n}:${s}`);
  const read = async () => (await db.query('SELECT key, n, total FROM key_totals ORDER BY key')).rows.map((r) => `${r.key}:${r.n}:${r.total}`);
  for (const deadline = Date.now() + 15_000; JSON.stringify(await read()) !== JSON.stringify(want) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await read(), want);

  // An insert-only query into a NATS sink table (exactly-once by message id).
  const clock2 = new ManualClock();
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ clock: clock2, bufferTimeoutMs: 0, batchSize: 64 });
  env2.setParallelism(2).enableCheckpointing(100);
  const tEnv2 = StreamTableEnvironment.create(env2);
  await tEnv2.executeSql(sourceDdl('orders'));
  await tEnv2.executeSql(`CREATE TABLE big (id BIGINT, key STRING, amount INT, ts TIMESTAMP(3)) WITH (
    'connector' = 'nats', 'servers' = '${nats.server.url}', 'subject' = 'big.orders', 'format' = 'json')`);
  await drive(clock2, (await tEnv2.executeSql('INSERT INTO big SELECT id, key, amount, ts FROM orders WHERE amount > 400')).await());
  const wantBig = events.filter((e) => e.amount > 400).map((e) => `${e.id}:${e.key}:${e.amount}:${e.ts}`).sort();
  await waitForMessages(nats, 'big', wantBig.length);
  const got = (await readStream<Event>(nats, 'big')).map((e) => `${e.id}:${e.key}:${e.amount}:${e.ts}`).sort();
  assert.equal(got, wantBig);
});

test('option errors name the option', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock() });
  const tEnv = StreamTableEnvironment.create(env);
  const errorOf = async (run: () => Promise<unknown>): Promise<string> => { try { await run(); } catch (e) { return (e as Error).message; } return ''; };
  await tEnv.executeSql(`CREATE TABLE n1 (id BIGINT) WITH ('connector' = 'nats', 'servers' = '${nats.server.url}', 'format' = 'json')`);
  assert.match(await errorOf(async () => (await tEnv.executeSql('SELECT * FROM n1')).collect()), /needs the option 'stream'/);
  assert.match(await errorOf(() => tEnv.executeSql("CREATE TABLE n2 (id BIGINT) WITH ('connector' = 'nats', 'topic' = 'x')")), /does not support the option 'topic'/);
  await tEnv.executeSql(`CREATE TABLE n3 (id BIGINT) WITH ('connector' = 'nats', 'servers' = '${nats.server.url}', 'stream' = 'orders', 'format' = 'avro')`);
  assert.match(await errorOf(async () => (await tEnv.executeSql('SELECT * FROM n3')).collect()), /'format' must be 'json'/);
  await tEnv.executeSql(`CREATE TABLE n4 (id BIGINT) WITH ('connector' = 'nats', 'servers' = '${nats.server.url}', 'stream' = 'orders', 'format' = 'json', 'scan.startup.mode' = 'group-offsets')`);
  assert.match(await errorOf(async () => (await tEnv.executeSql('SELECT * FROM n4')).collect()), /'scan.startup.mode' must be/);
});

test.run();
