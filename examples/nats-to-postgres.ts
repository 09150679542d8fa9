// NATS JetStream to PostgreSQL, exactly-once: reads order events from the JetStream stream
// `orders` (one split per partition subject orders.0 .. orders.2), counts them per customer and
// upserts the running count into the table `order_counts` with prepared transactions committed at
// checkpoints; a second job captures the table's changes (logical replication) and prints them as
// a changelog. The same count in SQL (`ordersToPostgresSql`): a 'nats' table, GROUP BY, and a 'jdbc'
// upsert table `order_counts_sql`. Needs a nats-server with JetStream and a PostgreSQL with wal_level=logical and
// max_prepared_transactions > 0:
//   NATS_URL=nats://127.0.0.1:4222 PG_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx examples/nats-to-postgres.ts
// (Deno: npx deno run -A examples/nats-to-postgres.ts). Imports the package entry only.
import { argv, env as environment } from 'node:process';
import { pathToFileURL } from 'node:url';
import { NatsJetStreamSource, PostgresCdcSource, PostgresSink, StreamExecutionEnvironment, StreamTableEnvironment, type ChangeRecord } from '../api/index.ts';

/** An order event as published on orders.<n>. */
export interface Order { readonly id: number; readonly customer: string; readonly amount: number }

/** A customer's running order count and total. */
export interface CustomerTotal { readonly customer: string; readonly orders: number; readonly total: number }

/** Counts the orders of the stream per customer into `order_counts` (bounded: the orders there now). */
export async function ordersToPostgres(natsUrl: string, pgUrl: string, parallelism = 2): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism).enableCheckpointing(500);
  const source = new NatsJetStreamSource<Order>({
    servers: natsUrl, stream: 'orders', partitionSubjects: ['orders.0', 'orders.1', 'orders.2'], bounded: true,
  });
  env.fromSource(source, undefined, 'orders')
    .map((o): CustomerTotal => ({ customer: o.customer, orders: 1, total: o.amount }))
    .keyBy((t) => t.customer)
    .reduce((a, b): CustomerTotal => ({ customer: a.customer, orders: a.orders + b.orders, total: a.total + b.total }))
    .sinkTo(new PostgresSink<CustomerTotal>({
      url: pgUrl, table: 'order_counts', columns: ['customer', 'orders', 'total'], key: ['customer'],
      guarantee: 'exactly-once', transactionPrefix: 'example_order_counts',
    }));
  await env.execute('nats-to-postgres');
}

/** The same count in SQL: the stream as a 'nats' table, upserted into `order_counts_sql` through a 'jdbc' table. */
export async function ordersToPostgresSql(natsUrl: string, pgUrl: string, parallelism = 2): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(parallelism).enableCheckpointing(500);
  const tEnv = StreamTableEnvironment.create(env);
  await tEnv.executeSql(`CREATE TABLE orders (id BIGINT, customer STRING, amount INT) WITH (
    'connector' = 'nats', 'servers' = '${natsUrl}', 'stream' = 'orders', 'subjects' = 'orders.0,orders.1,orders.2',
    'scan.bounded' = 'true', 'format' = 'json')`);
  const { host, pathname, username, password } = new URL(pgUrl);
  await tEnv.executeSql(`CREATE TABLE order_counts_sql (customer STRING, orders INT, total INT, PRIMARY KEY (customer) NOT ENFORCED) WITH (
    'connector' = 'jdbc', 'url' = 'jdbc:postgresql://${host}${pathname}', 'table-name' = 'order_counts_sql',
    'username' = '${decodeURIComponent(username)}'${password ? `, 'password' = '${decodeURIComponent(password)}'` : ''}, 'sink.transaction-prefix' = 'example_order_counts_sql')`);
  const result = await tEnv.executeSql('INSERT INTO order_counts_sql SELECT customer, CAST(COUNT(*) AS INT), SUM(amount) FROM orders GROUP BY customer');
  await result.await();
}

/** The changes of `order_counts` since the slot `example_cdc` was created, as a changelog. */
export async function orderCountChanges(pgUrl: string): Promise<ChangeRecord[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.enableCheckpointing(500);
  const source = new PostgresCdcSource({ url: pgUrl, slot: 'example_cdc', tables: ['order_counts'], bounded: true });
  return PostgresCdcSource.stream(env, source).executeAndCollect('order-count-changes');
}

// Run when started as a program: publish some orders, create the table and slot, run both jobs.
if (argv[1] !== undefined && import.meta.url === pathToFileURL(argv[1]).href) {
  const natsUrl = environment.NATS_URL ?? 'nats://127.0.0.1:4222';
  const pgUrl = environment.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const pg = (await import('pg')).default;
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'orders', subjects: ['orders.>'] }).catch(() => {});
  const js = jetstream(nc);
  for (let id = 0; id < 1000; id++) await js.publish(`orders.${id % 3}`, JSON.stringify({ id, customer: `c${id % 7}`, amount: id % 50 }));
  await nc.close();
  const db = new pg.Client({ connectionString: pgUrl });
  await db.connect();
  await db.query('CREATE TABLE IF NOT EXISTS order_counts (customer text PRIMARY KEY, orders int NOT NULL, total int NOT NULL)');
  await db.query('ALTER TABLE order_counts REPLICA IDENTITY FULL');
  await db.query('CREATE TABLE IF NOT EXISTS order_counts_sql (customer text PRIMARY KEY, orders int NOT NULL, total int NOT NULL)');
  await db.query("SELECT pg_create_logical_replication_slot('example_cdc', 'test_decoding') WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'example_cdc')");
  await ordersToPostgres(natsUrl, pgUrl);
  console.table((await db.query('SELECT * FROM order_counts ORDER BY customer')).rows);
  await ordersToPostgresSql(natsUrl, pgUrl);
  console.table((await db.query('SELECT * FROM order_counts_sql ORDER BY customer')).rows);
  await db.end();
  for (const change of (await orderCountChanges(pgUrl)).slice(-10)) console.log(change.op, JSON.stringify(change.row));
}
