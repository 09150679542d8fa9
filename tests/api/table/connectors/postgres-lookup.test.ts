// The jdbc connector's lookup function against a real PostgreSQL server: rows by key typed as the
// DDL declares them, several rows for a non-unique key, and Flink's cache options (expiry on an
// injected processing-time clock, least-recently-used eviction at max-rows, caching of missing
// keys or not); bad options are refused naming them; SQL lookup joins (FOR SYSTEM_TIME AS OF a
// PROCTIME() column) against a jdbc table, INNER and LEFT, equal a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { findTableConnector, type ConnectorContext, type LookupFunction } from '../../../../api/table/connectors/table-connector.ts';
import '../../../../api/table/connectors/builtin-connectors.ts';
import { parseDuration } from '../../../../api/table/connectors/postgres-lookup.ts';
import { StreamExecutionEnvironment, StreamTableEnvironment } from '../../../../api/index.ts';
import { Schema } from '../../../../api/table/types/schema.ts';
import { startPostgresServer, type PostgresServer } from '../../../support/postgres-server.ts';

let server: PostgresServer;
let db: pg.Client;
const open: LookupFunction[] = [];

test.before(async () => {
  try {
    server = await startPostgresServer();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    await db.query("CREATE TABLE dims (id int PRIMARY KEY, grp text NOT NULL, name text, since timestamp)");
    await db.query("INSERT INTO dims VALUES (1, 'a', 'one', '2024-01-01 10:00:00.5'), (2, 'a', 'two', NULL), (3, 'b', 'three', '2024-02-01 00:00:00')");
  } catch (error) {
    console.error('starting the server failed:', error);
    throw error;
  }
});
test.after(async () => { for (const l of open) await l.close(); await db?.end(); await server?.stop(); });

const physical = new Schema([
  { name: 'id', type: { kind: 'INT', nullable: false } },
  { name: 'grp', type: { kind: 'STRING', nullable: false } },
  { name: 'name', type: { kind: 'STRING', nullable: true } },
  { name: 'since', type: { kind: 'TIMESTAMP', nullable: true, precision: 3 } },
], ['id']);

function lookup(keys: string[], options: Record<string, string>, now: () => number = () => 0): LookupFunction {
  const ctx: ConnectorContext = {
    tableName: 'dim', physical,
    options: { connector: 'jdbc', url: `jdbc:postgresql://127.0.0.1:${server.port}/postgres`, 'table-name': 'dims', username: 'postgres', ...options },
  };
  const l = findTableConnector('jdbc')!.createLookup!(ctx, keys, now);
  open.push(l);
  return l;
}

test('rows by key, typed as declared; a non-unique key gives every row', () => {
  const l = lookup(['id'], {});
  assert.equal(l.lookup([1]), [[1, 'a', 'one', Date.UTC(2024, 0, 1, 10, 0, 0, 500)]]);
  assert.equal(l.lookup([2]), [[2, 'a', 'two', null]]);
  assert.equal(l.lookup([9]), []);
  const byGroup = lookup(['grp'], {});
  assert.equal(byGroup.lookup(['a']).map((r) => r[0]).sort(), [1, 2]);
});

test('the cache: expiry after write on the processing-time clock, LRU eviction, missing keys', async () => {
  let now = 0;
  const l = lookup(['id'], { 'lookup.cache.max-rows': '2', 'lookup.cache.ttl': '10 s' }, () => now);
  assert.equal(l.lookup([3])[0][2], 'three');
  await db.query("UPDATE dims SET name = 'THREE' WHERE id = 3");
  now = 9_999;
  assert.equal(l.lookup([3])[0][2], 'three', 'cached until the ttl passes');
  now = 10_000;
  assert.equal(l.lookup([3])[0][2], 'THREE', 'read again once expired');
  // max-rows 2: looking up 1 and 2 evicts 3 (the least recently used).
  l.lookup([1]);
  l.lookup([2]);
  await db.query("UPDATE dims SET name = 'three!' WHERE id = 3");
  assert.equal(l.lookup([3])[0][2], 'three!', 'evicted, so read again');
  // A missing key is cached (by default) ...
  assert.equal(l.lookup([4]), []);
  await db.query("INSERT INTO dims VALUES (4, 'b', 'four', NULL)");
  assert.equal(l.lookup([4]), [], 'the missing key is remembered');
  // ... unless caching-missing-key is false.
  const fresh = lookup(['id'], { 'lookup.cache.max-rows': '10', 'lookup.cache.caching-missing-key': 'false' });
  assert.equal(fresh.lookup([5]), []);
  await db.query("INSERT INTO dims VALUES (5, 'b', 'five', NULL)");
  assert.equal(fresh.lookup([5])[0][2], 'five');
});

