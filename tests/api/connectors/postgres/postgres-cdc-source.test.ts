// PostgresCdcSource against a real PostgreSQL server: seeded inserts, updates and deletes replayed
// as a changelog into a per-owner aggregate equal a query on the source table, also across an
// injected failure; the slot's confirmed position advances only through completed checkpoints; a
// table without REPLICA IDENTITY FULL is refused naming it; the test_decoding parser reads quoted,
// null and typed values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { PostgresCdcSource, RestartStrategies, StreamExecutionEnvironment, type ChangeRecord, type PostgresCdcSourceOptions } from '../../../../api/index.ts';
import { parseChange, parseColumns } from '../../../../api/connectors/postgres/test-decoding-parser.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { startPostgresServer, type PostgresServer } from '../../../support/postgres-server.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { failOnce } from '../nats/nats-fixture.ts';

const seed = testSeed('postgres-cdc-source');
let server: PostgresServer;
let db: pg.Client;

test.before(async () => {
  // uvu does not print why a hook failed: say it here.
  try {
    server = await startPostgresServer();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
  } catch (error) {
    console.error('starting the server failed:', error);
    throw error;
  }
});
test.after(async () => { await db?.end(); await server?.stop(); });

/** Seeded transactions of inserts, updates (balance and owner) and deletes on `table`. */
async function churn(table: string, random: Random, transactions: number): Promise<void> {
  const ids: number[] = [];
  let next = 1;
  for (let t = 0; t < transactions; t++) {
    await db.query('BEGIN');
    for (let k = random.int(1, 5); k > 0; k--) {
      const r = random.int(0, 9);
      if (ids.length === 0 || r < 5) {
        ids.push(next);
        await db.query(`INSERT INTO ${table} VALUES ($1, $2, $3)`, [next++, `o'${random.int(0, 6)}`, random.int(-50, 100)]);
      } else if (r < 8) {
        await db.query(`UPDATE ${table} SET balance = balance + $2, owner = CASE WHEN $3 THEN owner ELSE $4 END WHERE id = $1`, [ids[random.int(0, ids.length - 1)], random.int(-20, 20), random.int(0, 1) === 1, `o'${random.int(0, 6)}`]);
      } else {
        const i = random.int(0, ids.length - 1);
        await db.query(`DELETE FROM ${table} WHERE id = $1`, [ids[i]]);
        ids.splice(i, 1);
      }
    }
    await db.query('COMMIT');
  }
}

/** owner -> "sum/count" from a query on the table (owners with no rows left out). */
async function queried(table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of (await db.query(`SELECT owner, sum(balance)::int AS s, count(*)::int AS c FROM ${table} GROUP BY owner`)).rows) out[r.owner] = `${r.s}/${r.c}`;
  return out;
}

/** The changelog folded into owner -> "sum/count" by a keyed job (the last running value per owner). */
async function materialize(slot: string, table: string, failAt?: number, extra: Partial<PostgresCdcSourceOptions> = {}): Promise<{ result: Record<string, string>; failures: number }> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  if (failAt !== undefined) env.enableCheckpointing(100);
  const failing = failOnce<ChangeRecord>(failAt ?? Infinity);
  const source = new PostgresCdcSource({ url: server.url, slot, tables: [table], bounded: true, fetchSize: 200, pollIntervalMs: 20, ...extra });
  const sums = await drive(clock, PostgresCdcSource.stream(env, source)
    .map(failing.fn)
    .map((c): [string, number, number] => {
      const sign = c.op === '+I' || c.op === '+U' ? 1 : -1;
      return [String(c.row.owner), sign * Number(c.row.balance), sign];
    })
    .keyBy((t) => t[0])
    .reduce((a, b): [string, number, number] => [a[0], a[1] + b[1], a[2] + b[2]])
    .executeAndCollect());
  const last: Record<string, string> = {};
  for (const [owner, s, c] of sums) last[owner] = `${s}/${c}`;
  for (const [owner, v] of Object.entries(last)) if (v.endsWith('/0')) delete last[owner];
  return { result: last, failures: failing.failures() };
}

async function confirmed(slot: string): Promise<string> {
  return (await db.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0].l;
}

test('the changelog materializes into what a query on the table says', async () => {
  await db.query("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE accounts REPLICA IDENTITY FULL");
  await db.query("SELECT pg_create_logical_replication_slot('plain', 'test_decoding')");
  await churn('accounts', new Random(seed), 300);
  const before = await confirmed('plain');
  const { result } = await materialize('plain', 'accounts');
  assert.equal(result, await queried('accounts'));
  assert.is(await confirmed('plain'), before, 'without checkpoints the slot keeps its position');
});

