import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem, defineActor, ManualClock, type ActorRef, type ActorTerminated, type SupervisorStrategy } from '../../../actors/index.ts';
import { childrenOf, counter, supervisor, type CounterMsg } from './supervision-fixture.ts';

const tolerant = (kind: SupervisorStrategy['kind']): SupervisorStrategy => ({ kind, maxRestarts: 10, withinMs: 1000 });

async function setup(kind: SupervisorStrategy['kind']) {
  const log: string[] = [];
  const system = ActorSystem.create(kind, { clock: new ManualClock() });
  const sup = system.spawn(supervisor('sup', tolerant(kind), ['a', 'b', 'c'], log), 'sup');
  const kids = await childrenOf(sup);
  // a = 1, b = 2, c = 3
  for (const [name, n] of [['a', 1], ['b', 2], ['c', 3]] as const) for (let i = 0; i < n; i++) kids[name].tell({ type: 'inc' });
  await system.whenIdle();
  log.length = 0;
  return { log, system, sup, kids };
}

async function counts(kids: Record<string, ActorRef<CounterMsg>>): Promise<number[]> {
  return Promise.all(['a', 'b', 'c'].map((n) => kids[n].ask({ type: 'get' }) as Promise<number>));
}

test('one-for-one restarts only the failed child; siblings keep their state', async () => {
  const { log, system, kids } = await setup('one-for-one');
  kids.b.tell({ type: 'crash' });
  await system.whenIdle();
  assert.equal(log, ['postStop b 2', 'init b']);
  assert.equal(await counts(kids), [1, 0, 3]);
  for (const n of ['a', 'b', 'c']) assert.is(system.lifecycleOf(kids[n]), 'running');
  await system.terminate();
});

test('one-for-all stops every child in reverse start order, then starts them in start order', async () => {
  const { log, system, kids, sup } = await setup('one-for-all');
  kids.b.tell({ type: 'crash' });
  await system.whenIdle();
  assert.equal(log, ['postStop c 3', 'postStop b 2', 'postStop a 1', 'init a', 'init b', 'init c']);
  assert.equal(await counts(kids), [0, 0, 0]);
  const after = await childrenOf(sup);
  for (const n of ['a', 'b', 'c']) assert.is(after[n], kids[n], 'a restart keeps the ref');
  await system.terminate();
});

test('rest-for-one restarts the failed child and the ones started after it', async () => {
  const { log, system, kids } = await setup('rest-for-one');
  kids.b.tell({ type: 'crash' });
  await system.whenIdle();
  assert.equal(log, ['postStop c 3', 'postStop b 2', 'init b', 'init c']);
  assert.equal(await counts(kids), [1, 0, 0]);
  await system.terminate();
});

test('messages queued while an actor restarts are delivered after init', async () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const system = ActorSystem.create('queued', { clock });
  const sup = system.spawn(supervisor('sup', { ...tolerant('one-for-one'), backoff: { minMs: 100, maxMs: 100 } }, ['a'], log), 'sup');
  const { a } = await childrenOf(sup);
  a.tell({ type: 'inc' });
  a.tell({ type: 'crash' });
  a.tell({ type: 'inc' });
  a.tell({ type: 'inc' });
  await system.whenIdle();
  assert.is(system.lifecycleOf(a), 'restarting');
  const answer = a.ask({ type: 'get' });
  clock.advance(100);
  assert.is(await answer, 2);
  await system.terminate();
});

test('intensity exceeded: the supervisor fails and its own supervisor restarts it with fresh children', async () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const system = ActorSystem.create('escalate', { clock });
  const mid = supervisor('mid', { kind: 'one-for-one', maxRestarts: 1, withinMs: 1000 }, ['w'], log);
  const top = system.spawn(supervisor('top', tolerant('one-for-one'), [['mid', mid as never]], log), 'top');
  const midRef = (await childrenOf(top)).mid as unknown as ActorRef<{ type: 'children' }>;
  const w1 = (await childrenOf(midRef)).w;
  w1.tell({ type: 'crash' }); // restart 1 of 1: allowed
  await system.whenIdle();
  assert.is(system.lifecycleOf(w1), 'running');
  clock.advance(10);
  w1.tell({ type: 'crash' }); // restart 2 within 1000 ms: mid fails, top restarts mid
  await system.whenIdle();
  assert.equal(log, ['init top', 'init mid', 'init w', 'postStop w 0', 'init w', 'postStop w 0', 'postStop mid', 'init mid', 'init w']);
  assert.is(system.lifecycleOf(w1), 'stopped', 'the old child is gone');
  assert.is(system.lifecycleOf(midRef), 'running', 'mid keeps its ref across the restart');
  const w2 = (await childrenOf(midRef)).w;
  assert.is.not(w2, w1);
  assert.is(system.lifecycleOf(w2), 'running');
  assert.is(await w2.ask({ type: 'get' }), 0);
  await system.terminate();
});

test('intensity exceeded at the top level: the guardian stops the failed supervisor', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('guardian', { clock: new ManualClock() });
  const sup = system.spawn(supervisor('sup', { kind: 'one-for-one', maxRestarts: 0, withinMs: 1000 }, ['a', 'b'], log), 'sup');
  const kids = await childrenOf(sup);
  log.length = 0;
  kids.a.tell({ type: 'crash' });
  await system.whenIdle();
  assert.is(system.lifecycleOf(sup), 'failed');
  assert.is(system.lifecycleOf(kids.a), 'stopped');
  assert.is(system.lifecycleOf(kids.b), 'stopped');
  assert.equal(log, ['postStop b 0', 'postStop a 0', 'postStop sup']);
  await system.terminate();
});

