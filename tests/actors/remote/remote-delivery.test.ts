// What the actor API promises across a connection, between two systems in one process over real
// loopback connections: deferred and forwarded replies, bounded mailboxes, dead letters, and
// messages over the receiver's frame limit refused at the sender without harming the connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_MAX_FRAME_BYTES } from '../../../actors/network/frame-decoder.ts';
import {
  ActorSystem, AskTimeoutError, defineActor, MessageTooLargeError, ManualClock, type ActorRef, type DeadLetter, type DeferredReply,
} from '../../../actors/index.ts';

type Msg =
  | { type: 'echo'; value: unknown }
  | { type: 'later' }
  | { type: 'release'; value: unknown }
  | { type: 'hold' }
  | { type: 'big-reply'; bytes: number }
  | { type: 'front'; to: ActorRef; value: unknown }
  | { type: 'record'; value: unknown };

/** Releases of the mailboxes held by 'hold' (a held actor cannot take another message). */
const holds: (() => void)[] = [];
const releaseHolds = (): void => { for (const release of holds.splice(0)) release(); };

/** One behaviour for every role: echo, deferred answers, a held mailbox, forwarding, recording. */
function behavior(log: unknown[] = []) {
  const later: DeferredReply[] = [];
  return defineActor<null, Msg>({
    init: () => null,
    receive(_s, msg, ctx) {
      switch (msg.type) {
        case 'echo': ctx.reply({ value: msg.value, by: ctx.self.path }); return;
        case 'later': later.push(ctx.deferReply()); return;
        case 'release': for (const h of later.splice(0)) h.reply(msg.value); return;
        case 'hold': return new Promise<void>((resolve) => { holds.push(resolve); });
        case 'big-reply': ctx.reply(new Uint8Array(msg.bytes)); return;
        case 'front': ctx.forward(msg.to, { type: 'echo', value: msg.value }); return;
        case 'record': log.push(msg.value); return;
      }
    },
  });
}

async function pair(clientClock?: ManualClock) {
  const server = ActorSystem.create('server');
  const client = ActorSystem.create('client', clientClock ? { clock: clientClock } : {});
  const serverLog: unknown[] = [];
  server.spawn(behavior(serverLog), 'echo');
  const { port, address } = await server.listen(0);
  await client.connect('127.0.0.1', port);
  const remote = (name: string) => client.resolve(`${address}/user/${name}`) as ActorRef<Msg>;
  return { server, client, address, serverLog, remote, close: async () => { await client.terminate(); await server.terminate(); } };
}

function letters(system: ActorSystem): DeadLetter[] {
  const got: DeadLetter[] = [];
  system.onDeadLetter((letter) => got.push(letter));
  return got;
}

test('deferReply answers a remote ask from a later turn; the remote ask still times out on the asker clock', async () => {
  const clock = new ManualClock();
  const { remote, close } = await pair(clock);
  const echo = remote('echo');
  const a = echo.ask({ type: 'later' }, 1000);
  await echo.ask({ type: 'echo', value: 0 }, 1000); // 'later' has been received
  echo.tell({ type: 'release', value: 'answered later' });
  assert.is(await a, 'answered later');
  const b = echo.ask({ type: 'later' }, 1000);
  await echo.ask({ type: 'echo', value: 0 }, 1000);
  clock.advance(1000);
  assert.instance(await b.catch((e: Error) => e), AskTimeoutError);
  echo.tell({ type: 'release', value: 'too late' }); // ignored by the asking side
  assert.equal((await echo.ask<{ value: unknown }>({ type: 'echo', value: 'after' }, 1000)).value, 'after');
  await close();
});

test('forward: a local actor hands an ask to a remote one, and a remote ask is handed to a local one', async () => {
  const { server, client, remote, close } = await pair();
  const front = client.spawn(behavior(), 'front');
  const reply = await front.ask<{ value: unknown; by: string }>({ type: 'front', to: remote('echo'), value: 'via front' });
  assert.equal(reply, { value: 'via front', by: 'actorflow://server/user/echo' });
  server.spawn(behavior(), 'server-front');
  // The ref to the server's echo arrives at the server as its own local ref.
  const back = await remote('server-front').ask<{ value: unknown; by: string }>({ type: 'front', to: remote('echo'), value: 'forwarded on the server' });
  assert.equal(back, { value: 'forwarded on the server', by: 'actorflow://server/user/echo' });
  await close();
});

