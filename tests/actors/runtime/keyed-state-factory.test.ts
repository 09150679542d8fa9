// The keyed state factory: heap backends for a key-group range, and timer services whose
// processing-time timers schedule wake-ups through the mailbox hook, earliest first.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKeyedStateBackend, createTimerService, loadHeapState } from '../../../actors/runtime/keyed-state-factory.ts';
import type { Timer } from '../../../state/timer-service.ts';

test('backends cover their key-group range; timers wake the subtask at the earliest due time', async () => {
  await loadHeapState();
  let now = 0;
  const backend = createKeyedStateBackend(128, { start: 0, end: 63 }, () => now);
  assert.equal(backend.keyGroupRange, { start: 0, end: 63 });
  const wakeups: Array<{ at: number; cb: (t: number) => void; cancelled: boolean }> = [];
  const fired: string[] = [];
  const timers = createTimerService(backend, {
    onEventTime: (t: Timer) => fired.push(`e${t.timestamp}:${String(t.key)}`),
    onProcessingTime: (t: Timer) => fired.push(`p${t.timestamp}:${String(t.key)}`),
  }, () => now, (at, cb) => { const w = { at, cb, cancelled: false }; wakeups.push(w); return () => { w.cancelled = true; }; });
  backend.setCurrentKey('k1');
  timers.registerProcessingTimeTimer('', 50);
  timers.registerProcessingTimeTimer('', 30);
  timers.registerEventTimeTimer('', 10);
  const live = () => wakeups.filter((w) => !w.cancelled).map((w) => w.at);
  assert.equal(live(), [30]);
  now = 30;
  wakeups.find((w) => w.at === 30 && !w.cancelled)!.cb(30);
  assert.equal(fired, ['p30:k1']);
  assert.equal(live().slice(-1), [50]);
  timers.deleteProcessingTimeTimer('', 50);
  assert.equal(live().filter((t) => t === 50), []);
  timers.advanceWatermark(10);
  assert.equal(fired, ['p30:k1', 'e10:k1']);
});

test.run();
