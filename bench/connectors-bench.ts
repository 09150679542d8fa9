// Connector throughput against plain client loops, on real servers started for the run (the test
// support helpers): JetStream -> actorflow -> JetStream (bounded source, sink at-least-once and
// exactly-once, checkpoints every second) against a loop that fetches and publishes the same
// messages with the same client (one run each); PostgresSink rows/s (append and upsert) and
// batched multi-row INSERTs of 500 rows against COPY FROM STDIN from one plain client, in
// interleaved rounds after a warm-up (PG_ROUNDS, default 5), reporting median ratios to COPY. The plain JetStream loop
// awaits each fetched batch's acknowledgements before the next fetch (actorflow's source fetches
// ahead while the sink publishes), so it is the simple loop, not the fastest one.
// Usage: npx tsx bench/connectors-bench.ts [messages=50000] [rows=100000]
import { Buffer } from 'node:buffer';
import process, { argv } from 'node:process';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { DataGeneratorSource, NatsJetStreamSink, NatsJetStreamSource, PostgresSink, StreamExecutionEnvironment } from '../api/index.ts';
import { startNatsServer } from '../tests/support/nats-server.ts';
import { startPostgresServer } from '../tests/support/postgres-server.ts';

const MESSAGES = Number(argv[2] ?? 50_000);
const ROWS = Number(argv[3] ?? 100_000);

const nats = await startNatsServer();
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
await jsm.streams.add({ name: 'input', subjects: ['input'] });
for (let i = 0; i < MESSAGES; i += 1000) {
  await Promise.all(Array.from({ length: Math.min(1000, MESSAGES - i) }, (_, k) => js.publish('input', JSON.stringify({ id: i + k, pad: 'x'.repeat(64) }))));
}

async function untilCount(stream: string, n: number): Promise<void> {
  while ((await jsm.streams.info(stream)).state.messages < n) await new Promise((r) => setTimeout(r, 20));
}

// Plain loop: fetch in batches, publish each message, await the acknowledgements per batch.
await jsm.streams.add({ name: 'plain', subjects: ['plain'] });
let start = performance.now();
const consumer = await js.consumers.get('input');
for (let got = 0; got < MESSAGES;) {
  const batch = await consumer.fetch({ max_messages: 512, expires: 1000 });
  const acks: Promise<unknown>[] = [];
  for await (const m of batch) { acks.push(js.publish('plain', m.data)); got++; }
  await Promise.all(acks);
}
const plainMs = performance.now() - start;

async function actorflow(out: string, guarantee: 'exactly-once' | 'at-least-once'): Promise<number> {
  await jsm.streams.add({ name: out, subjects: [out] });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1).enableCheckpointing(1000);
  env.fromSource(new NatsJetStreamSource<unknown>({ servers: nats.url, stream: 'input', bounded: true }), undefined, 'in')
    .sinkTo(new NatsJetStreamSink<unknown>({ servers: nats.url, subject: out, guarantee }));
  const t = performance.now();
  await env.execute(`bench-${out}`);
  await untilCount(out, MESSAGES);
  return performance.now() - t;
}
const aloMs = await actorflow('alo', 'at-least-once');
const eoMs = await actorflow('eo', 'exactly-once');
const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
console.log(`JetStream -> JetStream, ${MESSAGES} messages:`);
console.log(`  plain client loop            ${rate(MESSAGES, plainMs)}`);
console.log(`  actorflow at-least-once      ${rate(MESSAGES, aloMs)}  (${(plainMs / aloMs).toFixed(2)} x the plain loop)`);
console.log(`  actorflow exactly-once       ${rate(MESSAGES, eoMs)}  (${(plainMs / eoMs).toFixed(2)} x the plain loop)`);
await nc.close();
await nats.stop();

