// PostgresSink against a real PostgreSQL server: a counting job with an injected failure leaves
// exactly the plain-loop rows (exactly-once: prepared transactions committed at checkpoints),
// at-least-once upserts leave exactly the final counts, prepared transactions left by a failed
// attempt are rolled back (or committed when the checkpoint holds them, idempotently), and a
// missing table, column or key is refused naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { DataGeneratorSource, PostgresSink, RestartStrategies, StreamExecutionEnvironment, type PostgresTxn } from '../../../../api/index.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { startPostgresWithClient, type PostgresServer } from '../../../support/postgres-server.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { failOnce } from '../nats/nats-fixture.ts';

const seed = testSeed('postgres-sink');
const random = new Random(seed);
const RECORDS = 20_000, KEYS = 13;
let server: PostgresServer;
let db: pg.Client;

test.before(async () => { ({ server, db } = await startPostgresWithClient()); });
test.after(async () => { await db?.end(); await server?.stop(); });

interface Count { key: number; count: number }

/** Every running count (plain loop): key k emits 1..n_k. */
function expectedRows(): string[] {
  const n = new Map<number, number>();
  for (let x = 1; x <= RECORDS; x++) n.set(x % KEYS, (n.get(x % KEYS) ?? 0) + 1);
  const out: string[] = [];
  for (const [k, c] of n) for (let i = 1; i <= c; i++) out.push(`${k}:${i}`);
  return out.sort();
}

async function rows(sql: string): Promise<string[]> {
  return (await db.query(sql)).rows.map((r) => `${r.key}:${r.count}`).sort();
}

/** Polls until `sql` counts `n` rows (a finished job's last commit may still be on its way), or gives up. */
async function waitForRows(sql: string, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Number((await db.query(sql)).rows[0].n) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** numbers -> (fails once) -> keyBy(x % KEYS) -> running count -> sink. */
async function runJob(sink: PostgresSink<Count>, failAt: number | undefined): Promise<number> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const failing = failOnce<number>(failAt ?? Infinity);
  env.fromSource(new DataGeneratorSource((i) => i + 1, RECORDS, { ratePerSecond: 30_000 }), undefined, 'numbers')
    .map(failing.fn)
    .map((x): Count => ({ key: x % KEYS, count: 1 }))
    .keyBy((c) => c.key)
    .reduce((a, b): Count => ({ key: a.key, count: a.count + b.count }))
    .sinkTo(sink);
  await drive(clock, env.execute('postgres-sink'));
  return failing.failures();
}

test('exactly-once: the table holds exactly the plain-loop rows after an injected failure', async () => {
  await db.query('CREATE TABLE emitted (key int NOT NULL, count int NOT NULL)');
  const sink = new PostgresSink<Count>({ url: server.url, table: 'emitted', columns: ['key', 'count'], batchSize: 97 });
  assert.is(await runJob(sink, random.int(3000, 15000)), 1, 'the failure happened');
  await waitForRows('SELECT count(*) AS n FROM emitted', RECORDS);
  assert.equal(await rows('SELECT key, count FROM emitted'), expectedRows());
  assert.is(Number((await db.query("SELECT count(*) AS n FROM pg_prepared_xacts")).rows[0].n), 0, 'no prepared transaction is left');
});

test('at-least-once: upserts by key leave the final count of every key', async () => {
  await db.query('CREATE TABLE latest (key int PRIMARY KEY, count int NOT NULL)');
  const sink = new PostgresSink<Count>({ url: server.url, table: 'latest', columns: ['key', 'count'], key: ['key'], guarantee: 'at-least-once' });
  assert.is(await runJob(sink, random.int(3000, 15000)), 1, 'the failure happened');
  const final = new Map<number, number>();
  for (let x = 1; x <= RECORDS; x++) final.set(x % KEYS, (final.get(x % KEYS) ?? 0) + 1);
  const expected = [...final].map(([k, c]) => `${k}:${c}`).sort();
  const deadline = Date.now() + 15_000;
  while (JSON.stringify(await rows('SELECT key, count FROM latest')) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await rows('SELECT key, count FROM latest'), expected);
});

test('recovery: a prepared transaction the checkpoint does not hold is rolled back; one it holds is committed, twice without harm', async () => {
  await db.query('CREATE TABLE recovered (key int NOT NULL, count int NOT NULL)');
  const options = { url: server.url, table: 'recovered', columns: ['key', 'count'], transactionPrefix: 'recovery-test' } as const;
  const context = (attemptNumber: number) => ({ subtaskIndex: 0, parallelism: 1, attemptNumber, operatorName: 'sink' });
  // A failed attempt: two transactions prepared, the process gone before either committed.
  const failed = new PostgresSink<Count>(options);
  failed.restoreSubtaskState(context(0), []);
  const kept = failed.beginTransaction(context(0));
  failed.write(kept, { key: 1, count: 1 });
  failed.preCommit(kept);
  const left = failed.beginTransaction(context(0));
  failed.write(left, { key: 2, count: 2 });
  failed.preCommit(left);
  assert.is(Number((await db.query("SELECT count(*) AS n FROM pg_prepared_xacts")).rows[0].n), 2);
  // The restart restores a checkpoint holding `kept` only.
  const restarted = new PostgresSink<Count>(options);
  restarted.restoreSubtaskState(context(1), [{ subtask: 0, pending: [kept.gid] }]);
  const prepared = (await db.query('SELECT gid FROM pg_prepared_xacts')).rows.map((r) => r.gid);
  assert.equal(prepared, [kept.gid], 'the transaction after the checkpoint is rolled back');
  const restored: PostgresTxn = structuredClone(kept);
  await restarted.commit(restored);
  await restarted.commit(restored);
  assert.equal(await rows('SELECT key, count FROM recovered'), ['1:1']);
  // A fresh start with the same prefix cleans whatever an earlier run left prepared.
  const again = failed.beginTransaction(context(0));
  failed.write(again, { key: 3, count: 3 });
  failed.preCommit(again);
  new PostgresSink<Count>(options).restoreSubtaskState(context(0), []);
  assert.is(Number((await db.query("SELECT count(*) AS n FROM pg_prepared_xacts")).rows[0].n), 0);
  assert.equal(await rows('SELECT key, count FROM recovered'), ['1:1']);
});

