// Host: the actor dispatcher and the subtask scheduler yield their turns through the host they
// are given (labelled), the scheduler ends a turn after the host's roundsPerTurn, a halted
// scheduler runs nothing again, and job ids drawn from a given random depend on it alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { realHost, type Host } from '../../../actors/core/host.ts';
import { Dispatcher } from '../../../actors/core/dispatcher.ts';
import { TaskScheduler, type Runnable } from '../../../actors/runtime/task-scheduler.ts';
import { newJobId } from '../../../actors/runtime/dispatcher.ts';
import { ActorSystem, defineActor } from '../../../actors/index.ts';

/** A host whose turns wait in a list until `step()` runs the oldest. */
function steppedHost(roundsPerTurn = 1): Host & { turns: Array<[string, () => void]>; step(): boolean } {
  const turns: Array<[string, () => void]> = [];
  let now = 0;
  return {
    ...realHost, roundsPerTurn, turns,
    monotonicNow: () => now,
    yieldTurn: (label, fn) => { turns.push([label, fn]); },
    random: () => 0.5,
    step() { const t = turns.shift(); if (!t) return false; now++; t[1](); return true; },
  };
}

test('the subtask scheduler runs one round per turn under a counting host, each turn through yieldTurn', () => {
  const host = steppedHost(1);
  const scheduler = new TaskScheduler(2, 10, host, 'tasks:tm-0');
  const log: string[] = [];
  const make = (name: string, slices: number): Runnable => {
    let left = slices;
    return { queued: false, runSlice: () => { log.push(name); return --left > 0; } };
  };
  scheduler.schedule(make('a', 3));
  scheduler.schedule(make('b', 1));
  assert.equal(log, []);
  assert.equal(host.turns.map((t) => t[0]), ['tasks:tm-0']);
  host.step();
  assert.equal(log, ['a', 'b']);
  host.step();
  assert.equal(log, ['a', 'b', 'a']);
  host.step();
  assert.equal(log, ['a', 'b', 'a', 'a']);
  assert.is(host.step(), false);
  assert.is(scheduler.now(), 3);
});

test('a halted scheduler drops its queue and runs nothing scheduled later', () => {
  const host = steppedHost(1);
  const scheduler = new TaskScheduler(2, 10, host);
  let runs = 0;
  const r: Runnable = { queued: false, runSlice: () => { runs++; return true; } };
  scheduler.schedule(r);
  host.step();
  assert.is(runs, 1);
  scheduler.halt();
  while (host.step()) { /* drain */ }
  scheduler.schedule(r);
  while (host.step()) { /* drain */ }
  assert.is(runs, 1);
  assert.is(scheduler.queuedCount, 0);
});

test('the actor dispatcher continues a drain that used its slice on a host turn', () => {
  const host = steppedHost();
  const dispatcher = new Dispatcher(1, 2, host, 'dispatcher:test');
  let turns = 0;
  const r = { scheduled: false, left: 5, runTurn() { turns++; this.left--; return 1; }, hasRunnableWork() { return this.left > 0; } };
  dispatcher.schedule(r);
  return Promise.resolve().then(() => {
    assert.is(turns, 2, 'the first drain ran on a microtask and stopped at its slice');
    assert.equal(host.turns.map((t) => t[0]), ['dispatcher:test']);
    while (host.step()) { /* drain */ }
    assert.is(turns, 5);
  });
});

test('an actor system on a host yields through it (whenIdle) and keeps persistent state in a given store', async () => {
  const { MemoryKvStore } = await import('../../../state/checkpoint/memory-kv-store.ts');
  const labels: string[] = [];
  const host: Host = { ...realHost, yieldTurn: (label, fn) => { labels.push(label); realHost.yieldTurn(label, fn); } };
  const kv = new MemoryKvStore();
  const counter = defineActor<number, 'inc' | 'get'>({
    init: () => 0,
    receive(n, msg, ctx) { if (msg === 'get') { ctx.reply(n); return; } ctx.reply(n + 1); return n + 1; },
    persistence: { key: 'c' },
  });
  const a = ActorSystem.create('host-a', { host, kvStore: kv });
  const ref = a.spawn(counter, 'counter');
  await ref.ask('inc');
  await ref.ask('inc');
  await a.whenIdle();
  assert.ok(labels.includes('when-idle'));
  await a.terminate();
  const b = ActorSystem.create('host-b', { host, kvStore: kv });
  assert.is(await b.spawn(counter, 'counter').ask('get'), 2, 'the given store outlived the first system');
  await b.terminate();
});

test('job ids from a given random depend on it alone', () => {
  const seq = (): (() => number) => { let i = 0; return () => ((i++ * 0.137) % 1); };
  assert.is(newJobId(seq()), newJobId(seq()));
  assert.match(newJobId(seq()), /^[0-9a-f]{32}$/);
  assert.is.not(newJobId(), newJobId());
});

test.run();
