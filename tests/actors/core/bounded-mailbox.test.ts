// Bounded mailboxes: spawn(..., { mailbox: { capacity, overflow } }). Overflowing messages go to
// dead letters (drop-new, drop-old) or are refused at the sender (fail); death-watch notices and
// lifecycle work (stop, supervision) are never dropped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActorSystem, defineActor, MailboxOverflowError, type ActorRef, type ActorTerminated, type DeadLetter, type MailboxOptions,
} from '../../../actors/index.ts';

type Msg = { type: 'hold' } | { type: 'n'; n: number } | { type: 'boom' } | { type: 'watch'; ref: ActorRef } | ActorTerminated;

/** An actor that holds its mailbox on 'hold' until released, and records what it processed. */
async function heldActor(system: ActorSystem, name: string, mailbox: MailboxOptions) {
  const seen: unknown[] = [];
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const ref = system.spawn(defineActor<null, Msg>({
    init: () => null,
    receive(_s, msg, ctx) {
      if (msg.type === 'hold') return new Promise<void>((r) => { release = r; holding(); });
      if (msg.type === 'boom') throw new Error('boom');
      if (msg.type === 'watch') { ctx.watch(msg.ref); return; }
      seen.push(msg.type === 'n' ? msg.n : msg.type);
      ctx.reply(msg.type === 'n' ? msg.n : undefined);
    },
  }), name, { mailbox });
  ref.tell({ type: 'hold' });
  await held;
  return { ref, seen, release: () => release() };
}

function letters(system: ActorSystem): DeadLetter[] {
  const got: DeadLetter[] = [];
  system.onDeadLetter((letter) => got.push(letter));
  return got;
}

test('drop-new: a full mailbox drops the new messages to dead letters; a dropped ask rejects at once', async () => {
  const system = ActorSystem.create('drop-new');
  const got = letters(system);
  const a = await heldActor(system, 'a', { capacity: 3, overflow: 'drop-new' });
  for (let n = 0; n < 10; n++) a.ref.tell({ type: 'n', n });
  const dropped = await a.ref.ask({ type: 'n', n: 99 }).catch((e: Error) => e) as Error;
  assert.instance(dropped, MailboxOverflowError);
  assert.match(dropped.message, /mailbox of actor actorflow:\/\/drop-new\/user\/a is full \(capacity 3\): message 'n' dropped/);
  a.release();
  await system.whenIdle();
  assert.equal(a.seen, [0, 1, 2]);
  assert.equal(got.map((l) => (l.message as { n: number }).n), [3, 4, 5, 6, 7, 8, 9, 99]);
  assert.ok(got.every((l) => l.reason === 'mailbox-overflow' && l.recipient === a.ref.path));
  await system.terminate();
});

test('drop-old: a full mailbox drops the oldest waiting message; its ask rejects', async () => {
  const system = ActorSystem.create('drop-old');
  const got = letters(system);
  const a = await heldActor(system, 'a', { capacity: 3, overflow: 'drop-old' });
  const first = a.ref.ask({ type: 'n', n: 0 });
  for (let n = 1; n < 10; n++) a.ref.tell({ type: 'n', n });
  assert.instance(await first.catch((e) => e), MailboxOverflowError);
  a.release();
  await system.whenIdle();
  assert.equal(a.seen, [7, 8, 9]);
  assert.equal(got.map((l) => (l.message as { n: number }).n), [0, 1, 2, 3, 4, 5, 6]);
  await system.terminate();
});

test('fail: a tell to a full mailbox throws at the sender, naming the actor and capacity; an ask rejects', async () => {
  const system = ActorSystem.create('fail');
  const got = letters(system);
  const a = await heldActor(system, 'a', { capacity: 2, overflow: 'fail' });
  a.ref.tell({ type: 'n', n: 0 });
  a.ref.tell({ type: 'n', n: 1 });
  assert.throws(() => a.ref.tell({ type: 'n', n: 2 }), (e: unknown) =>
    e instanceof MailboxOverflowError && /actorflow:\/\/fail\/user\/a is full \(capacity 2\): message 'n' rejected/.test(e.message));
  assert.instance(await a.ref.ask({ type: 'n', n: 3 }).catch((e) => e), MailboxOverflowError);
  a.release();
  await system.whenIdle();
  assert.equal(a.seen, [0, 1]);
  assert.equal(got.map((l) => (l.message as { n: number }).n), [2, 3]);
  assert.is(await a.ref.ask({ type: 'n', n: 4 }), 4, 'room again once processed');
  await system.terminate();
});

