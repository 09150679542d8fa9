import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as rawConnect, type Socket } from 'node:net';
import { connect, ConnectionListener, type Connection } from '../../../actors/network/connection.ts';
import { encodeFrame, FrameDecoder } from '../../../actors/network/frame-decoder.ts';
import { ClientHandshake } from '../../../actors/network/handshake.ts';
import { createServer } from 'node:net';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { Random, testSeed } from '../../support/random.ts';
import { ManualClock } from '../../../api/time/clock.ts';

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
  // Resumed: a socket whose received bytes are never read does not report the peer's close. A
  // reset by the server is how some of them end: the test watches for 'close'.
  return new Promise((resolve) => { const s = rawConnect(port, '127.0.0.1', () => resolve(s.resume())); s.on('error', () => {}); });
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

function lengthPrefix(n: number): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, n);
  return h;
}

test('before authentication a frame over the handshake limit closes the connection at its length prefix', async () => {
  const clock = new ManualClock();
  const errors: string[] = [];
  const listener = await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, clock }, () => ({ onFrame() {} }), (e) => errors.push(e.message));
  // Well under the authenticated limit of 64 MiB: before the fix the listener buffered all of it.
  const sockets = await Promise.all(Array.from({ length: 8 }, () => raw(listener.port)));
  await Promise.all(sockets.map((s) => {
    const closed = closedSoon(s);
    s.write(lengthPrefix(8 << 20));
    s.write(new Uint8Array(256 * 1024));
    return closed;
  }));
  assert.is(errors.length, 8);
  for (const e of errors) assert.match(e, /exceeds the limit of 4096 bytes/);
  assert.is(listener.size, 0);
  assert.is(listener.bufferedBytes, 0);
  await listener.close();
});

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

/** An echo server on a manual clock. */
async function clockedServer(limits: { frameStallTimeoutMs?: number; handshakeTimeoutMs?: number; maxUnauthenticatedConnections?: number } = {}) {
  const clock = new ManualClock();
  const errors: string[] = [];
  const rejects: string[] = [];
  const listener = await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, maxFrameBytes: 1024, clock, ...limits },
    () => ({ onFrame: (f, c) => { c.send(text.encode(untext.decode(f).toUpperCase())); } }),
    (e) => errors.push(e.message), (reason) => rejects.push(reason));
  return { clock, listener, errors, rejects };
}

/** A raw socket that has passed the handshake, so that the test can write any bytes after it. */
async function rawAuthenticated(port: number): Promise<{ socket: Socket; frames: string[] }> {
  const socket = await raw(port);
  const decoder = new FrameDecoder();
  const handshake = new ClientHandshake(SECRET);
  const frames: string[] = [];
  let step = 0;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk: Uint8Array) => {
      for (const f of decoder.push(chunk)) {
        if (step === 0) socket.write(encodeFrame(handshake.respond(f)));
        else if (step === 1) { handshake.confirm(f); resolve(); } else frames.push(untext.decode(f));
        step++;
      }
    });
  });
  return { socket, frames };
}

test('a frame whose bytes stop arriving midway closes its connection after the stall timeout; others go on', async () => {
  const { clock, listener, errors } = await clockedServer({ frameStallTimeoutMs: 1000 });
  const good = client(listener.port);
  const conn = await good.promise;
  const { socket } = await rawAuthenticated(listener.port);
  const closed = closedSoon(socket);
  socket.write(lengthPrefix(100));
  socket.write(new Uint8Array(50));
  await until(() => listener.bufferedBytes === 50);
  clock.advance(600);
  socket.write(new Uint8Array(20));
  await until(() => listener.bufferedBytes === 70);
  clock.advance(999);
  assert.is(listener.size, 2, 'bytes arrived 999 ms ago: still open');
  clock.advance(1);
  await closed;
  assert.match(errors.join(), /stalled: no bytes of it for 1000 ms \(70 bytes received\)/);
  assert.is(listener.bufferedBytes, 0);
  assert.is(await roundTrip(conn, good, 'unaffected'), 'UNAFFECTED');
  conn.close();
  await listener.close();
});

test('bytes read between a stall timeout and its confirmation one turn later keep the connection', async () => {
  // A clock that holds back zero-delay callbacks: the turn in which a blocked event loop reads the bytes waiting in the socket.
  class DeferringClock extends ManualClock {
    readonly deferred: (() => void)[] = [];
    override schedule(delayMs: number, callback: () => void) {
      if (delayMs > 0) return super.schedule(delayMs, callback);
      this.deferred.push(callback);
      return () => {};
    }
  }
  const clock = new DeferringClock();
  const errors: string[] = [];
  const listener = await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, clock, frameStallTimeoutMs: 1000 },
    () => ({ onFrame: (f, c) => { c.send(f); } }), (e) => errors.push(e.message));
  const { socket, frames } = await rawAuthenticated(listener.port);
  socket.write(lengthPrefix(10));
  socket.write(new Uint8Array(4));
  await until(() => listener.bufferedBytes === 4);
  clock.advance(1000);
  assert.is(clock.deferred.length, 1, 'the timeout waits one turn before it closes');
  socket.write(new Uint8Array(2));
  await until(() => listener.bufferedBytes === 6);
  clock.deferred.shift()!();
  assert.is(listener.size, 1, 'bytes came in that turn: not stalled');
  clock.advance(999);
  assert.is(clock.deferred.length, 0);
  clock.advance(1);
  clock.deferred.shift()!();
  await until(() => listener.size === 0);
  assert.match(errors.join(), /stalled/);
  assert.equal(frames, []);
  await listener.close();
});

