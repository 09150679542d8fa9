import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { EventTimeTrigger } from '../../../api/windowing/event-time-trigger.ts';
import { PurgingTrigger } from '../../../api/windowing/purging-trigger.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { triggerFixture } from './trigger-fixture.ts';

test('turns FIRE into FIRE_AND_PURGE and passes everything else through', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const w = new TimeWindow(0, 10);
  const t = PurgingTrigger.of(CountTrigger.of<unknown, TimeWindow>(2));
  assert.equal([t.onElement(null, 0, w, f.at(w)), t.onElement(null, 0, w, f.at(w))], ['CONTINUE', 'FIRE_AND_PURGE']);
  const e = PurgingTrigger.of(EventTimeTrigger.create());
  assert.is(e.onElement(null, 0, w, f.at(w)), 'CONTINUE');
  assert.is(e.onEventTime(9, w, f.ctx), 'FIRE_AND_PURGE');
  assert.is(e.onEventTime(8, w, f.ctx), 'CONTINUE');
  assert.ok(e.canMerge());
  e.clear(w, f.ctx);
  assert.equal(f.pending(), []);
});

test.run();