/** A watcher of `target` with a one-message mailbox, holding its mailbox once watching. */
async function fullWatcher(system: ActorSystem, name: string, overflow: 'drop-new' | 'drop-old' | 'fail', target: ActorRef) {
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((resolve) => { holding = resolve; });
  const seen: unknown[] = [];
  const ref = system.spawn(defineActor<null, Msg>({
    init: () => null,
    receive(_s, msg, ctx) {
      if (msg.type === 'watch') { ctx.watch(msg.ref); return; }
      if (msg.type === 'hold') return new Promise<void>((r) => { release = r; holding(); });
      seen.push(msg.type === 'actor.terminated' ? msg.ref.path : msg);
    },
  }), name, { mailbox: { capacity: 1, overflow } });
  await ref.ask({ type: 'watch', ref: target });
  ref.tell({ type: 'hold' });
  await held;
  return { ref, seen, release: () => release() };
}

test('a full mailbox still takes a death-watch notice; drop-old keeps a notice at the head', async () => {
  const system = ActorSystem.create('system-messages');
  const got = letters(system);
  const target = system.spawn(defineActor<null, unknown>({ init: () => null, receive: () => undefined }), 'target');
  const past = await fullWatcher(system, 'past-the-bound', 'fail', target);
  const head = await fullWatcher(system, 'notice-at-head', 'drop-old', target);
  past.ref.tell({ type: 'n', n: 1 }); // fills its mailbox
  await system.stop(target); // both notices go past the bound
  assert.throws(() => past.ref.tell({ type: 'n', n: 2 }), (e: unknown) => e instanceof MailboxOverflowError);
  head.ref.tell({ type: 'n', n: 3 }); // drop-old with the notice at the head: the new message goes instead
  past.release();
  head.release();
  await system.whenIdle();
  assert.equal(past.seen, [{ type: 'n', n: 1 }, target.path]);
  assert.equal(head.seen, [target.path]);
  assert.equal(got.map((l) => (l.message as { n: number }).n), [2, 3]);
  await system.terminate();
});

test('a child with a full mailbox is restarted by its supervisor and stopped by the system', async () => {
  const system = ActorSystem.create('supervised');
  let child!: ActorRef<Msg>;
  let childHeld!: () => void;
  const held = new Promise<void>((resolve) => { childHeld = resolve; });
  let release!: () => void;
  let inits = 0;
  const parent = system.spawn(defineActor<null, { type: 'spawn' }>({
    init: () => null,
    receive(_s, _m, ctx) {
      child = ctx.spawn(defineActor<null, Msg>({
        init: () => { inits++; return null; },
        receive(_s2, msg) {
          if (msg.type === 'hold') return new Promise<void>((r) => { release = r; childHeld(); });
          if (msg.type === 'boom') throw new Error('boom');
        },
      }), 'child', { mailbox: { capacity: 1, overflow: 'fail' } });
    },
    supervisorStrategy: { kind: 'one-for-one', maxRestarts: 3, withinMs: 60_000 },
  }), 'parent');
  await parent.ask({ type: 'spawn' });
  child.tell({ type: 'hold' });
  await held;
  child.tell({ type: 'boom' }); // fills the mailbox
  assert.throws(() => child.tell({ type: 'n', n: 1 }), (e: unknown) => e instanceof MailboxOverflowError);
  release();
  await system.whenIdle();
  assert.is(inits, 2, 'the failure was supervised: restarted once');
  child.tell({ type: 'n', n: 2 });
  await system.terminate();
  assert.is(system.lifecycleOf(child), 'stopped');
});

test('spawn refuses bad mailbox options by name; unbounded stays the default', async () => {
  const system = ActorSystem.create('options');
  const behavior = defineActor<null, unknown>({ init: () => null, receive: () => undefined });
  assert.throws(() => system.spawn(behavior, 'a', { mailbox: { capacity: 0 } }), /capacity must be an integer >= 1, got 0/);
  assert.throws(() => system.spawn(behavior, 'b', { mailbox: { capacity: 5, overflow: 'drop-all' as never } }), /overflow must be one of drop-new, drop-old, fail/);
  const got = letters(system);
  const a = await heldActor(system, 'unbounded', undefined as unknown as MailboxOptions);
  for (let n = 0; n < 10_000; n++) a.ref.tell({ type: 'n', n });
  a.release();
  await system.whenIdle();
  assert.is(a.seen.length, 10_000);
  assert.is(got.length, 0);
  await system.terminate();
});

test('a flood into a bounded mailbox keeps at most capacity messages waiting', async () => {
  const system = ActorSystem.create('flood');
  const a = await heldActor(system, 'a', { capacity: 1000, overflow: 'drop-new' });
  for (let n = 0; n < 200_000; n++) a.ref.tell({ type: 'n', n });
  a.release();
  await system.whenIdle();
  assert.is(a.seen.length, 1000);
  assert.is(system.deadLetters, 199_000);
  await system.terminate();
});

test.run();