const server = await startPostgresServer();
const db = new pg.Client({ connectionString: server.url });
await db.connect();
const TABLES = ['copied', 'plain', 'eo_append', 'eo', 'alo'];
for (const t of TABLES) await db.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v text)`);

/** COPY ... FROM STDIN of one text payload, through pg's query protocol hooks (no extra package). */
function copyIn(client: pg.Client, sql: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const submittable = {
      submit: (connection: { query(text: string): void }) => connection.query(sql),
      handleCopyInResponse: (connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) => {
        connection.sendCopyFromChunk(Buffer.from(data));
        connection.endCopyFrom();
      },
      handleCommandComplete: () => {},
      handleReadyForQuery: () => (failure ? reject(failure) : resolve()),
      handleError: (error: Error) => { failure = error; },
    };
    client.query(submittable as unknown as pg.QueryConfig);
  });
}

/** The baseline: one COPY of all rows from a plain client. */
async function copyRun(): Promise<number> {
  let text = '';
  for (let i = 0; i < ROWS; i++) text += `${i}\tvalue-${i}\n`;
  const t = performance.now();
  await copyIn(db, 'COPY copied (id, v) FROM STDIN', text);
  return performance.now() - t;
}

/** Multi-row INSERTs of 500 rows from a plain client. */
async function insertRun(): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < ROWS; i += 500) {
    const n = Math.min(500, ROWS - i);
    const params: unknown[] = [];
    const values: string[] = [];
    for (let k = 0; k < n; k++) { params.push(i + k, `value-${i + k}`); values.push(`($${2 * k + 1}, $${2 * k + 2})`); }
    await db.query(`INSERT INTO plain (id, v) VALUES ${values.join(', ')}`, params);
  }
  return performance.now() - t;
}

async function sinkRun(table: string, guarantee: 'exactly-once' | 'at-least-once', upsert: boolean): Promise<number> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1).enableCheckpointing(1000);
  env.fromSource(new DataGeneratorSource((i) => ({ id: i, v: `value-${i}` }), ROWS), undefined, 'rows')
    .sinkTo(new PostgresSink<{ id: number; v: string }>({ url: server.url, table, columns: ['id', 'v'], ...(upsert ? { key: ['id'] } : {}), guarantee }));
  const t = performance.now();
  await env.execute(`bench-${table}`);
  while (Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n) < ROWS) await new Promise((r) => setTimeout(r, 20));
  return performance.now() - t;
}

// BENCH.md's rules: a warm-up round, then interleaved rounds; each figure is the median of the
// rounds' ratios to the COPY of the same round (plus the median absolute rate for context).
const gc = (globalThis as { gc?: () => void }).gc;
const runs: Record<string, () => Promise<number>> = {
  'plain multi-row INSERT x500': insertRun,
  'PostgresSink exactly-once append': () => sinkRun('eo_append', 'exactly-once', false),
  'PostgresSink exactly-once upsert': () => sinkRun('eo', 'exactly-once', true),
  'PostgresSink at-least-once upsert': () => sinkRun('alo', 'at-least-once', true),
};
const ROUNDS = Number(process.env.PG_ROUNDS ?? 5);
const copyMs: number[] = [];
const ms: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (let round = 0; round <= ROUNDS; round++) {
  await db.query(`TRUNCATE ${TABLES.join(', ')}`);
  gc?.();
  const c = await copyRun();
  if (round > 0) copyMs.push(c);
  for (const [name, run] of Object.entries(runs)) {
    gc?.();
    const m = await run();
    if (round > 0) ms[name].push(m);
  }
}
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(`PostgreSQL, ${ROWS} rows, median of ${ROUNDS} interleaved rounds after a warm-up:`);
console.log(`  plain COPY FROM STDIN (baseline)     ${rate(ROWS, median(copyMs))}`);
for (const name of Object.keys(runs)) {
  const ratios = ms[name].map((m, i) => copyMs[i] / m);
  console.log(`  ${name.padEnd(36)} ${rate(ROWS, median(ms[name]))}  (${median(ratios).toFixed(2)} x COPY)`);
}
await db.end();
await server.stop();
