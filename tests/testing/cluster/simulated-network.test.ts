// SimulatedNetwork: ordered delivery after seeded latencies on a ManualClock, partitions that
// stall and then reset, heal, pauses, crashes, and the real handshake and actor transport over it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor, ManualClock } from '../../../actors/index.ts';
import type { ByteStream } from '../../../actors/network/transport.ts';
import { SimulatedNetwork } from '../../../testing/cluster/simulated-network.ts';
import { advance, advanceUntil, settle } from '../../../testing/cluster/drive.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('simulated-network');

/** The node:net-style code of a network error. */
function codeOf(error: unknown): string | undefined { return (error as { code?: string } | undefined)?.code; }

function setup(s = seed): { clock: ManualClock; net: SimulatedNetwork; trace: string[] } {
  const clock = new ManualClock(0);
  const random = new Random(s);
  const trace: string[] = [];
  const net = new SimulatedNetwork({ clock, random: () => random.next(), trace: (e) => trace.push(e), latencyMs: { min: 1, max: 20 } });
  return { clock, net, trace };
}

/** A listener on `b:7000` and a stream from `a` to it; both ends with their received bytes and close errors. */
async function pair(clock: ManualClock, net: SimulatedNetwork) {
  let server: ByteStream | undefined;
  const serverGot: number[] = [];
  const closes: { side: string; error?: Error }[] = [];
  await net.host('b').listen('b', 7000, (s) => {
    server = s;
    s.onData((chunk) => serverGot.push(...chunk));
    s.onClose((error) => closes.push({ side: 'server', error }));
  });
  let client: ByteStream | undefined;
  void net.host('a').dial('b', 7000).then((s) => { client = s; });
  await advanceUntil(clock, () => client !== undefined && server !== undefined, 1000, 'connected');
  const clientGot: number[] = [];
  client!.onData((chunk) => clientGot.push(...chunk));
  client!.onClose((error) => closes.push({ side: 'client', error }));
  return { client: client!, server: server!, serverGot, clientGot, closes };
}

test('writes arrive whole and in order after seeded latencies, each delivery traced', async () => {
  const { clock, net, trace } = setup();
  const { client, serverGot } = await pair(clock, net);
  const sent: number[] = [];
  for (let i = 0; i < 200; i++) { client.write(new Uint8Array([i % 256, (i * 7) % 256])); sent.push(i % 256, (i * 7) % 256); }
  assert.equal(serverGot.length, 0, 'nothing arrives before virtual time passes');
  await advance(clock, 100);
  assert.equal(serverGot, sent);
  assert.ok(trace.filter((e) => e.includes('net deliver')).length >= 1);
});

test('a lost write resets its connection: what was written before it may arrive, nothing after it does', async () => {
  const { clock, net, trace } = setup();
  const p = await pair(clock, net);
  net.dropMessages(1);
  p.client.write(new Uint8Array([1]));
  p.client.write(new Uint8Array([2]));
  await advance(clock, 100);
  assert.equal(p.serverGot, []);
  assert.equal(p.closes.map((c) => [c.side, codeOf(c.error)]).sort(), [['client', 'ECONNRESET'], ['server', 'ECONNRESET']]);
  assert.ok(trace.some((e) => / net lost c\d+ a->b/.test(e)), trace.join('\n'));
  net.dropMessages(0);
  const q = await pair2(clock, net);
  q.client.write(new Uint8Array([3]));
  await advance(clock, 100);
  assert.equal(q.serverGot, [3], 'with the fault off, writes arrive again');
  assert.throws(() => net.dropMessages(2), /between 0 and 1/);
});

test('delayed writes keep their order on a connection and arrive later than the latency bound', async () => {
  const { clock, net } = setup();
  const p = await pair(clock, net);
  net.delayMessages(1, 500);
  const sent: number[] = [];
  for (let i = 0; i < 50; i++) { p.client.write(new Uint8Array([i])); sent.push(i); }
  await advance(clock, 21);
  assert.ok(p.serverGot.length < sent.length, `held past the 20 ms latency bound: ${p.serverGot.length} arrived`);
  await advance(clock, 600);
  assert.equal(p.serverGot, sent);
  assert.throws(() => net.delayMessages(0.5, -1), /maxMs >= 0/);
});

/** A second connection a -> b:7001 (pair() holds port 7000). */
async function pair2(clock: ManualClock, net: SimulatedNetwork) {
  const serverGot: number[] = [];
  await net.host('b').listen('b', 7001, (s) => s.onData((chunk) => serverGot.push(...chunk)));
  let client: ByteStream | undefined;
  void net.host('a').dial('b', 7001).then((s) => { client = s; });
  await advanceUntil(clock, () => client !== undefined, 1000, 'connected');
  return { client: client!, serverGot };
}

