// TimerQueue: firing order against simple models under random adds, deletes and polls.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimerQueue } from '../../../state/heap/timer-queue.ts';
import { Random, testSeed } from '../../support/random.ts';

test('ties fire in registration order; duplicates are rejected', () => {
  const q = new TimerQueue();
  assert.ok(q.add(5, 'a', 'a', 1));
  assert.ok(q.add(5, 'b', 'b', 1));
  assert.not.ok(q.add(5, 'a', 'a', 1));
  assert.ok(q.add(5, 'a', 'a', '1'));
  assert.ok(q.add(1, 'c', 'c', 1));
  assert.equal([q.poll(), q.poll(), q.poll(), q.poll()].map((t) => [t!.timestamp, t!.key, t!.namespace]), [[1, 'c', 1], [5, 'a', 1], [5, 'b', 1], [5, 'a', '1']]);
  assert.is(q.poll(), undefined);
  assert.ok(q.add(5, 'a', 'a', 1), 'a fired timer can be registered again');
});

test('randomized: polls come out sorted and deletes remove exactly one timer', () => {
  const rnd = new Random(testSeed('timer-queue'));
  const q = new TimerQueue();
  const model = new Map<string, number>();
  for (let step = 0; step < 20000; step++) {
    const ts = rnd.int(0, 300), key = `k${rnd.int(0, 9)}`, ns = rnd.int(0, 2);
    const id = `${ts}|${key}|${ns}`;
    const op = rnd.int(0, 9);
    if (op < 5) { assert.is(q.add(ts, key, key, ns), !model.has(id)); model.set(id, ts); }
    else if (op < 8) assert.is(q.delete(ts, key, ns), model.delete(id));
    else {
      const head = q.poll();
      const min = Math.min(...model.values());
      if (model.size === 0) assert.is(head, undefined);
      else { assert.is(head!.timestamp, min); assert.ok(model.delete(`${head!.timestamp}|${head!.key}|${head!.namespace}`)); }
    }
    assert.is(q.size, model.size);
  }
});

test('randomized: firing order is (timestamp, registration order), with few timestamps and many keys', () => {
  const rnd = new Random(testSeed('timer-queue-order'));
  const q = new TimerQueue();
  // The model: pending timers in registration order.
  const model: Array<{ ts: number; key: string; ns: number }> = [];
  const indexOf = (ts: number, key: string, ns: number) => model.findIndex((t) => t.ts === ts && t.key === key && t.ns === ns);
  for (let step = 0; step < 30000; step++) {
    const ts = rnd.int(0, 6), key = `k${rnd.int(0, 40)}`, ns = rnd.int(0, 3);
    const op = rnd.int(0, 9);
    if (op < 5) {
      const added = indexOf(ts, key, ns) < 0;
      assert.is(q.add(ts, key, key, ns), added);
      if (added) model.push({ ts, key, ns });
    } else if (op < 7) {
      const i = indexOf(ts, key, ns);
      assert.is(q.delete(ts, key, ns), i >= 0);
      if (i >= 0) model.splice(i, 1);
    } else {
      let best = -1;
      for (let i = 0; i < model.length; i++) if (best < 0 || model[i].ts < model[best].ts) best = i;
      const peeked = q.peek();
      const head = q.poll();
      assert.is(peeked, head);
      if (best < 0) assert.is(head, undefined);
      else {
        const want = model.splice(best, 1)[0];
        assert.equal([head!.timestamp, head!.key, head!.namespace], [want.ts, want.key, want.ns], `step ${step}`);
      }
    }
    assert.is(q.size, model.length);
    if (step % 1000 === 0) {
      const all = q.all().map((t) => `${t.timestamp}|${t.key}|${t.namespace}`).sort();
      assert.equal(all, model.map((t) => `${t.ts}|${t.key}|${t.ns}`).sort());
    }
  }
  q.clear();
  assert.is(q.size, 0);
  assert.is(q.poll(), undefined);
});

test('a timer registered again while its bucket fires is pending anew', () => {
  const q = new TimerQueue();
  q.add(3, 'a', 'a', 1);
  q.add(3, 'b', 'b', 1);
  assert.is(q.poll()!.key, 'a');
  assert.ok(q.add(3, 'a', 'a', 1), 'the fired timer is not a duplicate');
  assert.not.ok(q.add(3, 'a', 'a', 1));
  assert.equal([q.poll()!.key, q.poll()!.key, q.poll()], ['b', 'a', undefined]);
  assert.ok(q.add(3, 'a', 'a', 2));
  assert.ok(q.delete(3, 'a', 2));
  assert.not.ok(q.delete(3, 'a', 2));
  assert.is(q.size, 0);
});

test.run();