test('upsert: a barrier while the previous transaction is uncommitted defers the rows instead of waiting for its locks', async () => {
  await db.query('CREATE TABLE upserted (key int PRIMARY KEY, count int NOT NULL)');
  const sink = new PostgresSink<Count & { gone?: boolean }>({ url: server.url, table: 'upserted', columns: ['key', 'count'], key: ['key'], transactionPrefix: 'defer-test', isDelete: (c) => c.gone === true });
  const context = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, operatorName: 'sink' };
  sink.restoreSubtaskState(context, []);
  const first = sink.beginTransaction(context);
  sink.write(first, { key: 1, count: 1 });
  sink.write(first, { key: 2, count: 1 });
  sink.preCommit(first);
  // The checkpoint of `first` has not completed when the next barrier comes: the same keys again.
  const second = sink.beginTransaction(context);
  sink.write(second, { key: 1, count: 2 });
  sink.write(second, { key: 2, count: 0, gone: true });
  const started = Date.now();
  sink.preCommit(second); // blocked on the locks of `first` until the sync timeout without the deferral
  assert.ok(Date.now() - started < 5000, 'the barrier did not wait for row locks');
  assert.ok(second.rows !== undefined && !second.prepared, 'the rows went into the transaction state');
  await sink.commit(first);
  assert.equal(await rows('SELECT key, count FROM upserted ORDER BY key'), ['1:1', '2:1']);
  // Committing (again, as after a recovery, in a new instance whose other subtasks meanwhile roll
  // back and commit prepared transactions) writes the deferred rows: upserts and the delete, idempotently.
  const recovered = new PostgresSink<Count & { gone?: boolean }>({ url: server.url, table: 'upserted', columns: ['key', 'count'], key: ['key'], transactionPrefix: 'defer-test' });
  await Promise.all([
    recovered.commit(structuredClone(second)),
    recovered.abort({ gid: 'defer-test:1:gone:0', subtask: 1, prepared: true }),
    recovered.commit({ gid: 'defer-test:1:gone:1', subtask: 1, prepared: true }),
  ]);
  await sink.commit(second);
  assert.equal(await rows('SELECT key, count FROM upserted ORDER BY key'), ['1:2']);
  const third = sink.beginTransaction(context);
  sink.write(third, { key: 3, count: 3 });
  sink.preCommit(third);
  assert.ok(third.prepared, 'with nothing uncommitted the next transaction is prepared as usual');
  await sink.commit(third);
  assert.equal(await rows('SELECT key, count FROM upserted ORDER BY key'), ['1:2', '3:3']);
});

test('a missing table, column or key, and bad options, are refused naming them', async () => {
  await db.query('CREATE TABLE named (id int PRIMARY KEY, v text, w text)');
  const context = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, operatorName: 'sink' };
  assert.throws(() => new PostgresSink({ url: server.url, table: 'nosuchtable', columns: ['a'] }).beginTransaction(context), /table "nosuchtable" does not exist/);
  assert.throws(() => new PostgresSink({ url: server.url, table: 'named', columns: ['id', 'nosuchcolumn'] }).beginTransaction(context), /column "nosuchcolumn" does not exist in table "named"/);
  assert.throws(() => new PostgresSink({ url: server.url, table: 'named', columns: ['id', 'v'], key: ['v'] }).beginTransaction(context), /key \(v\) of table "named"/);
  assert.throws(() => new PostgresSink({ url: server.url, table: 'named', columns: ['id'], guarantee: 'at-least-once' }), /at-least-once needs a key/);
  assert.throws(() => new PostgresSink({ url: server.url, table: 'named', columns: ['id'], key: ['x'] }), /key column "x"/);
  assert.throws(() => new PostgresSink({ url: server.url, table: 'named', columns: [] }), /columns/);
  const sink = new PostgresSink<unknown[]>({ url: server.url, table: 'named', columns: ['id', 'v'], toRow: (v) => v });
  const txn = sink.beginTransaction(context);
  assert.throws(() => sink.write(txn, [1]), /1 values for 2 columns/);
  await sink.abort(txn);
});

test('a row the table refuses fails at the barrier with the server\'s reason', async () => {
  await db.query('CREATE TABLE strict (id int PRIMARY KEY, v int NOT NULL)');
  const context = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, operatorName: 'sink' };
  const sink = new PostgresSink<{ id: number; v: number | null }>({ url: server.url, table: 'strict', columns: ['id', 'v'] });
  const txn = sink.beginTransaction(context);
  sink.write(txn, { id: 1, v: null });
  assert.throws(() => sink.preCommit(txn), /null value in column "v"/);
  await sink.abort(txn);
  assert.is(Number((await db.query('SELECT count(*) AS n FROM strict')).rows[0].n), 0);
});

test.run();
