// PostgresCdcSource against a real PostgreSQL server, with each decoding plugin (test_decoding and
// pgoutput): seeded inserts, updates and deletes replayed as a changelog into a per-owner aggregate
// equal a query on the source table, also across an injected failure; the slot's confirmed
// position advances only through completed checkpoints; a row reads the same in the snapshot and
// in the change stream; a table without REPLICA IDENTITY FULL is refused naming it. pgoutput only:
// the publication is created, extended or refused as the slot allows. Unchanged TOAST values come
// from the old row with both. The test_decoding parser reads quoted, null and typed values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { PostgresCdcSource, RestartStrategies, StreamExecutionEnvironment, type ChangeRecord, type PostgresCdcSourceOptions } from '../../../../api/index.ts';
import { parseChange, parseColumns } from '../../../../api/connectors/postgres/test-decoding-parser.ts';
import { ManualClock } from '../../../../api/time/clock.ts';
import { drive } from '../../../e2e/fault-tolerance/support.ts';
import { startPostgresWithClient, type PostgresServer } from '../../../support/postgres-server.ts';
import { Random, testSeed } from '../../../support/random.ts';
import { failOnce } from '../nats/nats-fixture.ts';

const seed = testSeed('postgres-cdc-source');
let server: PostgresServer;
let db: pg.Client;

