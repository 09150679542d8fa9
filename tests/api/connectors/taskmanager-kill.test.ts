// End to end on a cluster of processes against real servers: a job reads events from NATS
// JetStream, counts them per key and writes to PostgreSQL exactly-once (an append-only log of
// running counts and an upsert table); kill -9 of a TaskManager mid-job fails the job over onto the
// other TaskManager from its latest checkpoint. The log then holds every running count once (no
// duplicate, no loss) and the upsert table the final counts, as a plain loop computes them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import pg from 'pg';
import { currentRuntime, tempDir, TestCluster, waitUntil } from '../../e2e/cluster/support.ts';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server.ts';
import { Random, testSeed } from '../../support/random.ts';
import { createStream, natsFixture, publishAll, type NatsFixture } from './nats/nats-fixture.ts';
import type { Event } from './fixtures/nats-to-postgres-job.ts';

const JOB = 'tests/api/connectors/fixtures/nats-to-postgres-job.ts';
const COUNT = 6000, KEYS = 7;
const random = new Random(testSeed('taskmanager-kill'));
const events: Event[] = Array.from({ length: COUNT }, (_, id) => ({ id, key: `k${random.int(0, KEYS - 1)}` }));
let nats: NatsFixture;
let server: PostgresServer;
let db: pg.Client;

test.before(async () => {
  try {
    nats = await natsFixture();
    server = await startPostgresServer();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    await createStream(nats, 'events', ['events.>']);
    await db.query('CREATE TABLE count_log (key text NOT NULL, count int NOT NULL); CREATE TABLE counts (key text PRIMARY KEY, count int NOT NULL)');
  } catch (error) {
    console.error('setup failed:', error);
    throw error;
  }
});
test.after(async () => { await db?.end(); await nats?.close(); await server?.stop(); });

const publish = (from: number, to: number) => publishAll(nats, events.slice(from, to).map((e) => ({ subject: `events.${e.id % 3}`, value: e })));
const logRows = async (): Promise<number> => Number((await db.query('SELECT count(*) AS n FROM count_log')).rows[0].n);

test('kill -9 of a TaskManager mid-job: NATS -> count -> PostgreSQL stays exactly-once', async () => {
  const data = tempDir('jm-data');
  const cluster = new TestCluster({ E2E_NATS_URL: nats.server.url, E2E_PG_URL: server.url, E2E_CHECKPOINTS: join(data.path, 'checkpoints.kv') });
  try {
    await cluster.startJobManager(currentRuntime, ['--data-dir', data.path]);
    const victim = await cluster.startTaskManager(currentRuntime, 2);
    await cluster.startTaskManager(currentRuntime, 2);
    await publish(0, COUNT / 2);
    const submit = await cluster.run(['run', JOB, '--jobmanager', cluster.jobmanager, '--parallelism', '2', '--detached']);
    assert.is(submit.code, 0, submit.stderr);
    const jobId = /[0-9a-f]{32}/.exec(submit.stdout)![0];
    // Mid-job: two checkpoints completed and rows committed.
    await waitUntil(async () => {
      const ck = await cluster.rest<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`);
      return ck.counts.completed >= 2 && (await logRows()) > 0;
    }, 'two checkpoints and committed rows');
    victim.kill('SIGKILL');
    await victim.exited;
    await publish(COUNT / 2, COUNT);

    const final = new Map<string, number>();
    const emitted: string[] = [];
    for (const e of events) { const c = (final.get(e.key) ?? 0) + 1; final.set(e.key, c); emitted.push(`${e.key}:${c}`); }
    await waitUntil(async () => (await logRows()) >= COUNT, 'every running count committed', 90_000);
    // A last commit in flight could only add rows: wait for the next checkpoint before comparing.
    const ck = await cluster.rest<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`);
    await waitUntil(async () => (await cluster.rest<{ counts: { completed: number } }>(`/jobs/${jobId}/checkpoints`)).counts.completed > ck.counts.completed + 1, 'two more checkpoints');
    const log = (await db.query('SELECT key, count FROM count_log')).rows.map((r) => `${r.key}:${r.count}`).sort();
    assert.equal(log, emitted.sort(), 'the log: no duplicate, no loss');
    const table = (await db.query('SELECT key, count FROM counts ORDER BY key')).rows.map((r) => [r.key, r.count]);
    assert.equal(table, [...final].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    // The kill did hit the job: it failed over (the lost TaskManager is in its exception history).
    const exceptions = await cluster.rest<{ exceptionHistory: { entries: unknown[] } }>(`/jobs/${jobId}/exceptions`);
    assert.ok(exceptions.exceptionHistory.entries.length >= 1, 'the job failed over');
  } finally {
    await cluster.stop();
    data.cleanup();
  }
});

test.run();
