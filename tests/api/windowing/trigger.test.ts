import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isFire, isPurge, Trigger, type TriggerResult } from '../../../api/windowing/trigger.ts';
import type { TimeWindow } from '../../../api/windowing/time-window.ts';

test('trigger results: which fire, which purge', () => {
  const all: TriggerResult[] = ['CONTINUE', 'FIRE', 'PURGE', 'FIRE_AND_PURGE'];
  assert.equal(all.map(isFire), [false, true, false, true]);
  assert.equal(all.map(isPurge), [false, false, true, true]);
});

test('custom triggers extend Trigger; merging is optional', () => {
  class EveryOther extends Trigger<number, TimeWindow> {
    private n = 0;
    onElement(): TriggerResult { return ++this.n % 2 === 0 ? 'FIRE_AND_PURGE' : 'CONTINUE'; }
    onEventTime(): TriggerResult { return 'CONTINUE'; }
    onProcessingTime(): TriggerResult { return 'CONTINUE'; }
    clear(): void {}
  }
  const t = new EveryOther();
  assert.equal([t.onElement(), t.onElement()], ['CONTINUE', 'FIRE_AND_PURGE']);
  assert.is(t.canMerge, undefined);
});

test.run();
