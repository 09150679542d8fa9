// Remote actors between two real processes: this test process and a peer process running
// fixtures/remote-peer.ts, on the runtime that runs the tests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActorSystem, defineActor, ManualClock, MessageTooLargeError, type ActorRef, type ActorTerminated, type DeadLetter,
} from '../../../actors/index.ts';
import { connect } from '../../../actors/network/connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../../../actors/network/frame-decoder.ts';
import { RECONNECT_MIN_MS } from '../../../actors/remote/remote-transport.ts';
import { startPeer, type PeerProcess } from './peer-process.ts';

const SECRET = 'two-process-secret';

/** An actor that hands every message it receives to `onMessage`. */
function probe(system: ActorSystem, name: string, onMessage: (msg: unknown) => void): ActorRef {
  return system.spawn(defineActor<null, unknown>({ init: () => null, receive: (_s, msg) => { onMessage(msg); } }), name);
}

/** An actor that watches the ref it is told about and reports the termination notice. */
function watcher(system: ActorSystem, name: string, onTerminated: (notice: ActorTerminated) => void): ActorRef<{ type: 'watch'; ref: ActorRef }> {
  return system.spawn(defineActor<null, { type: 'watch'; ref: ActorRef } | ActorTerminated>({
    init: () => null,
    receive: (_s, msg, ctx) => {
      if (msg.type === 'watch') ctx.watch(msg.ref);
      else onTerminated(msg);
    },
  }), name);
}

let peer: PeerProcess;
let system: ActorSystem;
let peerAddress: string;

test.before(async () => {
  peer = await startPeer(SECRET);
  system = ActorSystem.create('main');
  peerAddress = await system.connect('127.0.0.1', peer.port, { secret: SECRET });
});

test.after(async () => {
  await system.terminate();
  peer.child.stdin!.end();
  await peer.exited;
});

test('tell and ask round trip between processes; refs in replies resolve to the same remote ref', async () => {
  assert.match(peerAddress, /^actorflow:\/\/peer@127\.0\.0\.1:\d+$/);
  const echo = system.resolve(`${peerAddress}/user/echo`);
  const reply = await echo.ask<{ value: unknown; from: ActorRef }>({ type: 'peer.echo', value: { n: 1, list: [1, 2, 3] } }, 5000);
  assert.equal(reply.value, { n: 1, list: [1, 2, 3] });
  assert.is(reply.from, echo);
  const told = new Promise<unknown>((resolve) => probe(system, 'told', resolve));
  echo.tell({ type: 'peer.forward', n: 0, replyTo: system.resolve('actorflow://main/user/told') });
  assert.equal(await told, { type: 'peer.forwarded', n: 0, inOrder: true });
});

test('10k messages keep their order there and back', async () => {
  const echo = system.resolve(`${peerAddress}/user/immortal`);
  const N = 10_000;
  const received: number[] = [];
  let outOfOrderAtPeer = 0;
  const start = performance.now();
  const done = new Promise<void>((resolve) => {
    const sink = probe(system, 'ordered', (msg) => {
      const m = msg as { n: number; inOrder: boolean };
      received.push(m.n);
      if (!m.inOrder) outOfOrderAtPeer++;
      if (received.length === N) resolve();
    });
    for (let n = 0; n < N; n++) echo.tell({ type: 'peer.forward', n, replyTo: sink });
  });
  await done;
  const ms = performance.now() - start;
  console.log(`remote round trip: ${N} messages in ${ms.toFixed(0)} ms (${Math.round(N / (ms / 1000))} msg/s)`);
  assert.is(outOfOrderAtPeer, 0);
  const expected = Array.from({ length: N }, (_, i) => i);
  assert.equal(received, expected);
});

test('watching a remote actor that stops delivers actor.terminated with its remote ref', async () => {
  const mortal = system.resolve(`${peerAddress}/user/mortal`);
  const notice = new Promise<ActorTerminated>((resolve) => watcher(system, 'mortal-watcher', resolve).tell({ type: 'watch', ref: mortal }));
  mortal.tell({ type: 'peer.stop' });
  const got = await notice;
  assert.is(got.ref, mortal);
  assert.is(got.reason, 'stopped');
  await mortal.ask({ type: 'peer.echo', value: 1 }).then(() => assert.unreachable('stopped actor answered'),
    (e: Error) => assert.match(e.message, /not alive/));
});

test('a wrong-secret peer is refused and the good connection is unaffected', async () => {
  const other = ActorSystem.create('intruder');
  await other.connect('127.0.0.1', peer.port, { secret: 'wrong' }).then(() => assert.unreachable('authenticated with a wrong secret'),
    (e: Error) => assert.match(e.message, /authentication|closed during handshake/));
  await other.terminate();
  const echo = system.resolve(`${peerAddress}/user/echo`);
  assert.equal(await echo.ask<{ value: unknown }>({ type: 'peer.echo', value: 'still here' }).then((r) => r.value), 'still here');
});