test('a partition stalls bytes, heal delivers them; a longer one resets both ends', async () => {
  const { clock, net } = setup();
  const p = await pair(clock, net);
  net.partition(['a'], ['b']);
  p.client.write(new Uint8Array([1, 2, 3]));
  await advance(clock, 2000);
  assert.equal(p.serverGot, [], 'stalled across the partition');
  net.heal();
  await advance(clock, 50);
  assert.equal(p.serverGot, [1, 2, 3]);
  net.partition(['b'], ['a']);
  p.server.write(new Uint8Array([9]));
  await advance(clock, 10_050);
  assert.equal(p.clientGot, [], 'lost with the reset');
  assert.equal(p.closes.map((c) => [c.side, (c.error as { code?: string })?.code]).sort(), [['client', 'ECONNRESET'], ['server', 'ECONNRESET']]);
  assert.equal(net.openConnections, 0);
});

test('a dial across a partition times out; to a host without listener it is refused', async () => {
  const { clock, net } = setup();
  await net.host('b').listen('b', 7000, () => {});
  net.partition(['a'], ['b']);
  let error: Error | undefined;
  net.host('a').dial('b', 7000).catch((e: Error) => { error = e; });
  await advanceUntil(clock, () => error !== undefined, 5000, 'dial failed');
  assert.is(codeOf(error), 'ETIMEDOUT');
  net.heal();
  error = undefined;
  net.host('a').dial('b', 7001).catch((e: Error) => { error = e; });
  await advanceUntil(clock, () => error !== undefined, 1000, 'dial refused');
  assert.is(codeOf(error), 'ECONNREFUSED');
});

test('a paused host receives nothing until the pause ends; a crashed one resets its peers and refuses dials', async () => {
  const { clock, net } = setup();
  const p = await pair(clock, net);
  net.pause('b', 3000);
  p.client.write(new Uint8Array([5]));
  await advance(clock, 2900);
  assert.equal(p.serverGot, []);
  await advance(clock, 200);
  assert.equal(p.serverGot, [5]);
  net.crash('b');
  await advance(clock, 100);
  assert.equal(p.closes.map((c) => [c.side, (c.error as { code?: string })?.code]), [['client', 'ECONNRESET']], 'only the live end hears');
  let error: Error | undefined;
  net.host('a').dial('b', 7000).catch((e: Error) => { error = e; });
  await advanceUntil(clock, () => error !== undefined, 1000, 'dial refused');
  assert.is(codeOf(error), 'ECONNREFUSED');
});

/** Two actor systems on the simulated network, one asking the other; returns the trace. */
async function askAcross(s: number, secret = 'sim-secret'): Promise<{ trace: string[]; reply?: unknown; error?: Error }> {
  const { clock, net, trace } = setup(s);
  const server = ActorSystem.create('server', { clock });
  const client = ActorSystem.create('client', { clock });
  server.remoteTransport().useNetwork(net.host('b'), { clock });
  client.remoteTransport().useNetwork(net.host('a'), { clock });
  server.spawn(defineActor<null, { n: number }>({ init: () => null, receive: (_s, msg, ctx) => { ctx.reply(msg.n * 2); } }), 'double');
  const listened = await server.listen(0, { host: 'b', secret: 'sim-secret' });
  let out: { reply?: unknown; error?: Error } | undefined;
  client.connect('b', listened.port, { secret })
    .then((address) => client.resolve(`${address}/user/double`).ask({ n: 21 }, 5000))
    .then((reply) => { out = { reply }; }, (error: Error) => { out = { error }; });
  await advanceUntil(clock, () => out !== undefined, 20_000, 'answer');
  await client.terminate();
  await server.terminate();
  await settle();
  return { trace, ...out };
}

test('actor systems ask each other through the real handshake over the simulated network', async () => {
  const { reply } = await askAcross(seed);
  assert.is(reply, 42);
  const { error } = await askAcross(seed, 'wrong-secret');
  assert.match(String(error?.message), /authentication|closed/);
});

test('the same seed gives the same trace', async () => {
  const first = await askAcross(seed);
  const second = await askAcross(seed);
  assert.ok(first.trace.length > 5);
  assert.equal(second.trace, first.trace);
  const other = await askAcross(seed + 1);
  assert.not.equal(other.trace, first.trace, 'another seed draws other latencies');
});

test.run();
