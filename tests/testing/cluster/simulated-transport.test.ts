// The simulated transport without faults: a dial takes a round trip, then bytes arrive whole and
// in order after their latency; the chunks of several connections due at one instant arrive in
// connection order, whatever order they were written in; dials to a port nobody listens on are
// refused. Exercised through SimulatedNetwork, whose faults stay off here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../actors/index.ts';
import type { ByteStream } from '../../../actors/network/transport.ts';
import { SimulatedNetwork } from '../../../testing/cluster/simulated-network.ts';
import { advance, advanceUntil } from '../../../testing/cluster/drive.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('simulated-transport');

function setup(latencyMs = { min: 5, max: 5 }) {
  const clock = new ManualClock(0);
  const random = new Random(seed);
  const trace: string[] = [];
  const net = new SimulatedNetwork({ clock, random: () => random.next(), trace: (e) => trace.push(e), latencyMs });
  return { clock, net, trace };
}

test('chunks due at one instant arrive in connection order, not in the order they were written', async () => {
  const { clock, net, trace } = setup();
  const got: string[] = [];
  await net.host('s').listen('s', 9000, (stream) => { stream.onData((chunk) => got.push(String.fromCharCode(...chunk))); });
  const clients: ByteStream[] = [];
  for (const name of ['a', 'b', 'c']) void net.host(name).dial('s', 9000).then((stream) => { clients.push(stream); });
  await advanceUntil(clock, () => clients.length === 3, 1000, 'connected');
  assert.equal(trace.filter((e) => e.includes('net connect')).map((e) => e.split(' ').slice(2, 4).join(' ')), ['connect c1', 'connect c2', 'connect c3']);
  // Written in reverse connection order within one instant: all are due 5 ms later.
  for (let i = 2; i >= 0; i--) clients[i].write(new TextEncoder().encode(`m${i}`));
  await advance(clock, 10);
  const order = trace.filter((e) => e.includes('net deliver')).map((e) => e.split(' ')[3]);
  assert.equal(order, ['c1', 'c2', 'c3']);
  assert.is(got.length, 3);
});

test('bytes arrive whole and in order after their latency; a dial to a closed port is refused', async () => {
  const { clock, net } = setup({ min: 1, max: 30 });
  const got: number[] = [];
  await net.host('s').listen('s', 9000, (stream) => { stream.onData((chunk) => got.push(...chunk)); });
  let client: ByteStream | undefined;
  void net.host('a').dial('s', 9000).then((stream) => { client = stream; });
  await advanceUntil(clock, () => client !== undefined, 1000, 'connected');
  const sent: number[] = [];
  for (let i = 0; i < 50; i++) { client!.write(Uint8Array.of(i, 255 - i)); sent.push(i, 255 - i); }
  assert.equal(got, []);
  await advance(clock, 100);
  assert.equal(got, sent);
  let refused: unknown;
  void net.host('a').dial('s', 9001).catch((error: unknown) => { refused = error; });
  await advance(clock, 100);
  assert.is((refused as { code?: string } | undefined)?.code, 'ECONNREFUSED');
});

test.run();
