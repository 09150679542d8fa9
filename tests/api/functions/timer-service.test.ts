// The user-facing timer services, keyed and not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyedTimerService, NonKeyedTimerService } from '../../../api/functions/timer-service.ts';
import type { InternalTimerService } from '../../../state/timer-service.ts';

test('keyed: registers and deletes in the void namespace', () => {
  const calls: string[] = [];
  const inner = new Proxy({}, { get: (_t, name) => (...args: unknown[]) => { calls.push(`${String(name)}(${args.join(',')})`); return 7; } }) as InternalTimerService;
  const ts = new KeyedTimerService(inner);
  ts.registerEventTimeTimer(5); ts.deleteEventTimeTimer(5); ts.registerProcessingTimeTimer(6); ts.deleteProcessingTimeTimer(6);
  assert.is(ts.currentWatermark(), 7);
  assert.equal(calls, ['registerEventTimeTimer(,5)', 'deleteEventTimeTimer(,5)', 'registerProcessingTimeTimer(,6)', 'deleteProcessingTimeTimer(,6)', 'currentWatermark()']);
});

test('non-keyed: reads time, refuses timers', () => {
  const ts = new NonKeyedTimerService(() => 100, () => 5);
  assert.is(ts.currentProcessingTime(), 100);
  assert.is(ts.currentWatermark(), 5);
  assert.throws(() => ts.registerEventTimeTimer(1), /keyed stream/);
  assert.throws(() => ts.deleteProcessingTimeTimer(1), /keyed stream/);
});

test.run();
