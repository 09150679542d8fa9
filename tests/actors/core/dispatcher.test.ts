import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dispatcher, type Runnable } from '../../../actors/core/dispatcher.ts';

class Counter implements Runnable {
  scheduled = false;
  constructor(public remaining: number, private readonly log: string[], private readonly name: string) {}
  runTurn(budget: number): number {
    const n = Math.min(budget, this.remaining);
    this.remaining -= n;
    this.log.push(`${this.name}${n}`);
    return n;
  }
  hasRunnableWork(): boolean { return this.remaining > 0; }
}

test('actors take turns of at most `throughput` messages, round-robin', async () => {
  const log: string[] = [];
  const dispatcher = new Dispatcher(10, 1_000_000);
  const a = new Counter(25, log, 'a');
  const b = new Counter(12, log, 'b');
  dispatcher.schedule(a);
  dispatcher.schedule(b);
  dispatcher.schedule(a);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(log, ['a10', 'b10', 'a10', 'b2', 'a5']);
  assert.ok(dispatcher.idle);
});

test('a drain that uses its slice yields to the event loop before continuing', async () => {
  const log: string[] = [];
  const dispatcher = new Dispatcher(10, 20);
  const a = new Counter(100, log, 'a');
  dispatcher.schedule(a);
  let timerRan = false;
  setTimeout(() => { timerRan = true; }, 0);
  await Promise.resolve();
  await Promise.resolve();
  assert.is(a.remaining, 80); // one slice ran on a microtask
  while (a.remaining > 0) await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(timerRan);
  assert.is(log.length, 10);
});

test.run();
