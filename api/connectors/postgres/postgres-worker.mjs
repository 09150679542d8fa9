// The PostgreSQL side of PostgresSink, in a worker thread: one connection per sink subtask (its
// statements run in order) and one for committing, rolling back and listing prepared
// transactions. The sink calls it asynchronously for batches and commits, and synchronously (it
// blocks on a shared counter) where a checkpoint barrier must not pass before PostgreSQL has made
// the transaction durable: PREPARE TRANSACTION, the at-least-once flush, setup and recovery. Plain
// JavaScript because workers cannot load TypeScript on every runtime this project supports.
// Protocol: { id, op, lane, ... } in; { id, ok, value } or { id, ok: false, error, code } out,
// each reply followed by an increment of the shared counter.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

const { port, signal, url } = workerData;
const counter = new Int32Array(signal);
/** Per lane (a subtask, or 'admin'): its client, the tail of its queue, and its first failure. */
const lanes = new Map();

function lane(name) {
  let l = lanes.get(name);
  if (!l) {
    l = { client: undefined, tail: Promise.resolve(), failure: undefined };
    lanes.set(name, l);
  }
  return l;
}

async function client(l) {
  if (!l.client) {
    const c = new pg.Client({ connectionString: url });
    // An error on an idle connection must not end the worker: the next statement reports it.
    c.on('error', (error) => { l.failure ??= describe(error); });
    await c.connect();
    l.client = c;
  }
  return l.client;
}

function describe(error) {
  return { error: String(error?.message ?? error), code: error?.code };
}

function reply(id, result) {
  port.postMessage({ id, ...result });
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

async function run(l, msg) {
  const c = await client(l);
  switch (msg.op) {
    case 'query': {
      if (l.failure) { const f = l.failure; l.failure = undefined; throw Object.assign(new Error(f.error), { code: f.code }); }
      return (await c.query(msg.sql, msg.params)).rows;
    }
    case 'batch': {
      // Fire-and-forget batches: a failure is kept and reported by the next call of the lane.
      if (l.failure) return null;
      try { await c.query(msg.sql, msg.params); } catch (error) { l.failure = describe(error); }
      return null;
    }
    case 'check': {
      if (l.failure) { const f = l.failure; l.failure = undefined; throw Object.assign(new Error(f.error), { code: f.code }); }
      return null;
    }
    case 'close': {
      lanes.delete(msg.lane);
      await c.end();
      return null;
    }
    default: throw new Error(`unknown operation ${msg.op}`);
  }
}

port.on('message', (msg) => {
  const l = lane(msg.lane);
  l.tail = l.tail.then(() => run(l, msg)).then(
    (value) => { if (msg.id !== 0) reply(msg.id, { ok: true, value }); },
    (error) => { if (msg.id !== 0) reply(msg.id, { ok: false, ...describe(error) }); },
  );
});
parentPort?.postMessage('ready');
