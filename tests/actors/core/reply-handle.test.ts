// Answering an ask later (ctx.deferReply) or from another actor (ctx.forward), in one process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActorSystem, AskTimeoutError, defineActor, MailboxOverflowError, ManualClock, type ActorRef, type DeferredReply,
} from '../../../actors/index.ts';

/** Resolves with the rejection of `promise`; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try { await promise; } catch (error) { return error as Error; }
  throw new assert.Assertion({ message: 'expected a rejection', generated: true, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

type Msg =
  | { type: 'later'; key: string }
  | { type: 'answer'; key: string; value: unknown }
  | { type: 'refuse'; key: string }
  | { type: 'twice'; key: string }
  | { type: 'crash-after-defer' }
  | { type: 'reply-then-defer' };

/** Defers every 'later' ask under a key; 'answer' / 'refuse' (tells) settle it in a later turn. */
function deferrer(results: boolean[] = []) {
  return defineActor<Map<string, DeferredReply>, Msg>({
    init: () => new Map(),
    receive(pending, msg, ctx) {
      switch (msg.type) {
        case 'later': pending.set(msg.key, ctx.deferReply()); return;
        case 'answer': results.push(pending.get(msg.key)!.reply(msg.value)); return;
        case 'refuse': results.push(pending.get(msg.key)!.fail(new Error(`refused ${msg.key}`))); return;
        case 'twice': {
          const handle = pending.get(msg.key)!;
          results.push(handle.reply('first'), handle.reply('second'), handle.fail(new Error('late')), handle.answered);
          return;
        }
        case 'crash-after-defer': ctx.deferReply(); throw new Error('crashed while holding an ask');
        case 'reply-then-defer': ctx.reply('replied first'); results.push(ctx.deferReply().reply('deferred')); return;
      }
    },
  });
}

test('deferReply: the ask is answered from a later turn, after other asks were answered', async () => {
  const system = ActorSystem.create('defer');
  const ref = system.spawn(deferrer(), 'deferrer');
  const a = ref.ask({ type: 'later', key: 'a' });
  const b = ref.ask({ type: 'later', key: 'b' });
  ref.tell({ type: 'answer', key: 'b', value: 'B' });
  assert.is(await b, 'B');
  ref.tell({ type: 'refuse', key: 'a' });
  assert.match((await rejection(a)).message, /refused a/);
  await system.terminate();
});

test('deferReply: the first answer wins; later ones return false and change nothing', async () => {
  const system = ActorSystem.create('defer-twice');
  const results: boolean[] = [];
  const ref = system.spawn(deferrer(results), 'deferrer');
  const asked = ref.ask({ type: 'later', key: 'k' });
  ref.tell({ type: 'twice', key: 'k' });
  assert.is(await asked, 'first');
  assert.equal(results, [true, false, false, true]);
  const early = await ref.ask({ type: 'reply-then-defer' });
  assert.is(early, 'replied first', 'a reply given before deferReply in the same receive is the answer');
  assert.equal(results.slice(4), [false]);
  await system.terminate();
});

test('deferReply: the ask still times out on the system clock; a later answer is ignored', async () => {
  const clock = new ManualClock();
  const system = ActorSystem.create('defer-timeout', { clock });
  const results: boolean[] = [];
  const ref = system.spawn(deferrer(results), 'deferrer');
  const asked = ref.ask({ type: 'later', key: 'k' }, 1000);
  await system.whenIdle();
  clock.advance(1000);
  assert.instance(await rejection(asked), AskTimeoutError);
  ref.tell({ type: 'answer', key: 'k', value: 'too late' });
  await system.whenIdle();
  assert.equal(results, [true], 'the handle had not answered yet; the asker was gone');
  await system.terminate();
});

test('deferReply during a tell has nothing to answer; a receive that throws after deferring fails the ask', async () => {
  const system = ActorSystem.create('defer-tell');
  let handle: DeferredReply | undefined;
  const ref = system.spawn(defineActor<null, { type: 'tell' } | { type: 'crash' }>({
    init: () => null,
    receive(_s, msg, ctx) {
      if (msg.type === 'tell') { handle = ctx.deferReply(); return; }
      ctx.deferReply();
      throw new Error('crashed while holding an ask');
    },
  }), 'a');
  ref.tell({ type: 'tell' });
  await system.whenIdle();
  assert.is(handle!.answered, true);
  assert.is(handle!.reply(1), false);
  assert.match((await rejection(ref.ask({ type: 'crash' }))).message, /crashed while holding an ask/);
  await system.terminate();
});

test('a receive that neither replies, defers nor forwards still answers undefined', async () => {
  const system = ActorSystem.create('no-reply');
  const ref = system.spawn(defineActor<null, unknown>({ init: () => null, receive: () => undefined }), 'quiet');
  assert.is(await ref.ask({ type: 'anything' }), undefined);
  await system.terminate();
});