test('an idle connection between frames is never timed out', async () => {
  const { clock, listener } = await clockedServer({ frameStallTimeoutMs: 1000 });
  const { socket, frames } = await rawAuthenticated(listener.port);
  clock.advance(60_000);
  socket.write(encodeFrame(text.encode('after a minute')));
  await until(() => frames.length === 1);
  assert.equal(frames, ['AFTER A MINUTE']);
  clock.advance(60_000);
  assert.is(listener.size, 1);
  socket.destroy();
  await until(() => listener.size === 0);
  await listener.close();
});

test('the handshake must finish within its timeout on the injected clock', async () => {
  const { clock, listener, errors, rejects } = await clockedServer({ handshakeTimeoutMs: 500 });
  const s = await raw(listener.port);
  const closed = closedSoon(s);
  await until(() => listener.pendingHandshakes === 1);
  clock.advance(499);
  assert.is(listener.size, 1);
  clock.advance(1);
  await closed;
  assert.equal(errors, ['handshake timed out']);
  assert.equal(rejects, ['handshake-failed']);
  assert.is(listener.pendingHandshakes, 0);
  await listener.close();
});

test('connections over the cap of unauthenticated ones are closed at once; slots free up when handshakes end', async () => {
  const lines: { msg: string; reason: string; suppressed: number }[] = [];
  configureLogging({ level: 'warn', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  const { clock, listener, rejects } = await clockedServer({ maxUnauthenticatedConnections: 4, handshakeTimeoutMs: 1000 });
  const waiting = await Promise.all(Array.from({ length: 4 }, () => raw(listener.port)));
  const waitingClosed = waiting.map(closedSoon);
  await until(() => listener.pendingHandshakes === 4);
  const excess = await Promise.all(Array.from({ length: 3 }, () => raw(listener.port)));
  await Promise.all(excess.map(closedSoon));
  assert.equal(rejects, ['over-capacity', 'over-capacity', 'over-capacity']);
  assert.is(listener.rejectedConnections, 3);
  assert.is(listener.pendingHandshakes, 4);
  // A flood is one line per reason and period: the next line counts the ones held back.
  assert.is(lines.length, 1);
  assert.match(lines[0].msg, /refused a connection from 127\.0\.0\.1:\d+: 4 connections are already in their handshake/);
  assert.is(lines[0].reason, 'over-capacity');
  // The cap holds a good client out too, until the waiting handshakes time out.
  await client(listener.port).promise.then(() => assert.unreachable('admitted over the cap'), (e) => assert.match(e.message, /closed during handshake/));
  clock.advance(1000);
  await Promise.all(waitingClosed);
  assert.is(listener.pendingHandshakes, 0);
  assert.equal(lines.map((l) => [l.reason, l.suppressed]), [['over-capacity', 0], ['handshake-failed', 0]]);
  // Ten seconds on: the next rejection is logged again, counting the three timeouts held back.
  clock.advance(10_000);
  await Promise.all((await Promise.all([raw(listener.port), raw(listener.port)])).map((s) => { const c = closedSoon(s); s.write(lengthPrefix(5000)); return c; }));
  assert.equal(lines.map((l) => [l.reason, l.suppressed]), [['over-capacity', 0], ['handshake-failed', 0], ['handshake-failed', 3]]);
  configureLogging({});
  const good = client(listener.port);
  const conn = await good.promise;
  assert.is(listener.pendingHandshakes, 0, 'an authenticated connection leaves the count');
  assert.is(await roundTrip(conn, good, 'in'), 'IN');
  conn.close();
  await listener.close();
});

test('a connecting client applies the handshake limit to the server it reached', async () => {
  const server = createServer((socket) => { socket.on('error', () => {}); socket.write(lengthPrefix(1 << 20)); socket.write(new Uint8Array(64 * 1024)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await connect('127.0.0.1', port, { secret: SECRET }, { onFrame() {} })
    .then(() => assert.unreachable('connected'), (e) => assert.match(e.message, /1048576 bytes exceeds the limit of 4096/));
  await new Promise<void>((r) => server.close(() => r()));
});

test('limits that cannot work are refused with a clear error before anything listens', async () => {
  await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, handshakeMaxFrameBytes: 10 }, () => ({ onFrame() {} }))
    .then(() => assert.unreachable('listened'), (e) => assert.match(e.message, /frame limits must admit the handshake's 66-byte messages, got 10/));
  await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET, maxUnauthenticatedConnections: 0 }, () => ({ onFrame() {} }))
    .then(() => assert.unreachable('listened'), (e) => assert.match(e.message, /maxUnauthenticatedConnections must be at least 1, got 0/));
});

test('a closed connection keeps no buffered bytes and leaves the listener', async () => {
  let serverSide: Connection | undefined;
  const listener = await ConnectionListener.listen('127.0.0.1', 0, { secret: SECRET }, (c) => { serverSide = c; return { onFrame() {} }; });
  const { socket } = await rawAuthenticated(listener.port);
  socket.write(lengthPrefix(1 << 20));
  socket.write(new Uint8Array(300 * 1024));
  await until(() => listener.bufferedBytes === 300 * 1024);
  assert.is(serverSide!.bufferedBytes, 300 * 1024);
  socket.destroy();
  await until(() => listener.size === 0);
  assert.not.ok(serverSide!.isOpen);
  assert.is(serverSide!.bufferedBytes, 0, 'the half-read frame is dropped with the connection');
  assert.is(listener.bufferedBytes, 0);
  await listener.close();
});

test.run();
