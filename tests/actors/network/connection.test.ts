import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as rawConnect, type Socket } from 'node:net';
import { connect, ConnectionListener, type Connection } from '../../../actors/network/connection.ts';
import { encodeFrame } from '../../../actors/network/frame-decoder.ts';
import { Random, testSeed } from '../../support/random.ts';

const SECRET = 'cluster-secret';
const text = new TextEncoder();
const untext = new TextDecoder();

/** An echo server that upper-cases every frame and records connection errors. */
async function echoServer() {
  const errors: string[] = [];
  const listener = await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, maxFrameBytes: 1024, handshakeTimeoutMs: 2000 },
    () => ({ onFrame: (f, c) => { c.send(text.encode(untext.decode(f).toUpperCase())); } }),
    (e) => errors.push(e.message));
  return { listener, errors };
}

function client(port: number, secret = SECRET) {
  const received: string[] = [];
  let waiter: (() => void) | undefined;
  const promise = connect('127.0.0.1', port, { secret, maxFrameBytes: 1024 }, {
    onFrame: (f) => { received.push(untext.decode(f)); waiter?.(); },
  });
  const next = () => new Promise<void>((r) => { waiter = r; });
  return { promise, received, next };
}

async function roundTrip(c: Connection, box: ReturnType<typeof client>, msg: string) {
  const got = box.next();
  c.send(text.encode(msg));
  await got;
  return box.received[box.received.length - 1];
}

function raw(port: number): Promise<Socket> {
  return new Promise((resolve) => { const s = rawConnect(port, '127.0.0.1', () => resolve(s)); });
}

const closedSoon = (s: Socket) => new Promise<void>((resolve) => s.once('close', () => resolve()));

test('authenticated peers exchange frames', async () => {
  const { listener } = await echoServer();
  const a = client(listener.port);
  const conn = await a.promise;
  assert.is(await roundTrip(conn, a, 'hello'), 'HELLO');
  conn.close();
  await listener.close();
});

test('a wrong secret is refused and the good connection is unaffected', async () => {
  const { listener, errors } = await echoServer();
  const good = client(listener.port);
  const conn = await good.promise;
  const bad = client(listener.port, 'wrong');
  await bad.promise.then(() => assert.unreachable('must not authenticate'), (e) => assert.match(e.message, /closed during handshake|authentication/));
  assert.is(await roundTrip(conn, good, 'still here'), 'STILL HERE');
  assert.ok(errors.some((e) => /authentication failed/.test(e)));
  conn.close();
  await listener.close();
});

test('garbage, oversized and replayed frames close only their own connection (fuzz)', async () => {
  const rnd = new Random(testSeed('connection-fuzz'));
  const { listener, errors } = await echoServer();
  const good = client(listener.port);
  const conn = await good.promise;
  for (let i = 0; i < 20; i++) {
    const s = await raw(listener.port);
    const closed = closedSoon(s);
    const kind = rnd.pick(['garbage', 'oversized', 'early-frame', 'replay'] as const);
    if (kind === 'garbage') s.write(Uint8Array.from({ length: rnd.int(4, 64) }, () => rnd.int(0, 255)));
    else if (kind === 'oversized') { const h = new Uint8Array(4); new DataView(h.buffer).setUint32(0, 1_000_000); s.write(h); }
    else if (kind === 'early-frame') s.write(encodeFrame(text.encode('let me in')));
    else s.write(encodeFrame(Uint8Array.from({ length: 66 }, (_, j) => (j === 0 ? 2 : j === 1 ? 1 : rnd.int(0, 255)))));
    // Close our side too in case the server is still waiting for more bytes of a partial frame.
    setTimeout(() => s.destroy(), 500).unref?.();
    await closed;
    assert.is(await roundTrip(conn, good, `ping ${i}`), `PING ${i}`);
  }
  assert.ok(errors.length > 0, 'bad connections are reported');
  assert.is(listener.size, 1, 'only the good connection remains');
  conn.close();
  await listener.close();
});

test.run();
