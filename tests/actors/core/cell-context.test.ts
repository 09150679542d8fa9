import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor, type ActorContext, type ActorRef, type ActorTerminated } from '../../../actors/index.ts';

type Probe = { type: 'run'; fn: (ctx: ActorContext<unknown>) => unknown } | ActorTerminated;

/** An actor that runs test code inside its receive and records what it is told. */
function probe(seen: unknown[]) {
  return defineActor<null, Probe>({
    init: () => null,
    receive(_s, msg, ctx) {
      if (msg.type === 'run') { ctx.reply(msg.fn(ctx as ActorContext<unknown>)); return; }
      seen.push(msg);
    },
  });
}
const idle = defineActor<null, never>({ init: () => null, receive: () => {} });

test('children() lists live children in start order; parent and self are set', async () => {
  const system = ActorSystem.create('ctx');
  const p = system.spawn(probe([]), 'p');
  const paths = await p.ask({ type: 'run', fn: (ctx) => { ctx.spawn(idle, 'a'); ctx.spawn(idle, 'b'); return ctx.children().map((r) => r.path); } });
  assert.equal(paths, ['actorflow://ctx/user/p/a', 'actorflow://ctx/user/p/b']);
  const [self, parent] = (await p.ask({ type: 'run', fn: (ctx) => [ctx.self, ctx.parent] })) as ActorRef[];
  assert.is(self, p);
  assert.is(parent!.path, 'actorflow://ctx/user');
  const b = ((await p.ask({ type: 'run', fn: (ctx) => ctx.children() })) as ActorRef[])[1];
  await p.ask({ type: 'run', fn: (ctx) => ctx.stop(b) });
  await system.whenIdle();
  assert.equal(await p.ask({ type: 'run', fn: (ctx) => ctx.children().length }), 1);
  assert.is(system.lifecycleOf(b), 'stopped');
  await system.terminate();
});

test('an actor may stop only itself and its children', async () => {
  const system = ActorSystem.create('ctx-stop');
  const other = system.spawn(idle, 'other');
  const p = system.spawn(probe([]), 'p');
  // The reply is a promise; the ask adopts it, so the awaited value is the rejection's message.
  const attempt = (await p.ask({ type: 'run', fn: (ctx) => ctx.stop(other).catch((e: Error) => e.message) })) as string;
  assert.match(attempt, 'may stop only itself and its children');
  assert.is(system.lifecycleOf(other), 'running');
  p.tell({ type: 'run', fn: (ctx) => { void ctx.stop(ctx.self); } });
  await system.whenIdle();
  assert.is(system.lifecycleOf(p), 'stopped');
  await system.terminate();
});

test('watching an actor that already ended delivers actor.terminated at once; unwatch silences', async () => {
  const system = ActorSystem.create('ctx-watch');
  const seen: unknown[] = [];
  const gone = system.spawn(idle, 'gone');
  await system.stop(gone);
  const quiet = system.spawn(idle, 'quiet');
  const p = system.spawn(probe(seen), 'p');
  await p.ask({ type: 'run', fn: (ctx) => { ctx.watch(gone); ctx.watch(quiet); ctx.unwatch(quiet); } });
  await system.stop(quiet);
  await system.whenIdle();
  assert.equal(seen.map((m) => (m as ActorTerminated).ref.path), ['actorflow://ctx-watch/user/gone']);
  await system.terminate();
});

test.run();
