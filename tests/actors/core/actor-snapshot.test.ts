// ActorSystem.snapshot(): the supervision tree as read-only data — paths, behaviour names,
// lifecycle states from the xstate machines (running, restarting during a backoff, stopping while
// postStop runs), mailbox sizes of an actor held in an async receive, restart counts, dead letters,
// the totals, and a limit that keeps the upper levels and still counts every actor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor, ManualClock, type ActorRef, type ActorSnapshot } from '../../../actors/index.ts';
import { setImmediate } from 'node:timers';
import { configureLogging } from '../../../actors/observability/logger.ts';

configureLogging({ level: 'silent' });

type Msg = { type: 'spawn'; name: string } | { type: 'hold' } | { type: 'boom' } | { type: 'noop' };

/** Resolvers of receives held open by 'hold'. */
const held: Array<() => void> = [];

const worker = defineActor<null, Msg>({
  name: 'worker',
  init: () => null,
  receive(_state, msg) {
    if (msg.type === 'hold') return new Promise<void>((resolve) => { held.push(resolve); });
    if (msg.type === 'boom') throw new Error('boom');
  },
});

const parent = defineActor<null, Msg>({
  name: 'parent',
  supervisorStrategy: { kind: 'one-for-one', maxRestarts: 10, withinMs: 60_000, backoff: { minMs: 1000, maxMs: 1000 } },
  init: () => null,
  receive(_state, msg, ctx) {
    if (msg.type === 'spawn') ctx.reply(ctx.spawn(worker, msg.name));
  },
});

const unnamed = defineActor<null, Msg>({ init: () => null, receive: () => undefined });

/** Waits (turn by turn, no timer) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 10_000) throw new Error('condition never held');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function find(tree: readonly ActorSnapshot[], path: string): ActorSnapshot | undefined {
  for (const node of tree) {
    if (node.path === path) return node;
    const found = find(node.children, path);
    if (found) return found;
  }
  return undefined;
}

test('the snapshot shows the tree with behaviour names, states, mailbox sizes and restarts', async () => {
  const clock = new ManualClock(0);
  const system = ActorSystem.create('snap', { clock });
  try {
    const top = system.spawn(parent, 'top');
    const a = await top.ask<ActorRef<Msg>>({ type: 'spawn', name: 'a' });
    const b = await top.ask<ActorRef<Msg>>({ type: 'spawn', name: 'b' });
    system.spawn(unnamed, 'plain');
    await system.whenIdle();

    // b: fails; its supervisor restarts it after a 1 s backoff on the manual clock.
    b.tell({ type: 'boom' });
    await system.whenIdle();
    system.resolve('actorflow://snap/user/nobody').tell({ type: 'noop' });
    let snap = system.snapshot();
    const bNode = find(snap.tree, 'actorflow://snap/user/top/b')!;
    assert.equal([bNode.state, bNode.restarts], ['restarting', 1]);
    clock.advance(1000);
    await system.whenIdle();
    assert.is(find(system.snapshot().tree, 'actorflow://snap/user/top/b')!.state, 'running');

    // a: held in an async receive with three more messages waiting.
    a.tell({ type: 'hold' });
    for (let i = 0; i < 3; i++) a.tell({ type: 'noop' });
    await until(() => held.length === 1);

    snap = system.snapshot();
    assert.is(snap.system, 'snap');
    assert.is(snap.actors, 4);
    assert.is(snap.deadLetters, 1);
    assert.is(snap.mailboxSize, 3);
    assert.is(snap.maxMailboxSize, 3);
    assert.is(snap.restarts, 1);
    assert.is(snap.truncated, false);
    assert.equal(snap.tree.map((n) => n.name), ['top', 'plain']);
    const topNode = find(snap.tree, 'actorflow://snap/user/top')!;
    assert.is(topNode.behavior, 'parent');
    assert.is(topNode.state, 'running');
    assert.equal(topNode.children.map((n) => n.name), ['a', 'b']);
    const aNode = find(snap.tree, 'actorflow://snap/user/top/a')!;
    assert.equal([aNode.behavior, aNode.state, aNode.mailboxSize, aNode.restarts], ['worker', 'running', 3, 0]);
    assert.equal([find(snap.tree, 'actorflow://snap/user/top/b')!.state, find(snap.tree, 'actorflow://snap/user/top/b')!.restarts], ['running', 1]);
    assert.is(find(snap.tree, 'actorflow://snap/user/plain')!.behavior, undefined);
    // The snapshot is plain data: it survives JSON.
    assert.equal(JSON.parse(JSON.stringify(snap)), snap);

    // A limit keeps the upper levels and still counts every actor.
    const limited = system.snapshot({ maxActors: 2 });
    assert.equal(limited.tree.map((n) => [n.name, n.children.length]), [['top', 0], ['plain', 0]]);
    assert.is(limited.actors, 4);
    assert.is(limited.truncated, true);
    assert.is(system.snapshot({ maxActors: 0 }).tree.length, 0);
    assert.throws(() => system.snapshot({ maxActors: -1 }), /maxActors/);
  } finally {
    for (const resolve of held.splice(0)) resolve();
    await system.terminate();
  }
});

test('an actor whose postStop is running shows as stopping; a stopped one is gone', async () => {
  let finishStop: (() => void) | undefined;
  const slowStop = defineActor<null, Msg>({
    name: 'slow-stop', init: () => null, receive: () => undefined,
    postStop: () => new Promise<void>((resolve) => { finishStop = resolve; }),
  });
  const system = ActorSystem.create('stopping');
  const ref = system.spawn(slowStop, 'slow');
  await system.whenIdle();
  const stopped = system.stop(ref);
  await until(() => finishStop !== undefined);
  assert.is(system.snapshot().tree[0].state, 'stopping');
  finishStop!();
  await stopped;
  const after = system.snapshot();
  assert.equal([after.actors, after.tree.length], [0, 0]);
  await system.terminate();
});

test('defineActor refuses a name that is not a string', () => {
  assert.throws(() => defineActor({ name: 42 as unknown as string, init: () => null, receive: () => undefined }), /name must be a string/);
});

test.run();
