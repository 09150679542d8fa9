// The simulated network's connection model: an end queues its writes on its own pipe and its close
// once; bytes that arrive before anyone reads are held and handed over, in order, a microtask after
// a reader appears; a reset reaches every close listener once; pipes order deliveries by
// connection; the per-connection PRNG replays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pipe, prng, SimStream, type ConnectionNetwork, type SimHost } from '../../../testing/cluster/sim-connection.ts';

function host(name: string): SimHost { return { name, listeners: new Map(), nextPort: 40_000, pausedUntil: 0, down: false, extraLatencyMs: 0 }; }

/** Two connected ends over a network that only records what they ask of it. */
function connection(id = 3) {
  const queued: Array<{ pipe: Pipe; bytes: Uint8Array | undefined }> = [];
  const closed: SimStream[] = [];
  const net: ConnectionNetwork = { enqueue: (pipe, bytes) => { queued.push({ pipe, bytes }); }, closed: (s) => { closed.push(s); } };
  const a = new SimStream(net, id, host('a'), 'b:7000');
  const b = new SimStream(net, id, host('b'), 'a:50003');
  a.peer = b; b.peer = a;
  a.out = new Pipe(a, b, prng(1), 0); b.out = new Pipe(b, a, prng(2), 1);
  return { a, b, queued, closed };
}

test('writes go on the writer\'s pipe; after its close (queued once, reported once) writes are refused', () => {
  const { a, queued, closed } = connection();
  const closes: Array<Error | undefined> = [];
  a.onClose((error) => closes.push(error));
  assert.ok(a.write(Uint8Array.of(1)));
  a.end();
  a.destroy();
  assert.not.ok(a.write(Uint8Array.of(2)));
  assert.equal(queued.map((q) => [q.pipe === a.out, q.bytes === undefined ? 'close' : Array.from(q.bytes)]), [[true, [1]], [true, 'close']]);
  assert.equal(closed, [a]);
  assert.equal(closes, [undefined]);
});

test('bytes that arrive before a reader are handed over in order, a microtask after it appears, before later ones', async () => {
  const { b } = connection();
  b.receive(Uint8Array.of(1));
  b.receive(Uint8Array.of(2));
  const got: number[] = [];
  b.onData((chunk) => got.push(...chunk));
  assert.equal(got, [], 'not from within onData');
  b.receive(Uint8Array.of(3));
  await Promise.resolve();
  assert.equal(got, [1, 2, 3]);
  b.receive(Uint8Array.of(4));
  assert.equal(got, [1, 2, 3, 4]);
});

test('a reset reaches every close listener once with its error; nothing is read after it', () => {
  const { b, closed } = connection();
  const seen: string[] = [];
  const got: number[] = [];
  b.onData((chunk) => got.push(...chunk));
  b.onClose((error) => seen.push(`1:${error?.message}`));
  b.onClose((error) => seen.push(`2:${error?.message}`));
  b.terminate(new Error('ECONNRESET'));
  b.terminate(new Error('again'));
  b.receive(Uint8Array.of(9));
  assert.equal(seen, ['1:ECONNRESET', '2:ECONNRESET']);
  assert.equal(got, []);
  assert.equal(closed.length, 1);
});

test('pipes order deliveries by connection, then direction; the per-connection PRNG replays and stays in [0, 1)', () => {
  const { a, b } = connection(7);
  assert.is(a.out.order, 14);
  assert.is(b.out.order, 15);
  const x = prng(42), y = prng(42), z = prng(43);
  const xs = Array.from({ length: 100 }, () => x());
  assert.equal(Array.from({ length: 100 }, () => y()), xs);
  assert.not.equal(Array.from({ length: 100 }, () => z()), xs);
  assert.ok(xs.every((v) => v >= 0 && v < 1));
});

test.run();
