// Remote traffic between two actor systems in one process, over real loopback connections.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../../actors/network/connection.ts';
import { encode } from '../../../actors/network/codec.ts';
import { DEVELOPMENT_SECRET } from '../../../actors/remote/remote-transport.ts';
import { ActorNotAliveError, ActorSystem, AskTimeoutError, ManualClock, NotEncodableError, defineActor, type ActorRef, type ActorTerminated } from '../../../actors/index.ts';

type EchoMessage =
  | { type: 'echo'; value: unknown }
  | { type: 'hold' }
  | { type: 'send-to'; target: ActorRef; value: unknown }
  | { type: 'stop-self' };

/** Releases of the asks an actor holds unanswered (an actor busy with one cannot stop). */
const held: (() => void)[] = [];
const releaseHeld = (): void => { for (const release of held.splice(0)) release(); };

const echoBehavior = defineActor<null, EchoMessage>({
  init: () => null,
  receive(_s, msg, ctx) {
    switch (msg.type) {
      case 'echo': ctx.reply({ value: msg.value, self: ctx.self }); return;
      case 'hold': return new Promise<void>((release) => { held.push(release); }); // answers once released
      case 'send-to': msg.target.tell(msg.value); return;
      case 'stop-self': void ctx.stop(ctx.self); return;
    }
  },
});

function recorder(system: ActorSystem, name: string): { ref: ActorRef; got: unknown[]; next: () => Promise<unknown> } {
  const got: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  const ref = system.spawn(defineActor<null, unknown>({
    init: () => null,
    receive: (_s, msg, ctx) => {
      const m = msg as { type?: string; ref?: ActorRef };
      if (m.type === 'watch' && m.ref) { ctx.watch(m.ref); return; }
      if (m.type === 'unwatch' && m.ref) { ctx.unwatch(m.ref); return; }
      got.push(msg);
      waiters.shift()?.(msg);
    },
  }), name);
  const next = () => new Promise<unknown>((resolve) => waiters.push(resolve));
  return { ref, got, next };
}

async function pair(clientClock?: ManualClock) {
  const server = ActorSystem.create('server');
  const client = ActorSystem.create('client', clientClock ? { clock: clientClock } : {});
  const echo = server.spawn(echoBehavior, 'echo');
  server.spawn(echoBehavior, 'holder');
  const { port, address } = await server.listen(0);
  const connected = await client.connect('127.0.0.1', port);
  const remoteHolder = client.resolve(`${address}/user/holder`);
  return { server, client, echo, port, address, connected, remoteEcho: client.resolve(`${address}/user/echo`), remoteHolder };
}

test('listen defaults to loopback and names the system by host and port', async () => {
  const { server, client, port, address, connected } = await pair();
  assert.is(address, `actorflow://server@127.0.0.1:${port}`);
  assert.is(connected, address);
  assert.is(server.address, address);
  await client.terminate(); await server.terminate();
});

test('without a secret, listening beyond loopback is refused', async () => {
  const system = ActorSystem.create('open');
  await system.listen(0, { host: '0.0.0.0' }).then(() => assert.unreachable('listened without a secret'),
    (e: Error) => assert.match(e.message, /needs a cluster secret/));
  await system.terminate();
});

test('a ref travels as a path: the receiver gets its own actor back as the local ref, a third actor as a remote ref', async () => {
  const { server, client, echo, remoteEcho } = await pair();
  const reply = await remoteEcho.ask<{ value: unknown; self: ActorRef }>({ type: 'echo', value: 'x' });
  assert.is(reply.self, remoteEcho, 'the remote ref is cached per path');
  const box = recorder(client, 'box');
  const arrived = box.next();
  // The server's echo receives the client's box ref and a ref to itself, and sends both back.
  remoteEcho.tell({ type: 'send-to', target: box.ref, value: { mine: box.ref, theirs: remoteEcho } });
  const got = await arrived as { mine: ActorRef; theirs: ActorRef };
  assert.is(got.mine, box.ref, 'own ref resolved to the local ref');
  assert.is(got.theirs, remoteEcho);
  assert.is(server.resolve(`${server.address}/user/echo`), echo, 'an own qualified path is local');
  await client.terminate(); await server.terminate();
});

