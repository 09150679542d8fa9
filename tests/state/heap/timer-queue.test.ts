// TimerQueue: heap order against a sorted model under random adds, deletes and polls.
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

test.run();
