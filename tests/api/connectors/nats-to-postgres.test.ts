// End to end against real servers: a job reads events from NATS JetStream, counts them per key and
// writes the running counts to PostgreSQL twice (an append-only log table and an upsert table
// keyed by the key), both exactly-once, with a failure injected mid-job. The log equals the
// plain-loop emissions (no duplicate, no loss) and the upsert table the final counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { NatsJetStreamSource, PostgresSink, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { drive } from '../../e2e/fault-tolerance/support.ts';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server.ts';
import { Random, testSeed } from '../../support/random.ts';
import { createStream, failOnce, natsFixture, publishAll, type NatsFixture } from './nats/nats-fixture.ts';

const seed = testSeed('nats-to-postgres');
const random = new Random(seed);
const COUNT = 8000, KEYS = 11, PARTITIONS = 3;
interface Event { id: number; key: string }
interface Count { key: string; count: number }
const events: Event[] = Array.from({ length: COUNT }, (_, id) => ({ id, key: `k${random.int(0, KEYS - 1)}` }));
let nats: NatsFixture;
let server: PostgresServer;
let db: pg.Client;

test.before(async () => { await setup().catch((error) => { console.error('setup failed:', error); throw error; }); });

async function setup(): Promise<void> {
  nats = await natsFixture();
  server = await startPostgresServer();
  db = new pg.Client({ connectionString: server.url });
  await db.connect();
  await createStream(nats, 'orders', ['orders.>']);
  await publishAll(nats, events.map((e) => ({ subject: `orders.${e.id % PARTITIONS}`, value: e })));
  await db.query('CREATE TABLE count_log (key text NOT NULL, count int NOT NULL); CREATE TABLE counts (key text PRIMARY KEY, count int NOT NULL)');
}
test.after(async () => { await db?.end(); await nats?.close(); await server?.stop(); });

test('NATS -> keyed count -> PostgreSQL is exactly-once across an injected failure', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const failing = failOnce<Event>(random.int(1000, COUNT - 2000));
  const counts = env.fromSource(new NatsJetStreamSource<Event>({ servers: nats.server.url, stream: 'orders', partitionSubjects: ['orders.0', 'orders.1', 'orders.2'], bounded: true, fetchSize: 128 }), undefined, 'orders')
    .map(failing.fn)
    .map((e): Count => ({ key: e.key, count: 1 }))
    .keyBy((c) => c.key)
    .reduce((a, b): Count => ({ key: a.key, count: a.count + b.count }));
  counts.sinkTo(new PostgresSink<Count>({ url: server.url, table: 'count_log', columns: ['key', 'count'] }));
  counts.sinkTo(new PostgresSink<Count>({ url: server.url, table: 'counts', columns: ['key', 'count'], key: ['key'] }));
  await drive(clock, env.execute('nats-to-postgres'));
  assert.is(failing.failures(), 1, 'the failure happened');

  // Plain loop: every running count once; the final count per key.
  const final = new Map<string, number>();
  const emitted: string[] = [];
  for (const e of events) { const c = (final.get(e.key) ?? 0) + 1; final.set(e.key, c); emitted.push(`${e.key}:${c}`); }
  // The job's last commit may still be on its way when its result arrives: wait for the rows.
  const deadline = Date.now() + 15_000;
  while (Number((await db.query('SELECT count(*) AS n FROM count_log')).rows[0].n) < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const log = (await db.query('SELECT key, count FROM count_log')).rows.map((r) => `${r.key}:${r.count}`).sort();
  assert.equal(log, emitted.sort(), 'the log: no duplicate, no loss');
  const table = (await db.query('SELECT key, count FROM counts ORDER BY key')).rows.map((r) => [r.key, r.count]);
  assert.equal(table, [...final].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  assert.is(Number((await db.query('SELECT count(*) AS n FROM pg_prepared_xacts')).rows[0].n), 0, 'no prepared transaction is left');
});

test.run();