test('a full bounded mailbox: a remote tell becomes a dead letter on the receiving system, a remote ask fails; the connection stays up', async () => {
  const { server, remote, close } = await pair();
  const serverLetters = letters(server);
  server.spawn(behavior(), 'bounded', { mailbox: { capacity: 1, overflow: 'fail' } });
  const bounded = remote('bounded');
  const held = bounded.ask({ type: 'hold' }, 60_000);
  await remote('echo').ask({ type: 'echo', value: 0 });
  bounded.tell({ type: 'record', value: 1 }); // fills it
  bounded.tell({ type: 'record', value: 2 }); // overflows
  const refused = await bounded.ask({ type: 'echo', value: 3 }).catch((e: Error) => e) as Error;
  assert.is(refused.name, 'MailboxOverflowError');
  assert.match(refused.message, /mailbox of actor actorflow:\/\/server\/user\/bounded is full \(capacity 1\)/);
  assert.equal(serverLetters.map((l) => [l.reason, l.message]), [
    ['mailbox-overflow', { type: 'record', value: 2 }],
    ['mailbox-overflow', { type: 'echo', value: 3 }],
  ]);
  releaseHolds();
  await held;
  assert.equal((await remote('echo').ask<{ value: unknown }>({ type: 'echo', value: 'up' })).value, 'up');
  await close();
});

test('a message over the frame limit is refused at the sender; a pending unrelated ask and later tells are unaffected', async () => {
  const { client, remote, serverLog, close } = await pair();
  const clientLetters = letters(client);
  const echo = remote('echo');
  const pending = echo.ask({ type: 'later' }, 60_000);
  await echo.ask({ type: 'echo', value: 0 });
  const big = new Uint8Array(DEFAULT_MAX_FRAME_BYTES + 1024);
  let thrown: unknown;
  try { echo.tell({ type: 'record', value: big }); } catch (error) { thrown = error; }
  assert.instance(thrown, MessageTooLargeError);
  assert.match((thrown as Error).message,
    new RegExp(`message 'record' to actorflow://server@127\\.0\\.0\\.1:\\d+/user/echo is \\d+ bytes encoded, over the receiving system's frame limit of ${DEFAULT_MAX_FRAME_BYTES} bytes`));
  assert.ok((thrown as MessageTooLargeError).size > DEFAULT_MAX_FRAME_BYTES);
  assert.is((thrown as MessageTooLargeError).limit, DEFAULT_MAX_FRAME_BYTES);
  const asked = await echo.ask({ type: 'echo', value: big }).catch((e: Error) => e);
  assert.instance(asked, MessageTooLargeError);
  assert.equal(clientLetters.map((l) => [l.reason, (l.message as { type: string }).type]), [['oversized', 'record'], ['oversized', 'echo']]);
  echo.tell({ type: 'release', value: 'still connected' });
  assert.is(await pending, 'still connected');
  echo.tell({ type: 'record', value: 'after' });
  await echo.ask({ type: 'echo', value: 1 });
  assert.equal(serverLog, ['after']);
  await close();
});

test('a reply over the frame limit fails the ask with the sender-side error; messages that fit go out in frames under the limit', async () => {
  const { remote, serverLog, close } = await pair();
  const echo = remote('echo');
  const failed = await echo.ask({ type: 'big-reply', bytes: DEFAULT_MAX_FRAME_BYTES }).catch((e: Error) => e) as Error;
  assert.is(failed.name, 'MessageTooLargeError');
  assert.match(failed.message, /over the receiving system's frame limit/);
  // Three messages of 40% of the limit each, sent in one turn: together over the limit, so they
  // must leave in more than one frame (one frame would make the receiver close the connection).
  const part = Math.floor(DEFAULT_MAX_FRAME_BYTES * 0.4);
  for (let i = 0; i < 3; i++) echo.tell({ type: 'record', value: new Uint8Array(part).fill(i + 1) });
  await echo.ask({ type: 'echo', value: 'done' }, 30_000);
  assert.equal(serverLog.map((v) => [(v as Uint8Array).length, (v as Uint8Array)[part - 1]]), [[part, 1], [part, 2], [part, 3]]);
  await close();
});

test.run();
