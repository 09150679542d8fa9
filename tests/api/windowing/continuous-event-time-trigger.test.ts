import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ContinuousEventTimeTrigger } from '../../../api/windowing/continuous-event-time-trigger.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { triggerFixture } from './trigger-fixture.ts';

test('fires every interval of event time and at the window end', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = ContinuousEventTimeTrigger.of<unknown, TimeWindow>(100);
  const w = new TimeWindow(0, 1000);
  assert.is(t.onElement(null, 150, w, f.at(w)), 'CONTINUE');
  assert.equal(f.pending(), ['event@200', 'event@999']);
  t.onElement(null, 160, w, f.at(w));
  assert.equal(f.pending(), ['event@200', 'event@999']);
  // Called directly, not from the timer service, so the 200 timer stays registered.
  assert.is(t.onEventTime(200, w, f.at(w)), 'FIRE');
  assert.equal(f.pending(), ['event@200', 'event@300', 'event@999']);
  assert.is(t.onEventTime(250, w, f.at(w)), 'CONTINUE');
  assert.is(t.onEventTime(999, w, f.at(w)), 'FIRE');
  t.clear(w, f.at(w));
  assert.equal(f.pending(), ['event@200', 'event@999']);
  f.state.watermark = 999;
  assert.is(t.onElement(null, 10, w, f.at(w)), 'FIRE');
});

test.run();