test('ask times out on the asking system clock', async () => {
  const clock = new ManualClock();
  const { server, client, remoteEcho, remoteHolder } = await pair(clock);
  const pending = remoteHolder.ask({ type: 'hold' }, 1000);
  let settled = false;
  void pending.then(() => { settled = true; }, () => { settled = true; });
  await remoteEcho.ask({ type: 'echo', value: 1 }, 1000); // the hold has reached the server
  clock.advance(999);
  await Promise.resolve();
  assert.is(settled, false);
  clock.advance(1);
  await pending.then(() => assert.unreachable('answered'), (e) => assert.instance(e, AskTimeoutError));
  releaseHeld();
  await client.terminate(); await server.terminate();
});

test('an ask to a missing remote actor fails with the peer\'s not-alive error; the peer counts a dead letter', async () => {
  const { server, client, address } = await pair();
  const ghost = client.resolve(`${address}/user/ghost`);
  await ghost.ask({ type: 'echo', value: 1 }).then(() => assert.unreachable('answered'), (e: Error) => {
    assert.is(e.name, 'ActorNotAliveError');
    assert.match(e.message, /actor actorflow:\/\/server\/user\/ghost is not alive/);
  });
  const before = server.deadLetters;
  ghost.tell({ type: 'echo', value: 2 });
  await client.resolve(`${address}/user/echo`).ask({ type: 'echo', value: 3 });
  assert.is(server.deadLetters, before + 1);
  await client.terminate(); await server.terminate();
});

test('a message that cannot be encoded fails at tell and ask', async () => {
  const { server, client, remoteEcho } = await pair();
  assert.throws(() => remoteEcho.tell({ type: 'echo', value: () => 1 }), (e: unknown) => e instanceof NotEncodableError);
  await remoteEcho.ask({ type: 'echo', value: Symbol('s') }).then(() => assert.unreachable('sent'), (e) => assert.instance(e, NotEncodableError));
  await client.terminate(); await server.terminate();
});

test('a path with no connection: tell is a dead letter, ask fails, watch reports the connection lost', async () => {
  const system = ActorSystem.create('alone');
  await system.listen(0);
  const nowhere = system.resolve('actorflow://far@127.0.0.1:1/user/x');
  nowhere.tell({ type: 'echo', value: 1 });
  assert.is(system.deadLetters, 1);
  await nowhere.ask({}).then(() => assert.unreachable('answered'), (e) => assert.instance(e, ActorNotAliveError));
  const box = recorder(system, 'box');
  const notice = box.next();
  box.ref.tell({ type: 'watch', ref: nowhere });
  assert.is((await notice as ActorTerminated).reason, 'connection-lost');
  await system.terminate();
});

test('watch: a stopped remote actor is reported; an unwatched one is not', async () => {
  const { server, client, address } = await pair();
  const a = server.spawn(echoBehavior, 'a');
  const b = server.spawn(echoBehavior, 'b');
  const remoteA = client.resolve(`${address}/user/a`);
  const remoteB = client.resolve(`${address}/user/b`);
  const box = recorder(client, 'box');
  box.ref.tell({ type: 'watch', ref: remoteA });
  box.ref.tell({ type: 'watch', ref: remoteB });
  box.ref.tell({ type: 'unwatch', ref: remoteB });
  await client.whenIdle();
  await remoteA.ask({ type: 'echo', value: 0 }); // watch frames have arrived
  await server.whenIdle();
  const noticeA = box.next();
  await server.stop(b);
  await server.stop(a);
  const got = await noticeA as ActorTerminated;
  assert.is(got.ref, remoteA);
  assert.is(got.reason, 'stopped');
  await server.whenIdle();
  await client.resolve(`${address}/user/echo`).ask({ type: 'echo', value: 1 }); // after any notice on the wire
  await client.whenIdle();
  assert.equal(box.got.map((m) => (m as ActorTerminated).ref.path), [remoteA.path]);
  await client.terminate(); await server.terminate();
});

test('a terminated peer: watchers get connection-lost', async () => {
  const { server, client, remoteEcho } = await pair();
  const box = recorder(client, 'box');
  box.ref.tell({ type: 'watch', ref: remoteEcho });
  await client.whenIdle();
  const notice = box.next();
  await server.terminate();
  const got = await notice as ActorTerminated;
  assert.is(got.reason, 'connection-lost');
  assert.is(got.ref, remoteEcho);
  assert.match(got.error ?? '', /connection to actorflow:\/\/server@127\.0\.0\.1:\d+ lost/);
  await client.terminate();
});