test('exactly once across an injected failure; the slot advances with completed checkpoints', async () => {
  await db.query("CREATE TABLE ledger (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE ledger REPLICA IDENTITY FULL");
  await db.query("SELECT pg_create_logical_replication_slot('withfailure', 'test_decoding')");
  const random = new Random(seed + 1);
  await churn('ledger', random, 600);
  const before = await confirmed('withfailure');
  const { result, failures } = await materialize('withfailure', 'ledger', random.int(300, 1200));
  assert.is(failures, 1, 'the failure happened');
  assert.equal(result, await queried('ledger'));
  assert.not.equal(await confirmed('withfailure'), before, 'completed checkpoints advanced the slot');
});

test('initial snapshot: existing rows, then the changes, exactly once across a failure inside the snapshot', async () => {
  await db.query("CREATE TABLE seeded (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE seeded REPLICA IDENTITY FULL");
  const random = new Random(seed + 2);
  // Existing rows before the slot exists: only the snapshot can deliver them.
  await churn('seeded', random, 800);
  const rows = Number((await db.query('SELECT count(*) AS n FROM seeded')).rows[0].n);
  assert.ok(rows > 500, 'the table has rows before the job');
  // Chunks of one page: the failure lands inside the snapshot, and the restore resumes in it.
  const { result, failures } = await materialize('snap', 'seeded', random.int(100, rows - 100), { startup: 'initial', snapshotChunkPages: 1 });
  assert.is(failures, 1, 'the failure happened');
  assert.equal(result, await queried('seeded'));
  assert.ok((await db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'snap'")).rows.length === 1, 'the source created the slot');
});

test('initial snapshot needs to create the slot: an existing one fails the job naming it', async () => {
  await db.query("CREATE TABLE presnap (id int PRIMARY KEY, owner text, balance int); ALTER TABLE presnap REPLICA IDENTITY FULL");
  await db.query("SELECT pg_create_logical_replication_slot('taken', 'test_decoding')");
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setRestartStrategy(RestartStrategies.noRestart());
  const source = new PostgresCdcSource({ url: server.url, slot: 'taken', tables: ['presnap'], bounded: true, startup: 'initial' });
  const error = await drive(clock, PostgresCdcSource.stream(env, source).executeAndCollect()).then(() => undefined, (e: Error) => e);
  assert.match(String(error?.message), /slot 'taken' exists already, and an initial snapshot needs to create it/);
  assert.throws(() => new PostgresCdcSource({ url: server.url, slot: 's', startup: 'initial' }), /needs the tables/);
});

test('a table without REPLICA IDENTITY FULL fails the job naming it', async () => {
  await db.query('CREATE TABLE plainident (id int PRIMARY KEY, owner text, balance int)');
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setRestartStrategy(RestartStrategies.noRestart());
  const source = new PostgresCdcSource({ url: server.url, slot: 'identcheck', tables: ['plainident'], bounded: true });
  const error = await drive(clock, PostgresCdcSource.stream(env, source).executeAndCollect()).then(() => undefined, (e: Error) => e);
  assert.ok(error, 'the job failed');
  assert.match(error!.message, /table "plainident" needs REPLICA IDENTITY FULL/);
  assert.throws(() => new PostgresCdcSource({ url: server.url, slot: 'Bad-Slot' }), /slot must be/);
});

test('test_decoding lines parse into typed rows', () => {
  assert.equal(parseColumns(`id[integer]:1 owner[text]:'it''s a b' note[character varying]:null ok[boolean]:true big[bigint]:9007199254740993 "Odd Name"[text]:'x'`),
    { id: 1, owner: "it's a b", note: null, ok: true, big: '9007199254740993', 'Odd Name': 'x' });
  assert.equal(parseChange(`table public.t: UPDATE: old-key: id[integer]:1 v[text]:'a' new-tuple: id[integer]:1 v[text]:'b'`),
    { table: 'public.t', kind: 'UPDATE', old: { id: 1, v: 'a' }, new: { id: 1, v: 'b' } });
  assert.equal(parseChange(`table public.t: DELETE: id[integer]:7`), { table: 'public.t', kind: 'DELETE', old: { id: 7 } });
  assert.is(parseChange('BEGIN'), undefined);
});

test.run();