test('a garbage frame closes only its own connection', async () => {
  let closedWith: Error | undefined;
  const closed = new Promise<void>((resolve) => {
    // Authenticated with the right secret; the garbage goes out once the peer's hello arrived,
    // so it is the peer's envelope decoding that rejects it.
    void connect('127.0.0.1', peer.port, { secret: SECRET }, {
      onFrame: (_f, c) => c.send(new Uint8Array([0xc1, 0xff, 0x00, 0x13])),
      onClose: (_c, error) => { closedWith = error; resolve(); },
    });
  });
  await closed;
  assert.is(closedWith, undefined, 'the peer closed it, the client did not fail');
  const echo = system.resolve(`${peerAddress}/user/echo`);
  assert.equal(await echo.ask<{ value: unknown }>({ type: 'peer.echo', value: 'after garbage' }).then((r) => r.value), 'after garbage');
});

test('kill -9 of the peer process: watchers learn the connection was lost, later asks fail fast', async () => {
  const victim = await startPeer(SECRET);
  const address = await system.connect('127.0.0.1', victim.port, { secret: SECRET });
  const immortal = system.resolve(`${address}/user/immortal`);
  assert.is((await immortal.ask<{ value: unknown }>({ type: 'peer.echo', value: 7 })).value, 7);
  const notice = new Promise<ActorTerminated>((resolve) => watcher(system, 'victim-watcher', resolve).tell({ type: 'watch', ref: immortal }));
  await system.whenIdle();
  victim.child.kill('SIGKILL');
  const got = await notice;
  assert.is(got.ref, immortal);
  assert.is(got.reason, 'connection-lost');
  assert.match(got.error ?? '', /connection to actorflow:\/\/peer@127\.0\.0\.1:\d+ lost/);
  await victim.exited;
  await immortal.ask({ type: 'peer.echo', value: 1 }).then(() => assert.unreachable('answered after kill'),
    (e: Error) => assert.match(e.message, /not alive/));
  const survivor = system.resolve(`${peerAddress}/user/echo`);
  assert.is((await survivor.ask<{ value: unknown }>({ type: 'peer.echo', value: 8 })).value, 8);
});

test('deferReply and forward across processes: the peer answers an ask later, or hands it to another actor', async () => {
  const echo = system.resolve(`${peerAddress}/user/immortal`);
  const later = echo.ask({ type: 'peer.later' }, 5000);
  await echo.ask({ type: 'peer.echo', value: 0 }, 5000);
  echo.tell({ type: 'peer.release', value: 'from a later turn' });
  assert.is(await later, 'from a later turn');
  const forwarded = await echo.ask<{ value: unknown; from: ActorRef }>({ type: 'peer.forward-ask', value: 'handed on' }, 5000);
  assert.equal(forwarded.value, 'handed on');
  assert.is(forwarded.from, system.resolve(`${peerAddress}/user/echo`), 'answered by the actor it was forwarded to');
});

test('a message over the frame limit is refused at the sender; an unrelated pending ask and later tells are unaffected', async () => {
  const echo = system.resolve(`${peerAddress}/user/immortal`);
  const letters: DeadLetter[] = [];
  const unsubscribe = system.onDeadLetter((letter) => letters.push(letter));
  const pending = echo.ask({ type: 'peer.later' }, 60_000);
  await echo.ask({ type: 'peer.echo', value: 0 });
  const big = { type: 'peer.echo', value: new Uint8Array(70 * 1024 * 1024) };
  assert.throws(() => echo.tell(big), (e: unknown) => e instanceof MessageTooLargeError
    && new RegExp(`is \\d+ bytes encoded, over the receiving system's frame limit of ${DEFAULT_MAX_FRAME_BYTES} bytes`).test(e.message));
  assert.instance(await echo.ask(big).catch((e: Error) => e), MessageTooLargeError);
  unsubscribe();
  assert.equal(letters.map((l) => l.reason), ['oversized', 'oversized']);
  echo.tell({ type: 'peer.release', value: 'still here' });
  assert.is(await pending, 'still here');
  const told = new Promise<unknown>((resolve) => probe(system, 'after-big', resolve));
  echo.tell({ type: 'peer.forward', n: 0, replyTo: system.resolve('actorflow://main/user/after-big') });
  assert.is((await told as { n: number }).n, 0);
});

test('the peer drops the connection: this system redials after the backoff on its clock, and asks go through again', async () => {
  const clock = new ManualClock();
  const client = ActorSystem.create('redialer', { clock });
  const address = await client.connect('127.0.0.1', peer.port, { secret: SECRET });
  const bare = address.slice('actorflow://'.length);
  const echo = client.resolve(`${address}/user/echo`);
  assert.equal((await echo.ask<{ value: unknown }>({ type: 'peer.echo', value: 1 })).value, 1);
  const transport = client.remoteTransport();
  const me = probe(client, 'me', () => {});
  echo.tell({ type: 'peer.drop-connection', of: me });
  const deadline = performance.now() + 10_000;
  while (transport.isConnected(bare) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.is(transport.isConnected(bare), false, 'the peer closed the connection');
  assert.match(await echo.ask({ type: 'peer.echo', value: 2 }).then(() => '', (e: Error) => e.message), /reconnecting/);
  clock.advance(RECONNECT_MIN_MS);
  while (!transport.isConnected(bare) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.equal((await echo.ask<{ value: unknown }>({ type: 'peer.echo', value: 3 })).value, 3);
  await client.terminate();
});

test.run();
