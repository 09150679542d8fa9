// HeapTimerService: firing order, deduplication, deletion, the current key during firing,
// processing time through a manual clock, snapshot/restore filtered to the key-group range.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { assignToKeyGroup, keyGroupRangeForOperator, type Key } from '../../../state/key-groups.ts';
import type { Timer, Triggerable } from '../../../state/timer-service.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { Random, testSeed } from '../../support/random.ts';

type Fired = [domain: 'event' | 'processing', timestamp: number, key: Key, namespace: string | number, currentKey: Key];

function setup(maxParallelism = 16, range = { start: 0, end: maxParallelism - 1 }, onFire?: (t: Timer, svc: HeapTimerService) => void) {
  const clock = new ManualClock(0);
  const backend = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: range, clock: () => clock.now() });
  const fired: Fired[] = [];
  // eslint-disable-next-line prefer-const
  let service: HeapTimerService;
  const triggerable: Triggerable = {
    onEventTime: (t) => { fired.push(['event', t.timestamp, t.key, t.namespace, backend.getCurrentKey()]); onFire?.(t, service); },
    onProcessingTime: (t) => { fired.push(['processing', t.timestamp, t.key, t.namespace, backend.getCurrentKey()]); onFire?.(t, service); },
  };
  service = new HeapTimerService(backend, triggerable, () => clock.now());
  return { clock, backend, service, fired };
}

test('event-time timers fire in timestamp order with their key set, up to the watermark', () => {
  const { backend, service, fired } = setup();
  const plan: Array<[Key, number]> = [['a', 30], ['b', 10], ['c', 20], ['a', 5], ['b', 40]];
  for (const [key, ts] of plan) { backend.setCurrentKey(key); service.registerEventTimeTimer('w', ts); }
  backend.setCurrentKey('z');
  service.advanceWatermark(25);
  assert.equal(fired.map((f) => [f[1], f[2], f[4]]), [[5, 'a', 'a'], [10, 'b', 'b'], [20, 'c', 'c']]);
  assert.is(service.currentWatermark(), 25);
  service.advanceWatermark(Infinity);
  assert.equal(fired.map((f) => f[1]), [5, 10, 20, 30, 40]);
});

test('duplicate timers fire once; namespaces and keys distinguish timers', () => {
  const { backend, service, fired } = setup();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer('w1', 10); service.registerEventTimeTimer('w1', 10);
  service.registerEventTimeTimer('w2', 10);
  backend.setCurrentKey(['a']);
  service.registerEventTimeTimer('w1', 10); service.registerEventTimeTimer('w1', 10);
  assert.is(service.numTimers().eventTime, 3);
  service.advanceWatermark(10);
  assert.equal(fired.map((f) => [f[2], f[3]]), [['a', 'w1'], ['a', 'w2'], [['a'], 'w1']]);
});

test('deleted timers do not fire', () => {
  const { backend, service, fired } = setup();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer('', 10); service.registerEventTimeTimer('', 20);
  service.registerProcessingTimeTimer('', 15);
  backend.setCurrentKey('b'); service.deleteEventTimeTimer('', 10); // other key: no effect
  backend.setCurrentKey('a'); service.deleteEventTimeTimer('', 10); service.deleteProcessingTimeTimer('', 15);
  service.advanceWatermark(100); service.advanceProcessingTime(100);
  assert.equal(fired.map((f) => [f[0], f[1]]), [['event', 20]]);
});

test('timers registered while firing that are already due fire in the same advance', () => {
  const { backend, service, fired } = setup(16, undefined, (t, svc) => {
    if (t.timestamp === 10) svc.registerEventTimeTimer('again', 12); // due: fires now
    if (t.timestamp === 12) svc.registerEventTimeTimer('later', 50); // not due
  });
  backend.setCurrentKey('k'); service.registerEventTimeTimer('', 10); service.registerEventTimeTimer('', 15);
  service.advanceWatermark(20);
  assert.equal(fired.map((f) => [f[1], f[3]]), [[10, ''], [12, 'again'], [15, '']]);
  assert.is(service.numTimers().eventTime, 1);
});

test('processing-time timers through a manual clock; nextProcessingTime', () => {
  const { clock, backend, service, fired } = setup();
  assert.is(service.nextProcessingTime(), Infinity);
  backend.setCurrentKey('x'); service.registerProcessingTimeTimer('', 100);
  backend.setCurrentKey('y'); service.registerProcessingTimeTimer('', 50);
  assert.is(service.nextProcessingTime(), 50);
  clock.advance(60);
  assert.is(service.currentProcessingTime(), 60);
  service.advanceProcessingTime(service.currentProcessingTime());
  assert.equal(fired.map((f) => [f[1], f[4]]), [[50, 'y']]);
  assert.is(service.nextProcessingTime(), 100);
  clock.advance(40); service.advanceProcessingTime(clock.now());
  assert.equal(fired.map((f) => f[1]), [50, 100]);
});

test('snapshot/restore: each subtask keeps the timers of its key groups', () => {
  const maxParallelism = 8;
  const { backend, service } = setup(maxParallelism);
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  keys.forEach((k, i) => { backend.setCurrentKey(k); service.registerEventTimeTimer(i % 2, 100 + i); service.registerProcessingTimeTimer('', 200 + i); });
  const snapshot = structuredClone(service.snapshot());
  const all: Fired[] = [];
  for (let i = 0; i < 3; i++) {
    const range = keyGroupRangeForOperator(maxParallelism, 3, i);
    const target = setup(maxParallelism, range);
    target.service.restore(snapshot);
    target.service.advanceWatermark(Infinity); target.service.advanceProcessingTime(Infinity);
    for (const f of target.fired) {
      const kg = assignToKeyGroup(f[2], maxParallelism);
      assert.ok(kg >= range.start && kg <= range.end);
    }
    all.push(...target.fired);
  }
  assert.is(all.filter((f) => f[0] === 'event').length, 40);
  assert.is(all.filter((f) => f[0] === 'processing').length, 40);
});

