import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventTimeTrigger } from '../../../api/windowing/event-time-trigger.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { triggerFixture } from './trigger-fixture.ts';

const w = new TimeWindow(0, 1000);

test('registers a timer at maxTimestamp and fires exactly then', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = EventTimeTrigger.create();
  assert.is(t.onElement(null, 10, w, f.at(w)), 'CONTINUE');
  assert.equal(f.pending(), ['event@999']);
  assert.is(t.onEventTime(998, w, f.ctx), 'CONTINUE');
  assert.is(t.onEventTime(999, w, f.ctx), 'FIRE');
  assert.is(t.onProcessingTime(999, w, f.ctx), 'CONTINUE');
  t.clear(w, f.ctx);
  assert.equal(f.pending(), []);
});

test('fires at once for a window the watermark already passed (late firing)', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  f.state.watermark = 999;
  assert.is(EventTimeTrigger.create().onElement(null, 10, w, f.at(w)), 'FIRE');
  assert.equal(f.pending(), []);
});

test('merging re-registers the merged window timer only when still ahead of the watermark', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = EventTimeTrigger.create();
  assert.ok(t.canMerge());
  t.onMerge(w, f.at(w));
  assert.equal(f.pending(), ['event@999']);
  f.state.watermark = 5000;
  const late = new TimeWindow(1000, 2000);
  t.onMerge(late, f.at(late));
  assert.equal(f.pending(), ['event@999']);
});

test.run();
