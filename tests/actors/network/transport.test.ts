// The Network seam: node:net through nodeNetwork (listen, dial, bytes both ways, close events),
// and the connection layer's security properties over another Network (a simulated one on a
// ManualClock): the handshake, the pre-authentication frame limit, the handshake timeout and the
// cap on connections still in their handshake, and handshake nonces from the network's entropy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, ConnectionListener, type Connection } from '../../../actors/network/connection.ts';
import { ClientHandshake, HandshakeError, ServerHandshake } from '../../../actors/network/handshake.ts';
import { nodeNetwork, type ByteStream } from '../../../actors/network/transport.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { SimulatedNetwork } from '../../../testing/cluster/simulated-network.ts';
import { advanceUntil } from '../../../testing/cluster/drive.ts';
import { Random, testSeed } from '../../support/random.ts';

configureLogging({ level: 'error' });
const seed = testSeed('transport');
const SECRET = 'transport-secret';

test('nodeNetwork listens, dials and carries bytes both ways; closing one end closes the other', async () => {
  const serverGot: number[] = [];
  let serverClosed = false;
  let server: ByteStream | undefined;
  const listener = await nodeNetwork.listen('127.0.0.1', 0, (s) => {
    server = s;
    s.onData((chunk) => { serverGot.push(...chunk); s.write(new Uint8Array([...chunk].map((b) => b + 1))); });
    s.onClose(() => { serverClosed = true; });
  });
  assert.ok(listener.port > 0);
  const client = await nodeNetwork.dial('127.0.0.1', listener.port);
  assert.match(client.remoteAddress, new RegExp(`:${listener.port}$`));
  const clientGot: number[] = [];
  const answered = new Promise<void>((resolve) => client.onData((chunk) => { clientGot.push(...chunk); if (clientGot.length >= 3) resolve(); }));
  assert.ok(client.write(new Uint8Array([1, 2, 3])));
  await answered;
  assert.equal(serverGot, [1, 2, 3]);
  assert.equal(clientGot, [2, 3, 4]);
  const closed = new Promise<void>((resolve) => { const t = setInterval(() => { if (serverClosed) { clearInterval(t); resolve(); } }, 1); });
  client.end();
  await closed;
  assert.ok(server !== undefined);
  await listener.close();
  const refused = await nodeNetwork.dial('127.0.0.1', listener.port).then(() => undefined, (e: { code?: string }) => e.code);
  assert.is(refused, 'ECONNREFUSED');
  assert.is(nodeNetwork.randomBytes(16).length, 16);
});

function simulated() {
  const clock = new ManualClock(0);
  const random = new Random(seed);
  const net = new SimulatedNetwork({ clock, random: () => random.next() });
  return { clock, net };
}

test('over a simulated network: the handshake authenticates, a wrong secret is refused', async () => {
  const { clock, net } = simulated();
  const got: string[] = [];
  const listener = await ConnectionListener.listen('b', 0, { secret: SECRET, clock, network: net.host('b') },
    () => ({ onFrame: (f, c) => { got.push(new TextDecoder().decode(f)); c.send(f); } }));
  let good: Connection | undefined;
  let bad: Error | undefined;
  void connect('b', listener.port, { secret: SECRET, clock, network: net.host('a') }, { onFrame: () => {} }).then((c) => { good = c; });
  void connect('b', listener.port, { secret: 'wrong', clock, network: net.host('c') }, { onFrame: () => {} }).catch((e: Error) => { bad = e; });
  await advanceUntil(clock, () => good !== undefined && bad !== undefined, 1000, 'handshakes done');
  assert.ok(good!.isAuthenticated);
  assert.ok(bad instanceof HandshakeError);
  good!.send(new TextEncoder().encode('hello'));
  await advanceUntil(clock, () => got.length === 1, 1000, 'frame arrived');
  assert.equal(got, ['hello']);
  assert.is(listener.rejectedConnections, 1);
});

test('over a simulated network: pre-authentication limits hold (frame size at its prefix, handshake timeout, cap on handshakes)', async () => {
  const { clock, net } = simulated();
  const listener = await ConnectionListener.listen('b', 0, { secret: SECRET, clock, network: net.host('b'), handshakeTimeoutMs: 2000, maxUnauthenticatedConnections: 2 },
    () => ({ onFrame: () => {} }));
  const raw = async (host: string): Promise<{ stream: ByteStream; closed: () => boolean }> => {
    let stream: ByteStream | undefined;
    void net.host(host).dial('b', listener.port).then((s) => { stream = s; });
    await advanceUntil(clock, () => stream !== undefined, 1000, 'dialed');
    let closed = false;
    stream!.onData(() => {});
    stream!.onClose(() => { closed = true; });
    // A stream closed before the listener was attached shows it as destroyed.
    return { stream: stream!, closed: () => closed || stream!.destroyed };
  };
  // A frame over the pre-authentication limit is refused at its length prefix.
  const big = await raw('x1');
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, 1 << 20);
  big.stream.write(prefix);
  await advanceUntil(clock, big.closed, 1000, 'oversized frame closed');
  // Two silent connections fill the cap; a third is closed at once; the handshake timeout frees them.
  const s1 = await raw('x2');
  const s2 = await raw('x3');
  const s3 = await raw('x4');
  await advanceUntil(clock, s3.closed, 1000, 'over the cap closed');
  assert.not.ok(s1.closed() || s2.closed(), 'the first two still wait');
  await advanceUntil(clock, () => s1.closed() && s2.closed(), 3000, 'handshakes timed out');
  assert.is(listener.pendingHandshakes, 0);
  assert.ok(listener.rejectedConnections >= 3);
});

test('handshake nonces come from the given entropy; a source of the wrong size is refused', () => {
  const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(7);
  const server = new ServerHandshake(SECRET, fixed);
  assert.equal([...server.challenge().subarray(2, 6)], [7, 7, 7, 7]);
  const client = new ClientHandshake(SECRET, fixed);
  client.confirm(server.verify(client.respond(server.challenge())));
  assert.throws(() => new ServerHandshake(SECRET, () => new Uint8Array(8)), (e: Error) => e instanceof HandshakeError && /32 random bytes/.test(e.message));
});

test.run();
