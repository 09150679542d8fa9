import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ActorNotAliveError, ActorSystem, AskTimeoutError, defineActor, ManualClock, NotEncodableError, type ActorRef,
  type ActorTerminated,
} from '../../../actors/index.ts';
import { env } from 'node:process';
import { configureLogging } from '../../../actors/observability/logger.ts';

/** Resolves with the rejection of `promise`; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try { await promise; } catch (error) { return error as Error; }
  throw new assert.Assertion({ message: 'expected a rejection', generated: true, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

type Msg = { type: 'add'; n: number } | { type: 'get' } | { type: 'log' };

const adder = defineActor<number[], Msg>({
  init: () => [],
  receive(state, msg, ctx) {
    if (msg.type === 'add') return [...state, msg.n];
    if (msg.type === 'get') ctx.reply(state);
  },
});

test('messages from one sender arrive in order; ask gets the reply', async () => {
  const system = ActorSystem.create('order');
  const ref = system.spawn(adder, 'adder');
  for (let i = 0; i < 1000; i++) ref.tell({ type: 'add', n: i });
  assert.equal(await ref.ask({ type: 'get' }), Array.from({ length: 1000 }, (_, i) => i));
  assert.is(ref.path, 'actorflow://order/user/adder');
  assert.is(system.lifecycleOf(ref), 'running');
  await system.terminate();
  assert.is(system.lifecycleOf(ref), 'stopped');
});

test('an ask the actor does not reply to resolves with undefined once processed', async () => {
  const system = ActorSystem.create('noreply');
  const ref = system.spawn(adder, 'adder');
  assert.is(await ref.ask({ type: 'add', n: 1 }), undefined);
  await system.terminate();
});

test('an asynchronous receive holds the mailbox: one message at a time, in order', async () => {
  const system = ActorSystem.create('async');
  const events: string[] = [];
  let active = 0;
  const ref = system.spawn(defineActor<number, { type: 'work'; n: number } | { type: 'get' }>({
    init: () => 0,
    async receive(state, msg, ctx) {
      if (msg.type === 'get') { ctx.reply(state); return; }
      active++;
      events.push(`start ${msg.n} (${active} active)`);
      await new Promise((resolve) => setTimeout(resolve, 0));
      events.push(`end ${msg.n}`);
      active--;
      return state + msg.n;
    },
  }), 'worker');
  for (let i = 1; i <= 3; i++) ref.tell({ type: 'work', n: i });
  assert.is(await ref.ask({ type: 'get' }), 6);
  assert.equal(events, ['start 1 (1 active)', 'end 1', 'start 2 (1 active)', 'end 2', 'start 3 (1 active)', 'end 3']);
  await system.terminate();
});

test('ask rejects with a timeout error after timeoutMs on the system clock', async () => {
  const clock = new ManualClock();
  const system = ActorSystem.create('timeout', { clock });
  const ref = system.spawn(defineActor<null, { type: 'hang' }>({
    init: () => null,
    receive: () => new Promise<void>(() => {}),
  }), 'hang');
  const pending = ref.ask({ type: 'hang' }, 300);
  let outcome: unknown = 'pending';
  pending.catch((e) => { outcome = e; });
  clock.advance(299);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  assert.is(outcome, 'pending');
  clock.advance(1);
  await Promise.resolve();
  await Promise.resolve();
  assert.instance(outcome, AskTimeoutError);
  assert.match((outcome as Error).message, 'timed out after 300 ms');
  assert.match((outcome as Error).message, "'hang'");
});

test('ask to a stopped actor rejects promptly, and so do asks still queued when it stops', async () => {
  const system = ActorSystem.create('stopped', { clock: new ManualClock() });
  const gate: { open?: () => void } = {};
  const ref = system.spawn(defineActor<null, { type: 'block' } | { type: 'get' }>({
    init: () => null,
    receive(_s, msg) { if (msg.type === 'block') return new Promise<void>((resolve) => { gate.open = resolve; }); },
  }), 'victim');
  ref.tell({ type: 'block' });
  while (!gate.open) await new Promise((resolve) => setTimeout(resolve, 0));
  const queued = ref.ask({ type: 'get' });
  queued.catch(() => {});
  const stopping = system.stop(ref);
  gate.open!();
  await stopping;
  const queuedError = await rejection(queued);
  assert.instance(queuedError, ActorNotAliveError);
  assert.match(queuedError.message, "'get'");
  const lateError = await rejection(ref.ask({ type: 'get' }));
  assert.instance(lateError, ActorNotAliveError);
  assert.match(lateError.message, 'is not alive');
  ref.tell({ type: 'get' });
  assert.ok(system.deadLetters >= 1);
  await system.terminate();
});

test('a watcher receives actor.terminated when the watched actor stops', async () => {
  const system = ActorSystem.create('watch');
  const target = system.spawn(adder, 'target');
  const watcher = system.spawn(defineActor<ActorTerminated[], ActorTerminated | { type: 'get' }>({
    init(ctx) { ctx.watch(target); return []; },
    receive(state, msg, ctx) {
      if (msg.type === 'get') { ctx.reply(state); return; }
      return [...state, msg];
    },
  }), 'watcher');
  await watcher.ask({ type: 'get' });
  await system.stop(target);
  const seen = (await watcher.ask({ type: 'get' })) as ActorTerminated[];
  assert.is(seen.length, 1);
  assert.is(seen[0].type, 'actor.terminated');
  assert.is(seen[0].ref, target);
  assert.is(seen[0].reason, 'stopped');
  await system.terminate();
});

test('scheduleOnce and scheduleRepeatedly go through the system clock and can be cancelled', async () => {
  const clock = new ManualClock(1000);
  const system = ActorSystem.create('timers', { clock });
  const ref = system.spawn(defineActor<string[], { type: 'tick' } | { type: 'once' } | { type: 'get' } | { type: 'cancel' }>({
    init(ctx) {
      ctx.scheduleOnce(50, { type: 'once' });
      const cancel = ctx.scheduleRepeatedly(20, { type: 'tick' });
      (globalThis as { cancelTicks?: () => void }).cancelTicks = cancel;
      return [];
    },
    receive(state, msg, ctx) {
      if (msg.type === 'get') { ctx.reply(state); return; }
      return [...state, `${msg.type}@${ctx.system.clock.now()}`];
    },
  }), 'timers');
  await system.whenIdle();
  for (let i = 0; i < 6; i++) { clock.advance(10); await system.whenIdle(); }
  assert.equal(await ref.ask({ type: 'get' }), ['tick@1020', 'tick@1040', 'once@1050', 'tick@1060']);
  (globalThis as { cancelTicks?: () => void }).cancelTicks!();
  clock.advance(100);
  await system.whenIdle();
  assert.equal((await ref.ask({ type: 'get' }) as string[]).length, 4);
  await system.terminate();
  assert.is(clock.pending(), 0);
});

test('serializeMessages: a non-encodable message fails at tell, naming its type', async () => {
  const system = ActorSystem.create('serialize', { serializeMessages: true });
  const ref = system.spawn(adder, 'adder') as unknown as ActorRef<unknown>;
  assert.throws(() => ref.tell({ type: 'add', n: 1, callback: () => {} }), (e: unknown) =>
    e instanceof NotEncodableError && /'add'/.test((e as Error).message) && /callback is a function/.test((e as Error).message));
  class Opaque { x = 1; }
  assert.throws(() => ref.tell({ type: 'add', n: new Opaque() }), /instance of class Opaque/);
  assert.match((await rejection(ref.ask({ type: 'get', s: Symbol('x') }))).message, 'is a symbol');
  await system.terminate();
});

test('serializeMessages: messages are copies, and refs inside them still work', async () => {
  const system = ActorSystem.create('refs', { serializeMessages: true });
  const collector = system.spawn(adder, 'collector');
  const ponger = system.spawn(defineActor<null, { type: 'ping'; n: number; replyTo: ActorRef<Msg> }>({
    init: () => null,
    receive(_s, msg) { msg.replyTo.tell({ type: 'add', n: msg.n * 10 }); },
  }), 'ponger');
  const msg = { type: 'ping' as const, n: 4, replyTo: collector };
  ponger.tell(msg);
  msg.n = 99;
  ponger.tell({ type: 'ping', n: 5, replyTo: collector });
  await system.whenIdle();
  assert.equal(await collector.ask({ type: 'get' }), [40, 50]);
  await system.terminate();
});

test('serializeMessages: a watcher still recognises the ref in actor.terminated', async () => {
  const system = ActorSystem.create('serialize-watch', { serializeMessages: true });
  const target = system.spawn(adder, 'target');
  let notice: ActorTerminated | undefined;
  const watcher = system.spawn(defineActor<null, ActorTerminated | { type: 'ready' }>({
    init(ctx) { ctx.watch(target); return null; },
    receive(_s, msg) { if (msg.type === 'actor.terminated') notice = msg; },
  }), 'watcher');
  await watcher.ask({ type: 'ready' });
  await system.stop(target);
  await system.whenIdle();
  assert.ok(notice);
  assert.is(notice!.ref, target);
  await system.terminate();
});

test('an ask whose message crashes the actor rejects with the error', async () => {
  const system = ActorSystem.create('ask-crash');
  const ref = system.spawn(defineActor<null, { type: 'boom' }>({
    init: () => null,
    receive() { throw new Error('boom inside'); },
  }), 'boom');
  const error = await rejection(ref.ask({ type: 'boom' }));
  assert.match(error.message, 'boom inside');
  await system.terminate();
});

test('names are unique among live siblings; terminate stops children before parents, in reverse start order', async () => {
  const system = ActorSystem.create('tree');
  const log: string[] = [];
  const leaf = (name: string) => defineActor<null, never>({
    init: () => null, receive: () => {}, postStop: () => { log.push(name); },
  });
  const parent = defineActor<null, never>({
    init(ctx) { for (const n of ['x', 'y', 'z']) ctx.spawn(leaf(n), n); return null; },
    receive: () => {},
    postStop: () => { log.push('parent'); },
  });
  system.spawn(parent, 'p1');
  system.spawn(leaf('solo'), 'solo');
  assert.throws(() => system.spawn(leaf('again'), 'solo'), /already taken/);
  await system.whenIdle();
  await system.terminate();
  assert.equal(log, ['solo', 'z', 'y', 'x', 'parent']);
  assert.throws(() => system.spawn(leaf('late'), 'late'), /terminating/);
});

test('a top-level actor that throws is stopped, and the failure is logged at error with its path', async () => {
  const lines: Record<string, unknown>[] = [];
  const envLevel = env.ACTORFLOW_LOG_LEVEL; // it would win over the level asked for here
  delete env.ACTORFLOW_LOG_LEVEL;
  configureLogging({ level: 'warn', destination: { write: (line) => lines.push(JSON.parse(line)) } });
  try {
    const system = ActorSystem.create('top-level');
    const ref = system.spawn(defineActor<null, { type: 'boom' }>({
      init: () => null,
      receive: () => { throw new Error('kaboom in receive'); },
    }), 'fragile');
    ref.tell({ type: 'boom' });
    await system.whenIdle();
    assert.is(system.lifecycleOf(ref), 'failed');
    const line = lines.find((l) => l.component === 'actor-system' && l.actor === 'actorflow://top-level/user/fragile');
    assert.ok(line, 'the failure was logged');
    assert.is(line!.level, 50);
    assert.match(String(line!.msg), /top-level actor actorflow:\/\/top-level\/user\/fragile failed and is stopped/);
    assert.match(JSON.stringify(line!.err), /kaboom in receive/);
    await system.terminate();
  } finally {
    if (envLevel !== undefined) env.ACTORFLOW_LOG_LEVEL = envLevel;
    configureLogging({});
  }
});

test.run();