test('randomized: fires the same as a sorted model', () => {
  const rnd = new Random(testSeed('heap-timer-model'));
  const { backend, service, fired } = setup(16);
  const model = new Map<string, [number, string]>();
  let watermark = 0;
  for (let step = 0; step < 5000; step++) {
    const key = `k${rnd.int(0, 20)}`, ts = watermark + rnd.int(1, 100);
    backend.setCurrentKey(key);
    const op = rnd.int(0, 9);
    if (op < 6) { service.registerEventTimeTimer('', ts); model.set(`${ts}|${key}`, [ts, key]); }
    else if (op < 8) { service.deleteEventTimeTimer('', ts); model.delete(`${ts}|${key}`); }
    else {
      watermark += rnd.int(0, 30);
      fired.length = 0;
      service.advanceWatermark(watermark);
      const due = [...model.values()].filter(([t]) => t <= watermark);
      for (const [t, k] of due) model.delete(`${t}|${k}`);
      assert.equal(fired.map((f) => f[1]), due.map(([t]) => t).sort((a, b) => a - b), `step ${step}`);
      assert.equal(fired.map((f) => `${f[1]}|${f[2]}`).sort(), due.map(([t, k]) => `${t}|${k}`).sort());
    }
  }
});

test('recent timers: a repeated registration is pending once; after firing or deletion it registers anew', () => {
  const { backend, service, fired } = setup();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer(1, 10);
  service.registerEventTimeTimer(1, 10);
  service.registerEventTimeTimer(2, 10);
  assert.is(service.numTimers().eventTime, 2);
  service.deleteEventTimeTimer(2, 10);
  assert.is(service.numTimers().eventTime, 1);
  service.registerEventTimeTimer(2, 10);
  assert.is(service.numTimers().eventTime, 2);
  service.advanceWatermark(10);
  assert.equal(fired.map((f) => `${String(f[2])}/${f[3]}@${f[1]}`).sort(), ['a/1@10', 'a/2@10']);
  backend.setCurrentKey('a');
  service.registerEventTimeTimer(1, 10);
  assert.is(service.numTimers().eventTime, 1, 'fired timers are forgotten');
  backend.setCurrentKey(['x', 1]);
  service.registerEventTimeTimer(1, 20);
  backend.setCurrentKey(['x', 1]);
  service.registerEventTimeTimer(1, 20);
  assert.is(service.numTimers().eventTime, 2, 'composite keys by value');
  service.dispose();
  backend.setCurrentKey('a');
  service.registerEventTimeTimer(1, 10);
  assert.is(service.numTimers().eventTime, 1, 'disposed timers are forgotten');
});

test('recent timers: a timer registered again while it fires is pending again', () => {
  const { backend, service, fired } = setup(16, undefined, (t, svc) => {
    if (fired.length === 1) svc.registerEventTimeTimer(t.namespace, t.timestamp + 5);
    if (fired.length === 2) { svc.registerEventTimeTimer(t.namespace, 100); svc.deleteEventTimeTimer(t.namespace, 100); }
  });
  backend.setCurrentKey('a');
  service.registerEventTimeTimer('w', 10);
  service.advanceWatermark(20);
  assert.equal(fired.map((f) => f[1]), [10, 15]);
  backend.setCurrentKey('a');
  service.registerEventTimeTimer('w', 15);
  assert.is(service.numTimers().eventTime, 1);
  service.registerEventTimeTimer('w', 100);
  assert.is(service.numTimers().eventTime, 2, 'deleted while firing, then registered again');
});

test('randomized: pending timers equal a plain set, across many keys, namespaces and dropped key contexts', () => {
  const seed = testSeed('heap-timer-recent');
  const rnd = new Random(seed);
  for (const keyContextLimit of [65536, 3]) {
    const backend = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 }, keyContextLimit });
    const service = new HeapTimerService(backend, { onEventTime: () => {}, onProcessingTime: () => {} }, () => 0);
    const expected = new Set<string>();
    let watermark = 0;
    for (let i = 0; i < 5000; i++) {
      const key = `k${rnd.int(0, 5)}`;
      backend.setCurrentKey(key);
      const ns = rnd.int(0, 25);
      const ts = watermark + rnd.int(1, 40);
      if (rnd.chance(0.2)) { service.deleteEventTimeTimer(ns, ts); expected.delete(`${key}/${ns}@${ts}`); }
      else { service.registerEventTimeTimer(ns, ts); expected.add(`${key}/${ns}@${ts}`); }
      if (rnd.chance(0.05)) {
        watermark += rnd.int(0, 20);
        service.advanceWatermark(watermark);
        for (const id of [...expected]) if (Number(id.split('@')[1]) <= watermark) expected.delete(id);
      }
      const pending = service.snapshot().eventTime.map((t) => `${String(t.key)}/${t.namespace}@${t.timestamp}`).sort();
      assert.equal(pending, [...expected].sort(), `seed ${seed} step ${i}`);
    }
  }
});

test.run();
