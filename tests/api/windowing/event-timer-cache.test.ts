import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import type { Timer } from '../../../state/timer-service.ts';
import { EventTimerCache } from '../../../api/windowing/event-timer-cache.ts';
import { Random, testSeed } from '../../support/random.ts';

function fixture() {
  const backend = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
  const fired: string[] = [];
  let cache!: EventTimerCache;
  const timers = new HeapTimerService(backend, {
    onEventTime: (t: Timer) => { cache.fired(t); fired.push(`${String(t.key)}/${t.namespace}@${t.timestamp}`); cache.done(); },
    onProcessingTime: () => {},
  }, () => 0);
  cache = new EventTimerCache(timers, backend);
  return { backend, timers, cache, fired };
}

test('registers each timer once, re-registers after it fired or was deleted', () => {
  const f = fixture();
  f.backend.setCurrentKey('a');
  f.cache.register(1, 10);
  f.cache.register(1, 10);
  f.cache.register(2, 10);
  assert.is(f.timers.numTimers().eventTime, 2);
  f.cache.delete(2, 10);
  assert.is(f.timers.numTimers().eventTime, 1);
  f.cache.register(2, 10);
  assert.is(f.timers.numTimers().eventTime, 2);
  f.timers.advanceWatermark(10);
  assert.equal(f.fired.sort(), ['a/1@10', 'a/2@10']);
  assert.is(f.cache.size, 0);
  f.backend.setCurrentKey('a');
  f.cache.register(1, 10);
  assert.is(f.timers.numTimers().eventTime, 1);
  f.backend.setCurrentKey(['x', 1]);
  f.cache.register(1, 20);
  f.cache.register(1, 20);
  assert.is(f.timers.numTimers().eventTime, 2);
});

test('randomized: the pending timers are exactly those of a plain set', () => {
  const seed = testSeed('event-timer-cache');
  const rnd = new Random(seed);
  const f = fixture();
  const expected = new Set<string>();
  let watermark = 0;
  for (let i = 0; i < 5000; i++) {
    const key = `k${rnd.int(0, 3)}`;
    f.backend.setCurrentKey(key);
    const ns = rnd.int(0, 20);
    const ts = watermark + rnd.int(1, 40);
    if (rnd.chance(0.2)) { f.cache.delete(ns, ts); expected.delete(`${key}/${ns}@${ts}`); }
    else { f.cache.register(ns, ts); expected.add(`${key}/${ns}@${ts}`); }
    if (rnd.chance(0.05)) {
      watermark += rnd.int(0, 20);
      f.timers.advanceWatermark(watermark);
      for (const id of [...expected]) if (Number(id.split('@')[1]) <= watermark) expected.delete(id);
    }
    const pending = f.timers.snapshot().eventTime.map((t) => `${String(t.key)}/${t.namespace}@${t.timestamp}`).sort();
    assert.equal(pending, [...expected].sort(), `seed ${seed} step ${i}`);
  }
});

test.run();