test('bad options and keys are refused naming them', () => {
  assert.throws(() => lookup(['id'], { 'lookup.cache.ttl': 'soon' }), /'lookup.cache.ttl' must be a duration/);
  assert.throws(() => lookup(['id'], { 'lookup.cache.max-rows': '-1' }), /'lookup.cache.max-rows' must be a non-negative integer/);
  assert.throws(() => lookup(['nope'], {}), /lookup key nope is not a column/);
  const l = lookup(['id'], { 'table-name': 'nosuchtable', 'lookup.max-retries': '0' });
  assert.throws(() => l.lookup([1]), /lookup in PostgreSQL table nosuchtable failed: .*nosuchtable/);
  assert.is(parseDuration('1.5 min', 'x'), 90_000);
  assert.is(parseDuration('250', 'x'), 250);
});

test('SQL lookup joins against a jdbc table equal a plain loop (INNER drops, LEFT pads the missing key)', async () => {
  await db.query('CREATE TABLE regions (rid int PRIMARY KEY, region text NOT NULL)');
  await db.query("INSERT INTO regions VALUES (0, 'north'), (1, 'east'), (2, 'south'), (3, 'west')");
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql(`CREATE TABLE orders (id BIGINT, rid AS CAST(id % 5 AS INT), pt AS PROCTIME())
    WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '199')`);
  await tEnv.executeSql(`CREATE TABLE regions (rid INT, region STRING, PRIMARY KEY (rid) NOT ENFORCED) WITH ('connector' = 'jdbc',
    'url' = 'jdbc:postgresql://127.0.0.1:${server.port}/postgres', 'table-name' = 'regions', 'username' = 'postgres', 'lookup.cache.max-rows' = '100', 'lookup.cache.ttl' = '1 min')`);
  const names = ['north', 'east', 'south', 'west'];
  const inner = (await (await tEnv.executeSql(`SELECT o.id, r.region FROM orders AS o JOIN regions FOR SYSTEM_TIME AS OF o.pt AS r ON o.rid = r.rid WHERE r.region <> 'east'`)).collect())
    .map((r) => `${r.id}:${r.region}`).sort();
  const wantInner: string[] = [];
  for (let id = 0; id < 200; id++) if (id % 5 < 4 && id % 5 !== 1) wantInner.push(`${id}:${names[id % 5]}`);
  assert.equal(inner, wantInner.sort());
  const left = (await (await tEnv.executeSql(`SELECT o.id, r.region FROM orders AS o LEFT JOIN regions FOR SYSTEM_TIME AS OF o.pt AS r ON o.rid = r.rid AND r.region <> 'west'`)).collect())
    .map((r) => `${r.id}:${r.region}`).sort();
  const wantLeft = Array.from({ length: 200 }, (_, id) => `${id}:${id % 5 < 3 ? names[id % 5] : null}`).sort();
  assert.equal(left, wantLeft);
  const plan = tEnv.explainSql('SELECT o.id, r.region FROM orders AS o JOIN regions FOR SYSTEM_TIME AS OF o.pt AS r ON o.rid = r.rid');
  assert.match(plan, /LookupJoin\(table=\[regions\], joinType=\[INNER\], lookup=\[rid=rid\]/);
  await tEnv.executeSql("CREATE TABLE plain (rid INT, region STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1')");
  assert.throws(() => tEnv.explainSql('SELECT o.id FROM orders AS o JOIN plain FOR SYSTEM_TIME AS OF o.pt AS r ON o.rid = r.rid'), /need a lookup table .* plain is not one/);
});

test.run();