test('a lost connection rejects the asks waiting on it', async () => {
  const { server, client, remoteEcho, remoteHolder } = await pair();
  const pending = remoteHolder.ask({ type: 'hold' }, 60_000);
  await remoteEcho.ask({ type: 'echo', value: 0 });
  await client.terminate();
  await pending.then(() => assert.unreachable('answered'), (e: Error) => assert.match(e.message, /connection to actorflow:\/\/server@127\.0\.0\.1:\d+ lost/));
  releaseHeld();
  await server.terminate();
});

test('one connection per pair: a repeated dial and a dial back reuse it', async () => {
  const { server, client, port, address, remoteEcho } = await pair();
  assert.is(await client.connect('127.0.0.1', port), address);
  const { port: clientPort } = await client.listen(0);
  // The client announced an unbound address when it dialed; the server still routes to it.
  const box = recorder(client, 'box');
  const arrived = box.next();
  remoteEcho.tell({ type: 'send-to', target: box.ref, value: 'via first connection' });
  assert.is(await arrived, 'via first connection');
  const back = await server.connect('127.0.0.1', clientPort);
  assert.match(back, /^actorflow:\/\/client@127\.0\.0\.1:\d+$/);
  assert.equal((await remoteEcho.ask<{ value: unknown }>({ type: 'echo', value: 'still' })).value, 'still');
  await client.terminate(); await server.terminate();
});

test('simultaneous dials between two listening systems settle on one working connection', async () => {
  const left = ActorSystem.create('left');
  const right = ActorSystem.create('right');
  left.spawn(echoBehavior, 'echo');
  right.spawn(echoBehavior, 'echo');
  const l = await left.listen(0);
  const r = await right.listen(0);
  await Promise.allSettled([left.connect('127.0.0.1', r.port), right.connect('127.0.0.1', l.port)]);
  const toRight = left.resolve(`${r.address}/user/echo`);
  const toLeft = right.resolve(`${l.address}/user/echo`);
  for (let i = 0; i < 3; i++) {
    await left.connect('127.0.0.1', r.port).catch(() => {});
    await right.connect('127.0.0.1', l.port).catch(() => {});
  }
  assert.equal((await toRight.ask<{ value: unknown }>({ type: 'echo', value: 'r' })).value, 'r');
  assert.equal((await toLeft.ask<{ value: unknown }>({ type: 'echo', value: 'l' })).value, 'l');
  await left.terminate(); await right.terminate();
});

test('serializeMessages systems keep remote refs inside messages', async () => {
  const server = ActorSystem.create('server', { serializeMessages: true });
  const client = ActorSystem.create('client', { serializeMessages: true });
  server.spawn(echoBehavior, 'echo');
  const { port, address } = await server.listen(0);
  await client.connect('127.0.0.1', port);
  const remoteEcho = client.resolve(`${address}/user/echo`);
  const box = recorder(client, 'box');
  const arrived = box.next();
  // Through the client's own mailbox (a serializing round trip) and on to the server.
  const relay = client.spawn(echoBehavior, 'relay');
  relay.tell({ type: 'send-to', target: remoteEcho, value: { type: 'send-to', target: box.ref, value: 'relayed' } });
  assert.is(await arrived, 'relayed');
  await client.terminate(); await server.terminate();
});

test('malformed envelopes close only the connection that sent them', async () => {
  const { server, client, remoteEcho, port } = await pair();
  const hello = [0, 'raw@127.0.0.1:1'];
  const bad = [encode(42), encode([hello, [99, 'x']]), encode([hello, [1, 'no-leading-slash', {}]]), encode([hello, hello]), encode([[0, 7]])];
  for (const payload of bad) {
    const closed = new Promise<void>((resolve) => {
      void connect('127.0.0.1', port, { secret: DEVELOPMENT_SECRET }, {
        onFrame: (_f, c) => c.send(payload), // after the server's hello
        onClose: () => resolve(),
      });
    });
    await closed;
  }
  // A frame before the hello: the dialer speaks first instead of waiting for the acceptor.
  let closeEarly!: () => void;
  const earlyClosed = new Promise<void>((resolve) => { closeEarly = resolve; });
  const early = await connect('127.0.0.1', port, { secret: DEVELOPMENT_SECRET }, { onFrame: () => {}, onClose: () => closeEarly() });
  early.send(encode([[1, '/user/echo', { type: 'echo', value: 1 }]]));
  await earlyClosed;
  assert.equal((await remoteEcho.ask<{ value: unknown }>({ type: 'echo', value: 'unaffected' })).value, 'unaffected');
  await client.terminate(); await server.terminate();
});

test.run();
