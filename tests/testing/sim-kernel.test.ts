// SimKernel: events run in (virtual time, sequence) order with only microtasks between them, the
// virtual clock's timers and the host's turns go through the one queue, a waiting scenario with
// nothing scheduled is a deadlock, and the same seed gives the same turn delays.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SIM_EPOCH_MS, SimKernel, SimulationDeadlockError } from '../../testing/sim-kernel.ts';
import { SimRandom } from '../../testing/sim-random.ts';
import { Trace } from '../../testing/trace.ts';

const kernel = (seed = 1): SimKernel => new SimKernel(new SimRandom(seed), new Trace());

test('events run by virtual time, then by the order they were scheduled', async () => {
  const k = kernel();
  const log: string[] = [];
  const main = (async () => {
    k.clock.schedule(20, () => log.push('b@20'));
    k.clock.schedule(10, () => log.push('a@10'));
    k.clock.schedule(20, () => log.push('c@20'));
    const cancel = k.clock.schedule(15, () => log.push('cancelled'));
    cancel();
    await new Promise<void>((r) => k.clock.schedule(30, r));
    log.push(`done@${k.now - SIM_EPOCH_MS}`);
  })();
  await k.drive(main);
  assert.equal(log, ['a@10', 'b@20', 'c@20', 'done@30']);
  assert.equal(k.trace.lines, ['10 #1 timer', '20 #0 timer', '20 #2 timer', '30 #4 timer']);
});

test('the microtasks an event starts settle before the next event runs', async () => {
  const k = kernel();
  const log: string[] = [];
  const main = (async () => {
    k.clock.schedule(1, () => { void Promise.resolve().then(() => Promise.resolve()).then(() => log.push('chain of 1')); });
    k.clock.schedule(1, () => log.push('second event'));
    await new Promise<void>((r) => k.clock.schedule(2, r));
  })();
  await k.drive(main);
  assert.equal(log, ['chain of 1', 'second event']);
});

test('over many events (several batches of turns), each event and watcher sees the previous event\'s deep microtask chains settled', async () => {
  const k = kernel(3);
  let open = 0;
  const seen: number[] = [];
  const chain = async (depth: number): Promise<void> => {
    open++;
    for (let i = 0; i < depth; i++) await null;
    await new Promise<void>((r) => queueMicrotask(() => process.nextTick(() => Promise.resolve().then(r))));
    open--;
  };
  const unwatch = k.watch(() => seen.push(open));
  const main = (async () => {
    for (let i = 0; i < 300; i++) k.clock.schedule(i % 3, () => { seen.push(open); void chain(i % 9); });
    await new Promise<void>((r) => k.clock.schedule(5, r));
  })();
  await k.drive(main);
  unwatch();
  assert.ok(seen.length >= 600, `events and watchers ran: ${seen.length}`);
  assert.ok(seen.every((n) => n === 0), `a chain was still open when the next event or a watcher ran: ${seen.join('').slice(0, 120)}`);
});

test('host turns go through the queue, costing 0 or 1 virtual ms drawn from the seed', async () => {
  const delays = async (seed: number): Promise<number[]> => {
    const k = kernel(seed);
    const out: number[] = [];
    const main = (async () => {
      for (let i = 0; i < 32; i++) {
        const before = k.now;
        await new Promise<void>((r) => k.host.yieldTurn('turn', r));
        out.push(k.now - before);
      }
    })();
    await k.drive(main);
    return out;
  };
  const a = await delays(7);
  assert.equal(await delays(7), a);
  assert.ok(a.every((d) => d === 0 || d === 1));
  assert.ok(a.includes(0) && a.includes(1), `both costs occur: ${a.join('')}`);
  assert.not.equal(await delays(8), a);
});

test('a scenario waiting while nothing is scheduled is a deadlock, named as such', async () => {
  const k = kernel();
  const never = new Promise<void>(() => {});
  try {
    await k.drive(never);
    assert.unreachable('drive returned');
  } catch (error) {
    assert.instance(error, SimulationDeadlockError);
    assert.match((error as Error).message, /deadlock at virtual 0 ms/);
  }
});

test('an event that throws is recorded in the trace and the run goes on', async () => {
  const k = kernel();
  const main = (async () => {
    k.clock.schedule(5, () => { throw new Error('boom'); });
    await new Promise<void>((r) => k.clock.schedule(6, r));
  })();
  await k.drive(main);
  assert.is(k.uncaught.length, 1);
  assert.ok(k.trace.lines.includes('5 uncaught timer: boom'));
});

test('the monotonic clock starts at 0 and processing time at the simulation epoch', () => {
  const k = kernel();
  assert.is(k.host.monotonicNow(), 0);
  assert.is(k.clock.now(), SIM_EPOCH_MS);
  assert.is(k.host.roundsPerTurn, 1);
});

test.run();
