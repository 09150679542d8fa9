import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProcessingTimeTrigger } from '../../../api/windowing/processing-time-trigger.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { triggerFixture } from './trigger-fixture.ts';

test('registers a processing-time timer at maxTimestamp, fires on it, clears it', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = ProcessingTimeTrigger.create();
  const w = new TimeWindow(0, 100);
  assert.is(t.onElement(null, -Infinity, w, f.at(w)), 'CONTINUE');
  assert.equal(f.pending(), ['proc@99']);
  assert.is(t.onProcessingTime(99, w, f.ctx), 'FIRE');
  assert.is(t.onEventTime(99, w, f.ctx), 'CONTINUE');
  t.clear(w, f.ctx);
  assert.equal(f.pending(), []);
  f.state.now = 50;
  t.onMerge(w, f.at(w));
  assert.equal(f.pending(), ['proc@99']);
});

test.run();