test('resume keeps the state and drops only the failing message', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('resume');
  const sup = system.spawn(supervisor('sup', { ...tolerant('one-for-one'), decider: () => 'resume' }, ['a'], log), 'sup');
  const { a } = await childrenOf(sup);
  a.tell({ type: 'inc' });
  a.tell({ type: 'inc' });
  a.tell({ type: 'crash' });
  a.tell({ type: 'inc' });
  assert.is(await a.ask({ type: 'get' }), 3);
  assert.equal(log, ['init sup', 'init a']);
  await system.terminate();
});

test('stop removes the child and tells its watchers it failed', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('stop');
  const seen: ActorTerminated[] = [];
  const sup = system.spawn(supervisor('sup', { ...tolerant('one-for-one'), decider: (_e, child) => (child.path.endsWith('/a') ? 'stop' : 'restart') }, ['a', 'b'], log), 'sup');
  const { a } = await childrenOf(sup);
  const watcher = system.spawn(defineActor<null, ActorTerminated | { type: 'ready' }>({
    init(ctx) { ctx.watch(a); return null; },
    receive(_s, msg) { if (msg.type === 'actor.terminated') seen.push(msg); },
  }), 'watcher');
  await watcher.ask({ type: 'ready' });
  a.tell({ type: 'crash' });
  await system.whenIdle();
  assert.is(system.lifecycleOf(a), 'failed');
  assert.equal(Object.keys(await childrenOf(sup)), ['b']);
  assert.is(seen.length, 1);
  assert.is(seen[0].ref, a);
  assert.is(seen[0].reason, 'failed');
  assert.is(seen[0].error, 'a crashed');
  await system.terminate();
});

test('escalate fails the supervisor with the child error', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('escalate-directive');
  const sup = system.spawn(supervisor('sup', { ...tolerant('one-for-one'), decider: () => 'escalate' }, ['a'], log), 'sup');
  const { a } = await childrenOf(sup);
  a.tell({ type: 'crash' });
  await system.whenIdle();
  assert.is(system.lifecycleOf(sup), 'failed');
  assert.is(system.lifecycleOf(a), 'stopped');
  await system.terminate();
});

test('backoff: restart delays grow by factor up to maxMs, measured on a manual clock', async () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const system = ActorSystem.create('backoff', { clock });
  const sup = system.spawn(supervisor('sup', { kind: 'one-for-one', maxRestarts: 10, withinMs: 100_000, backoff: { minMs: 100, maxMs: 300, factor: 2 } }, ['a'], log), 'sup');
  const { a } = await childrenOf(sup);
  const delays: number[] = [];
  for (let round = 0; round < 4; round++) {
    a.tell({ type: 'crash' });
    await system.whenIdle();
    let waited = 0;
    while (system.lifecycleOf(a) === 'restarting') {
      clock.advance(1);
      waited++;
      await system.whenIdle();
      assert.ok(waited <= 1000, 'restart never happened');
    }
    delays.push(waited);
  }
  assert.equal(delays, [100, 200, 300, 300]);
  await system.terminate();
});

test('init throwing is a failure handled by the supervisor: restarted until it succeeds', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('init-fails');
  const failures = { left: 2 };
  const sup = system.spawn(supervisor('sup', tolerant('one-for-one'), [['a', counter('a', log, failures) as never]], log), 'sup');
  await system.whenIdle();
  const { a } = await childrenOf(sup);
  assert.equal(log, ['init sup', 'init a', 'init a', 'init a']);
  assert.is(system.lifecycleOf(a), 'running');
  a.tell({ type: 'inc' });
  assert.is(await a.ask({ type: 'get' }), 1);
  await system.terminate();
});

test('init throwing too often exceeds the intensity; a failing top-level init is stopped by the guardian', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('init-gives-up');
  const sup = system.spawn(supervisor('sup', { kind: 'one-for-one', maxRestarts: 2, withinMs: 60_000 }, [['a', counter('a', log, { left: 100 }) as never]], log), 'sup');
  await system.whenIdle();
  assert.is(system.lifecycleOf(sup), 'failed');
  assert.equal(log.filter((l) => l === 'init a').length, 3);
  const top = system.spawn(counter('top', log, { left: 1 }), 'top');
  await system.whenIdle();
  assert.is(system.lifecycleOf(top), 'failed');
  await system.terminate();
});

test('postStop runs on stop; stopping a supervisor stops its children first, in reverse start order', async () => {
  const log: string[] = [];
  const system = ActorSystem.create('poststop');
  const sup = system.spawn(supervisor('sup', tolerant('one-for-one'), ['a', 'b', 'c'], log), 'sup');
  const kids = await childrenOf(sup);
  kids.a.tell({ type: 'inc' });
  await system.whenIdle();
  log.length = 0;
  await system.stop(sup);
  assert.equal(log, ['postStop c 0', 'postStop b 0', 'postStop a 1', 'postStop sup']);
  for (const r of [sup, kids.a, kids.b, kids.c]) assert.is(system.lifecycleOf(r as ActorRef), 'stopped');
  await system.terminate();
});

test.run();