type FrontMsg = { type: 'job'; n: number; worker: ActorRef } | { type: 'tell-on'; worker: ActorRef; n: number };

const worker = defineActor<number[], { type: 'job'; n: number }>({
  init: () => [],
  receive(seen, msg, ctx) {
    seen.push(msg.n);
    ctx.reply({ doubled: msg.n * 2, by: ctx.self.path, seen: seen.length });
  },
});

const front = defineActor<null, FrontMsg>({
  init: () => null,
  receive(_s, msg, ctx) {
    if (msg.type === 'job') {
      ctx.forward(msg.worker, { type: 'job', n: msg.n });
      ctx.reply('ignored: the ask was handed on');
      return;
    }
    ctx.forward(msg.worker, { type: 'job', n: msg.n }); // during a tell: a plain tell
  },
});

test('forward: the other actor answers the original ask; the forwarder cannot answer it any more', async () => {
  const system = ActorSystem.create('forward');
  const w = system.spawn(worker, 'worker');
  const f = system.spawn(front, 'front');
  assert.equal(await f.ask({ type: 'job', n: 21, worker: w }), { doubled: 42, by: 'actorflow://forward/user/worker', seen: 1 });
  f.tell({ type: 'tell-on', worker: w, n: 1 });
  await system.whenIdle();
  assert.equal(await w.ask({ type: 'job', n: 2 }), { doubled: 4, by: 'actorflow://forward/user/worker', seen: 3 });
  await system.terminate();
});

test('forward to a stopped actor or a full fail mailbox rejects the original ask at once', async () => {
  const system = ActorSystem.create('forward-dead');
  const w = system.spawn(worker, 'worker');
  const f = system.spawn(front, 'front');
  await system.stop(w);
  assert.is((await rejection(f.ask({ type: 'job', n: 1, worker: w }))).name, 'ActorNotAliveError');
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const busy = system.spawn(defineActor<null, { type: 'job'; n: number }>({
    init: () => null,
    receive: (_s, msg) => (msg.n === 0 ? new Promise<void>((r) => { release = r; holding(); }) : undefined),
  }), 'busy', { mailbox: { capacity: 1, overflow: 'fail' } });
  busy.tell({ type: 'job', n: 0 }); // holds the mailbox
  await held;
  busy.tell({ type: 'job', n: 1 }); // fills it
  assert.instance(await rejection(f.ask({ type: 'job', n: 2, worker: busy })), MailboxOverflowError);
  release();
  await system.terminate();
});

test('serializeMessages: a deferred reply is a copy, and one that cannot be encoded fails the ask', async () => {
  const system = ActorSystem.create('defer-serialize', { serializeMessages: true });
  const ref = system.spawn(deferrer(), 'deferrer');
  const value = { nested: [1, 2] };
  const a = ref.ask({ type: 'later', key: 'a' });
  ref.tell({ type: 'answer', key: 'a', value });
  const got = await a;
  assert.equal(got, value);
  assert.is.not(got, value);
  // The tells carry only encodable data; the handle's answer is what cannot be encoded.
  const handleOwner = system.spawn(defineActor<DeferredReply | null, { type: 'hold' } | { type: 'bad' }>({
    init: () => null,
    receive(state, msg, ctx) {
      if (msg.type === 'hold') return ctx.deferReply();
      state!.reply({ fn: () => 1 });
    },
  }), 'holder');
  const held = handleOwner.ask({ type: 'hold' });
  handleOwner.tell({ type: 'bad' });
  assert.match((await rejection(held)).message, /not msgpack-encodable/);
  await system.terminate();
});

test('persistence: a deferred reply given in a later receive waits until that receive\'s state is written', async () => {
  const system = ActorSystem.create('defer-persist');
  type PMsg = { type: 'hold' } | { type: 'bump' };
  let handle: DeferredReply | undefined;
  const ref = system.spawn(defineActor<{ n: number }, PMsg>({
    init: () => ({ n: 0 }),
    receive(state, msg, ctx) {
      if (msg.type === 'hold') { handle = ctx.deferReply(); return; }
      handle!.reply(state.n + 1);
      return { n: state.n + 1 };
    },
    persistence: { key: 'defer-persist', snapshotEvery: 100 },
  }), 'p');
  const held = ref.ask({ type: 'hold' });
  ref.tell({ type: 'bump' });
  assert.is(await held, 1);
  // snapshotEvery 100 writes no tell on its own: the state is in KV already only because the
  // deferred answer waited for it. Another actor on the same key reads it back.
  const again = system.spawn(defineActor<{ n: number }, { type: 'get' }>({
    init: () => ({ n: -1 }),
    receive: (state, _m, ctx) => { ctx.reply(state.n); },
    persistence: { key: 'defer-persist' },
  }), 'p2');
  assert.is(await again.ask({ type: 'get' }), 1);
  await system.terminate();
});

test.run();
