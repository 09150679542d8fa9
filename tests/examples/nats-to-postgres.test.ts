// The NATS-to-PostgreSQL example against real servers: the table it writes equals a plain loop over
// the published orders, as does the one its SQL job writes, and the changelog it captures folds into the same table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { orderCountChanges, ordersToPostgres, ordersToPostgresSql, type Order } from '../../examples/nats-to-postgres.ts';
import { startNatsServer } from '../support/nats-server.ts';
import { startPostgresServer } from '../support/postgres-server.ts';
import { Random, testSeed } from '../support/random.ts';

test('orders counted per customer in PostgreSQL equal a plain loop; the changelog folds into the table', async () => {
  const random = new Random(testSeed('example-nats-to-postgres'));
  const nats = await startNatsServer();
  const server = await startPostgresServer();
  const db = new pg.Client({ connectionString: server.url });
  try {
    const orders: Order[] = Array.from({ length: 2000 }, (_, id) => ({ id, customer: `c${random.int(0, 9)}`, amount: random.int(1, 100) }));
    const nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'orders', subjects: ['orders.>'] });
    const js = jetstream(nc);
    await Promise.all(orders.map((o) => js.publish(`orders.${o.id % 3}`, JSON.stringify(o))));
    await nc.close();
    await db.connect();
    await db.query('CREATE TABLE order_counts (customer text PRIMARY KEY, orders int NOT NULL, total int NOT NULL); ALTER TABLE order_counts REPLICA IDENTITY FULL');
    await db.query("SELECT pg_create_logical_replication_slot('example_cdc', 'test_decoding')");
    console.log('orders published; counting them into PostgreSQL');
    await ordersToPostgres(nats.url, server.url);
    console.log('counting job finished');
    const expected: Record<string, string> = {};
    const sums = new Map<string, [number, number]>();
    for (const o of orders) { const s = sums.get(o.customer) ?? [0, 0]; sums.set(o.customer, [s[0] + 1, s[1] + o.amount]); }
    for (const [c, [n, t]] of [...sums].sort((a, b) => (a[0] < b[0] ? -1 : 1))) expected[c] = `${n}/${t}`;
    const table = async (): Promise<Record<string, string>> => Object.fromEntries((await db.query('SELECT * FROM order_counts ORDER BY customer')).rows.map((r) => [r.customer, `${r.orders}/${r.total}`]));
    // The last commit may still be on its way when the job's result arrives.
    const deadline = Date.now() + 15_000;
    while (JSON.stringify(await table()) !== JSON.stringify(expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await table(), expected);
    console.log('table checked; capturing its changes');
    const folded: Record<string, string> = {};
    for (const change of await orderCountChanges(server.url)) {
      if (change.op === '+I' || change.op === '+U') folded[String(change.row.customer)] = `${change.row.orders}/${change.row.total}`;
      else if (change.op === '-D') delete folded[String(change.row.customer)];
    }
    assert.equal(folded, expected);
    await db.query('CREATE TABLE order_counts_sql (customer text PRIMARY KEY, orders int NOT NULL, total int NOT NULL)');
    await ordersToPostgresSql(nats.url, server.url);
    const sqlTable = async (): Promise<Record<string, string>> => Object.fromEntries((await db.query('SELECT * FROM order_counts_sql ORDER BY customer')).rows.map((r) => [r.customer, `${r.orders}/${r.total}`]));
    const sqlDeadline = Date.now() + 15_000;
    while (JSON.stringify(await sqlTable()) !== JSON.stringify(expected) && Date.now() < sqlDeadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await sqlTable(), expected, 'the SQL job');
  } finally {
    await db.end().catch(() => {});
    await nats.stop();
    await server.stop();
  }
});

test.run();
