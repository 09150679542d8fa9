// The listening side of the remote transport under unauthenticated traffic: random bytes,
// truncated and oversized frames, bad handshakes and many connections at once, while an
// authenticated client keeps asking. The listener's own accounting bounds what it buffers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as rawConnect, type Socket } from 'node:net';
import { ActorSystem, ManualClock, defineActor } from '../../../actors/index.ts';
import { encodeFrame, FrameDecoder, DEFAULT_HANDSHAKE_MAX_FRAME_BYTES } from '../../../actors/network/frame-decoder.ts';
import { ClientHandshake } from '../../../actors/network/handshake.ts';
import { configureLogging } from '../../../actors/observability/logger.ts';
import { Random, testSeed } from '../../support/random.ts';

const SECRET = 'pre-auth-secret';
const CAP = 16;
const HANDSHAKE_TIMEOUT_MS = 1000;

type Attack = 'garbage' | 'truncated' | 'oversized' | 'bad-response' | 'wrong-secret' | 'wrong-step' | 'silent' | 'hangup' | 'frame-burst';
const ATTACKS: readonly Attack[] = ['garbage', 'truncated', 'oversized', 'bad-response', 'wrong-secret', 'wrong-step', 'silent', 'hangup', 'frame-burst'];

function bytes(rnd: Random, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rnd.int(0, 255);
  return b;
}

function prefix(length: number): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, length);
  return h;
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

/** What `kind` of attack does with its socket; its random bytes are drawn now, so that a seed replays the same run. */
function plan(kind: Attack, rnd: Random): (socket: Socket) => void {
  switch (kind) {
    case 'garbage': { const b = bytes(rnd, rnd.int(1, 512)); return (s) => { s.write(b); }; }
    case 'truncated': {
      const frame = encodeFrame(bytes(rnd, rnd.int(1, DEFAULT_HANDSHAKE_MAX_FRAME_BYTES)));
      const part = frame.subarray(0, rnd.int(1, frame.length - 1));
      return (s) => { s.write(part); };
    }
    case 'oversized': {
      const head = prefix(rnd.int(DEFAULT_HANDSHAKE_MAX_FRAME_BYTES + 1, 0xffffffff));
      const body = bytes(rnd, rnd.int(0, 64 * 1024));
      return (s) => { s.write(head); s.write(body); };
    }
    case 'bad-response': { const f = encodeFrame(new Uint8Array([2, 1, ...bytes(rnd, 64)])); return (s) => { s.write(f); }; }
    case 'wrong-step': { const f = encodeFrame(new Uint8Array([rnd.pick([1, 3, 4]), 1, ...bytes(rnd, 64)])); return (s) => { s.write(f); }; }
    case 'wrong-secret': return (s) => {
      const handshake = new ClientHandshake('not-the-secret');
      const decoder = new FrameDecoder();
      s.on('data', (chunk: Uint8Array) => {
        for (const f of decoder.push(chunk)) s.write(encodeFrame(handshake.respond(f)));
      });
    };
    case 'silent': return () => {};
    case 'hangup': return (s) => { s.destroy(); };
    case 'frame-burst': {
      const frames = Array.from({ length: rnd.int(2, 50) }, () => encodeFrame(bytes(rnd, rnd.int(0, 100))));
      return (s) => { for (const f of frames) s.write(f); };
    }
  }
}

/** Opens a socket and runs `run` on it; resolves with a promise of its close. */
async function attack(port: number, run: (socket: Socket) => void): Promise<{ closed: Promise<void> }> {
  const socket = await new Promise<Socket>((resolve) => {
    const s = rawConnect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => { /* resets are one way these end */ });
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // Read, or the socket would not notice the listener closing it.
  socket.resume();
  run(socket);
  return { closed };
}

test('unauthenticated traffic is bounded and closed while an authenticated client keeps asking (fuzz)', async () => {
  const rnd = new Random(testSeed('pre-auth-fuzz'));
  // Rejections are logged as warnings; this test makes hundreds of them on purpose.
  configureLogging({ level: 'error' });
  const clock = new ManualClock();
  const server = ActorSystem.create('server');
  server.spawn(defineActor<null, { type: 'echo'; value: number }>({ init: () => null, receive: (_s, msg, ctx) => { ctx.reply(msg.value); } }), 'echo');
  const { port, address } = await server.listen(0, {
    secret: SECRET,
    connections: { maxUnauthenticatedConnections: CAP, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, frameStallTimeoutMs: 1000, clock },
  });
  const client = ActorSystem.create('client');
  await client.connect('127.0.0.1', port, { secret: SECRET });
  const echo = client.resolve(`${address}/user/echo`);
  const transport = server.remoteTransport();

  let stopped = false;
  let answered = 0;
  const pumps = Array.from({ length: 3 }, async (_, p) => {
    for (let n = p; !stopped; n += 3) {
      assert.is(await echo.ask({ type: 'echo', value: n }, 5000), n);
      answered++;
    }
  });
  // Pending connections hold at most one handshake frame each; the good one holds a part of an ask at most.
  const bound = (CAP + 1) * DEFAULT_HANDSHAKE_MAX_FRAME_BYTES;
  let peak = 0;
  const sample = (): void => {
    const { bufferedBytes, pendingHandshakes } = transport.inbound!;
    peak = Math.max(peak, bufferedBytes);
    assert.ok(bufferedBytes <= bound, `${bufferedBytes} bytes buffered, over the bound of ${bound}`);
    assert.ok(pendingHandshakes <= CAP, `${pendingHandshakes} connections in their handshake, over the cap of ${CAP}`);
  };

  const rounds = 12;
  let attackers = 0;
  for (let round = 0; round < rounds; round++) {
    const answeredBefore = answered;
    const kinds = Array.from({ length: rnd.int(1, 2 * CAP + 8) }, () => rnd.pick(ATTACKS));
    const rejectedBefore = transport.inbound!.rejected;
    const runs = kinds.map((k) => plan(k, rnd));
    const closes = await Promise.all(runs.map((run) => attack(port, run)));
    attackers += kinds.length;
    let closedCount = 0;
    for (const c of closes) void c.closed.then(() => { closedCount++; });
    // The listener has seen every socket: each was turned away already or waits in its handshake.
    await until(() => { sample(); const { rejected, pendingHandshakes } = transport.inbound!; return rejected + pendingHandshakes === rejectedBefore + kinds.length; });
    clock.advance(HANDSHAKE_TIMEOUT_MS);
    await until(() => { sample(); return closedCount === kinds.length; });
    await until(() => { sample(); return transport.inbound!.connections === 1 && answered > answeredBefore; });
    const inbound = transport.inbound!;
    assert.is(inbound.pendingHandshakes, 0, `round ${round}: no connection left in its handshake`);
    assert.is(inbound.bufferedBytes, 0, `round ${round}: nothing left buffered`);
  }
  stopped = true;
  await Promise.all(pumps);
  assert.is(transport.inbound!.rejected, attackers, 'every attacker was turned away');
  assert.is(transport.connections, 1, 'the authenticated connection stayed up throughout');
  console.log(`pre-auth fuzz: ${attackers} bad connections in ${rounds} rounds, ${answered} asks answered alongside, ` +
    `peak buffered ${peak} bytes (bound ${bound}), ${transport.inbound!.rejected} rejected`);
  await client.terminate();
  await server.terminate();
  configureLogging({});
});

test.run();
