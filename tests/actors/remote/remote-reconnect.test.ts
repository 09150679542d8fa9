// A lost connection is dialed again by the system that dialed it, with backoff on its clock (a
// ManualClock here: no test waits for time to pass), so that later tells and asks go through
// without calling connect again; in the gap, messages go to dead letters and asks fail at once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { RECONNECT_MAX_MS, RECONNECT_MIN_MS } from '../../../actors/remote/remote-transport.ts';
import { ActorNotAliveError, ActorSystem, defineActor, ManualClock, type ActorRef, type DeadLetter } from '../../../actors/index.ts';

type Msg = { type: 'echo'; value: unknown } | { type: 'record'; value: unknown };

function echoBehavior(log: unknown[]) {
  return defineActor<null, Msg>({
    init: () => null,
    receive(_s, msg, ctx) {
      if (msg.type === 'echo') ctx.reply(msg.value);
      else log.push(msg.value);
    },
  });
}

/** Waits (without letting virtual time pass) until `condition` holds; fails after 10 s of real time. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

const bare = (address: string): string => address.slice('actorflow://'.length);

async function startServer(port = 0) {
  const log: unknown[] = [];
  const server = ActorSystem.create('server');
  server.spawn(echoBehavior(log), 'echo');
  const listening = await server.listen(port);
  return { server, log, ...listening };
}

test('after the peer drops the connection, the dialing side redials after RECONNECT_MIN_MS; tells and asks go through again', async () => {
  const clock = new ManualClock();
  const { server, log, port, address } = await startServer();
  const client = ActorSystem.create('client', { clock });
  const letters: DeadLetter[] = [];
  client.onDeadLetter((letter) => letters.push(letter));
  await client.connect('127.0.0.1', port);
  const echo = client.resolve(`${address}/user/echo`) as ActorRef<Msg>;
  assert.is(await echo.ask({ type: 'echo', value: 1 }), 1);
  const transport = client.remoteTransport();
  server.remoteTransport().endpointOf(bare(client.address!))!.close();
  await until(() => !transport.isConnected(bare(address)), 'the client saw the connection close');
  assert.ok(transport.isReconnecting(bare(address)));
  // In the gap: a tell is a dead letter, an ask fails at once naming the lost connection.
  echo.tell({ type: 'record', value: 'in the gap' });
  const refused = await echo.ask({ type: 'echo', value: 2 }).catch((e: Error) => e);
  assert.instance(refused, ActorNotAliveError);
  assert.match((refused as Error).message, /the connection was lost, reconnecting to actorflow:\/\/server@127\.0\.0\.1:\d+/);
  assert.equal(letters.map((l) => [l.reason, l.recipient]), [['not-connected', echo.path], ['not-connected', echo.path]]);
  clock.advance(RECONNECT_MIN_MS - 1);
  assert.is(transport.isConnected(bare(address)), false, 'no redial before the backoff');
  clock.advance(1);
  await until(() => transport.isConnected(bare(address)), 'the client reconnected');
  echo.tell({ type: 'record', value: 'after' });
  assert.is(await echo.ask({ type: 'echo', value: 3 }), 3);
  assert.equal(log, ['after']);
  assert.is(transport.isReconnecting(bare(address)), false);
  await client.terminate(); await server.terminate();
});

test('a peer that is gone: redials back off (doubling up to RECONNECT_MAX_MS) until it listens again at the same port', async () => {
  const clock = new ManualClock();
  const first = await startServer();
  const client = ActorSystem.create('client', { clock });
  await client.connect('127.0.0.1', first.port);
  const peer = bare(first.address);
  const transport = client.remoteTransport();
  await first.server.terminate();
  await until(() => !transport.isConnected(peer), 'the client saw the connection close');
  // A stand-in on the port that hangs up on every connection: each redial fails its handshake.
  const sockets: Socket[] = [];
  const standIn: Server = createServer((socket) => { sockets.push(socket); socket.destroy(); });
  await new Promise<void>((resolve) => standIn.listen(first.port, '127.0.0.1', resolve));
  const delays: number[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    // Exactly one timer is waiting: the next redial. Find its delay by advancing to it.
    assert.is(clock.pending(), 1, `one redial pending before attempt ${attempt + 1}`);
    let waited = 0;
    while (clock.pending() === 1) { clock.advance(RECONNECT_MIN_MS / 4); waited += RECONNECT_MIN_MS / 4; }
    delays.push(waited);
    await until(() => sockets.length === attempt + 1 && clock.pending() === 1, `redial ${attempt + 1} failed and the next one is scheduled`);
  }
  assert.equal(delays, [100, 200, 400, 800, 1600, 3200, RECONNECT_MAX_MS, RECONNECT_MAX_MS]);
  await new Promise<void>((resolve) => standIn.close(() => resolve()));
  const second = await startServer(first.port);
  assert.is(second.address, first.address, 'the same system address again');
  clock.advance(RECONNECT_MAX_MS);
  await until(() => transport.isConnected(peer), 'the client reconnected to the restarted server');
  const echo = client.resolve(`${first.address}/user/echo`) as ActorRef<Msg>;
  assert.is(await echo.ask({ type: 'echo', value: 'back' }), 'back');
  await client.terminate(); await second.server.terminate();
});

test('no redial after terminate, and none for a connection this system accepted', async () => {
  const clock = new ManualClock();
  const serverClock = new ManualClock();
  const server = ActorSystem.create('server', { clock: serverClock });
  const { port } = await server.listen(0);
  const client = ActorSystem.create('client', { clock });
  await client.connect('127.0.0.1', port);
  await client.terminate();
  await until(() => server.remoteTransport().connections === 0, 'the server saw the client go');
  assert.is(serverClock.pending(), 0, 'the accepting side does not redial');
  assert.is(clock.pending(), 0, 'a terminated system does not redial');
  await server.terminate();
});

test.run();