test.before(async () => { ({ server, db } = await startPostgresWithClient()); });
test.after(async () => { await db?.end(); await server?.stop(); });
// The server keeps 16 slots: each test's are dropped after it.
test.after.each(async () => { await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active'); });

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

/** A job's failure (undefined: it ended). */
async function jobError(source: PostgresCdcSource): Promise<Error | undefined> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setRestartStrategy(RestartStrategies.noRestart());
  return drive(clock, PostgresCdcSource.stream(env, source).executeAndCollect()).then(() => undefined, (e: Error) => e);
}

/** Every change of a bounded read of `table` from the latest position of `slot`. */
async function changes(options: PostgresCdcSourceOptions): Promise<ChangeRecord[]> {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  return drive(clock, PostgresCdcSource.stream(env, new PostgresCdcSource({ bounded: true, pollIntervalMs: 20, ...options })).executeAndCollect());
}

/** The server tests, with slots, tables and publications of their own for `plugin`. */
function suite(plugin: 'test_decoding' | 'pgoutput'): void {
  const p = plugin === 'pgoutput' ? 'po' : 'td';
  const options = { decodingPluginName: plugin, publicationName: `pub_${p}` } as const;
  /** Creates `slot` for `table` as a user would: for pgoutput, the publication first. */
  const createSlot = async (slot: string, table: string): Promise<void> => {
    if (plugin === 'pgoutput') await db.query(`CREATE PUBLICATION pub_${slot} FOR TABLE ${table}`);
    await db.query('SELECT pg_create_logical_replication_slot($1, $2)', [slot, plugin]);
  };

  test(`${plugin}: the changelog materializes into what a query on the table says`, async () => {
    await db.query(`CREATE TABLE accounts_${p} (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE accounts_${p} REPLICA IDENTITY FULL`);
    await createSlot(`plain_${p}`, `accounts_${p}`);
    await churn(`accounts_${p}`, new Random(seed), 300);
    const before = await confirmed(`plain_${p}`);
    const { result } = await materialize(`plain_${p}`, `accounts_${p}`, undefined, { ...options, publicationName: `pub_plain_${p}` });
    assert.equal(result, await queried(`accounts_${p}`));
    assert.is(await confirmed(`plain_${p}`), before, 'without checkpoints the slot keeps its position');
  });

  test(`${plugin}: exactly once across an injected failure; the slot advances with completed checkpoints`, async () => {
    await db.query(`CREATE TABLE ledger_${p} (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE ledger_${p} REPLICA IDENTITY FULL`);
    await createSlot(`withfailure_${p}`, `ledger_${p}`);
    const random = new Random(seed + 1);
    await churn(`ledger_${p}`, random, 600);
    const before = await confirmed(`withfailure_${p}`);
    const { result, failures } = await materialize(`withfailure_${p}`, `ledger_${p}`, random.int(300, 1200), { ...options, publicationName: `pub_withfailure_${p}` });
    assert.is(failures, 1, 'the failure happened');
    assert.equal(result, await queried(`ledger_${p}`));
    assert.not.equal(await confirmed(`withfailure_${p}`), before, 'completed checkpoints advanced the slot');
  });

  test(`${plugin}: initial snapshot: existing rows, then the changes, exactly once across a failure inside the snapshot`, async () => {
    await db.query(`CREATE TABLE seeded_${p} (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL); ALTER TABLE seeded_${p} REPLICA IDENTITY FULL`);
    const random = new Random(seed + 2);
    // Existing rows before the slot exists: only the snapshot can deliver them.
    await churn(`seeded_${p}`, random, 800);
    const rows = Number((await db.query(`SELECT count(*) AS n FROM seeded_${p}`)).rows[0].n);
    assert.ok(rows > 500, 'the table has rows before the job');
    // Chunks of one page: the failure lands inside the snapshot, and the restore resumes in it.
    const { result, failures } = await materialize(`snap_${p}`, `seeded_${p}`, random.int(100, rows - 100), { ...options, startup: 'initial', snapshotChunkPages: 1 });
    assert.is(failures, 1, 'the failure happened');
    assert.equal(result, await queried(`seeded_${p}`));
    assert.equal((await db.query('SELECT plugin FROM pg_replication_slots WHERE slot_name = $1', [`snap_${p}`])).rows, [{ plugin }], 'the source created the slot');
  });

  test(`${plugin}: a row reads the same in the snapshot and in the change stream, typed by its columns`, async () => {
    const table = `typed_${p}`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, big bigint, small smallint, ok boolean, r real, d double precision, n numeric, t text, "Odd Col" varchar(9)); ALTER TABLE ${table} REPLICA IDENTITY FULL`);
    const insert = (id: number) => db.query(`INSERT INTO ${table} VALUES ($1, 9007199254740993, -3, true, 1.5, -0.25, 12.50, 'it''s', NULL)`, [id]);
    const want = (id: number) => ({ id, big: '9007199254740993', small: -3, ok: true, r: 1.5, d: -0.25, n: '12.50', t: "it's", 'Odd Col': null });
    await insert(1);
    const got = await changes({ ...options, url: server.url, slot: `typed_${p}`, tables: [table], startup: 'initial' });
    assert.equal(got, [{ op: '+I', table: `public.${table}`, row: want(1) }], 'the snapshot');
    await insert(2);
    await db.query(`UPDATE ${table} SET ok = false WHERE id = 2`);
    const stream = await changes({ ...options, url: server.url, slot: `typed_${p}`, tables: [table] });
    assert.equal(stream, [
      { op: '+I', table: `public.${table}`, row: want(2) },
      // test_decoding leaves the null columns out of old rows: the source puts them back.
      { op: '-U', table: `public.${table}`, row: want(2) },
      { op: '+U', table: `public.${table}`, row: { ...want(2), ok: false } },
    ], 'the change stream');
  });

  test(`${plugin}: an update leaving a TOASTed value unchanged carries it, from the whole old row`, async () => {
    await db.query(`CREATE TABLE docs_${p} (id int PRIMARY KEY, body text, n int); ALTER TABLE docs_${p} REPLICA IDENTITY FULL; ALTER TABLE docs_${p} ALTER COLUMN body SET STORAGE EXTERNAL`);
    const base = { ...options, url: server.url, slot: `docs_${p}`, tables: [`docs_${p}`] };
    assert.equal(await changes(base), []);
    const random = new Random(seed + 3);
    const body = Array.from({ length: 6000 }, () => String.fromCharCode(97 + random.int(0, 25))).join('');
    await db.query(`INSERT INTO docs_${p} VALUES (1, $1, 0)`, [body]);
    await db.query(`UPDATE docs_${p} SET n = 1 WHERE id = 1`);
    const got = await changes(base);
    assert.equal(got.map((c) => [c.op, c.row.n, c.row.body === body]), [['+I', 0, true], ['-U', 0, true], ['+U', 1, true]]);
  });

  test(`${plugin}: initial snapshot needs to create the slot: an existing one fails the job naming it`, async () => {
    await db.query(`CREATE TABLE presnap_${p} (id int PRIMARY KEY, owner text, balance int); ALTER TABLE presnap_${p} REPLICA IDENTITY FULL`);
    await createSlot(`taken_${p}`, `presnap_${p}`);
    const error = await jobError(new PostgresCdcSource({ ...options, publicationName: `pub_taken_${p}`, url: server.url, slot: `taken_${p}`, tables: [`presnap_${p}`], bounded: true, startup: 'initial' }));
    assert.match(String(error?.message), `slot 'taken_${p}' exists already, and an initial snapshot needs to create it`);
    assert.throws(() => new PostgresCdcSource({ url: server.url, slot: 's', startup: 'initial' }), /needs the tables/);
  });

  test(`${plugin}: a table without REPLICA IDENTITY FULL fails the job naming it, before a slot is created`, async () => {
    await db.query(`CREATE TABLE plainident_${p} (id int PRIMARY KEY, owner text, balance int)`);
    const error = await jobError(new PostgresCdcSource({ ...options, url: server.url, slot: `identcheck_${p}`, tables: [`plainident_${p}`], bounded: true }));
    assert.ok(error, 'the job failed');
    assert.match(error!.message, `table "plainident_${p}" needs REPLICA IDENTITY FULL`);
    assert.is((await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [`identcheck_${p}`])).rows.length, 0, 'no slot was created');
    assert.throws(() => new PostgresCdcSource({ url: server.url, slot: 'Bad-Slot' }), /slot must be/);
  });

  test(`${plugin}: a slot of the other plugin fails the job naming both`, async () => {
    await db.query(`CREATE TABLE other_${p} (id int PRIMARY KEY); ALTER TABLE other_${p} REPLICA IDENTITY FULL`);
    const other = plugin === 'pgoutput' ? 'test_decoding' : 'pgoutput';
    await db.query('SELECT pg_create_logical_replication_slot($1, $2)', [`other_${p}`, other]);
    const error = await jobError(new PostgresCdcSource({ ...options, url: server.url, slot: `other_${p}`, tables: [`other_${p}`], bounded: true }));
    assert.match(String(error?.message), `slot 'other_${p}' uses the ${other} plugin, and this source is set to read ${plugin}`);
  });
}

suite('test_decoding');
suite('pgoutput');

test('pgoutput: the publication is created for the tables, extended before a new slot, and refused when it cannot cover an existing slot', async () => {
  await db.query('CREATE TABLE pa (id int PRIMARY KEY, v text); ALTER TABLE pa REPLICA IDENTITY FULL; CREATE TABLE pb (id int PRIMARY KEY, v text); ALTER TABLE pb REPLICA IDENTITY FULL');
  const base = { url: server.url, decodingPluginName: 'pgoutput', publicationName: 'pub_auto' } as const;
  assert.equal(await changes({ ...base, slot: 'auto_a', tables: ['pa'] }), []);
  const published = async () => (await db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pub_auto' ORDER BY 1")).rows.map((r) => r.tablename);
  assert.equal(await published(), ['pa'], 'created FOR TABLE pa');
  assert.equal(await changes({ ...base, slot: 'auto_b', tables: ['public.pb'] }), []);
  assert.equal(await published(), ['pa', 'pb'], 'pb added before its slot was created');
  await db.query("INSERT INTO pa VALUES (1, 'x'); INSERT INTO pb VALUES (2, 'y')");
  assert.equal(await changes({ ...base, slot: 'auto_b', tables: ['public.pb'] }), [{ op: '+I', table: 'public.pb', row: { id: 2, v: 'y' } }], 'the table filter keeps pb');
  // A slot that exists without its table in the publication would miss changes: refused.
  await db.query('CREATE TABLE pc (id int PRIMARY KEY); ALTER TABLE pc REPLICA IDENTITY FULL');
  assert.match(String((await jobError(new PostgresCdcSource({ ...base, slot: 'auto_a', tables: ['pc'], bounded: true })))?.message),
    `publication 'pub_auto' does not publish table "pc", and the slot exists already`);
  await db.query("SELECT pg_create_logical_replication_slot('nopub', 'pgoutput')");
  assert.match(String((await jobError(new PostgresCdcSource({ ...base, publicationName: 'pub_none', slot: 'nopub', tables: ['pc'], bounded: true })))?.message),
    `publication 'pub_none' does not exist, and the slot does`);
  await db.query("CREATE PUBLICATION pub_inserts FOR TABLE pc WITH (publish = 'insert')");
  assert.match(String((await jobError(new PostgresCdcSource({ ...base, publicationName: 'pub_inserts', slot: 'inserts', tables: ['pc'], bounded: true })))?.message),
    `publication 'pub_inserts' does not publish update, delete`);
  // A slot older than its publication: PostgreSQL cannot decode the changes from before it.
  await db.query("SELECT pg_create_logical_replication_slot('early', 'pgoutput'); INSERT INTO pc VALUES (1); CREATE PUBLICATION pub_late FOR TABLE pc; INSERT INTO pc VALUES (2)");
  assert.match(String((await jobError(new PostgresCdcSource({ ...base, publicationName: 'pub_late', slot: 'early', tables: ['pc'], bounded: true })))?.message),
    'the slot has changes from before the publication was created');
  assert.throws(() => new PostgresCdcSource({ ...base, slot: 's', publicationName: 'Bad Pub' }), /publicationName must be/);
  assert.throws(() => new PostgresCdcSource({ url: server.url, slot: 's', decodingPluginName: 'wal2json' as 'pgoutput' }), /decodingPluginName must be 'test_decoding' or 'pgoutput'/);
});


test('test_decoding lines parse into typed rows', () => {
  assert.equal(parseColumns(`id[integer]:1 owner[text]:'it''s a b' note[character varying]:null ok[boolean]:true big[bigint]:9007199254740993 "Odd Name"[text]:'x'`),
    { id: 1, owner: "it's a b", note: null, ok: true, big: '9007199254740993', 'Odd Name': 'x' });
  assert.equal(parseChange(`table public.t: UPDATE: old-key: id[integer]:1 v[text]:'a' new-tuple: id[integer]:1 v[text]:'b'`),
    { table: 'public.t', kind: 'UPDATE', old: { id: 1, v: 'a' }, new: { id: 1, v: 'b' } });
  assert.equal(parseChange(`table public.t: DELETE: id[integer]:7`), { table: 'public.t', kind: 'DELETE', old: { id: 7 } });
  assert.is(parseChange('BEGIN'), undefined);
  assert.equal(parseChange(`table public.t: UPDATE: old-key: id[integer]:1 b[text]:'long' new-tuple: id[integer]:1 b[text]:unchanged-toast-datum`)!.new, { id: 1, b: 'long' });
  assert.equal(parseChange(`table public.t: INSERT: id[integer]:1 b[text]:'unchanged-toast-datum'`)!.new, { id: 1, b: 'unchanged-toast-datum' }, 'quoted, it is text');
  assert.throws(() => parseChange(`table public.t: UPDATE: id[integer]:1 b[text]:unchanged-toast-datum`), /column b: an unchanged TOASTed value without the old row/);
});

test.run();
