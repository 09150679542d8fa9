import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CountTrigger } from '../../../api/windowing/count-trigger.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { triggerFixture } from './trigger-fixture.ts';

test('fires every maxCount elements, per window', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = CountTrigger.of<unknown, TimeWindow>(3);
  const a = new TimeWindow(0, 10);
  const b = new TimeWindow(10, 20);
  const results = [a, a, b, a, a, a, a].map((w) => t.onElement(null, 0, w, f.at(w)));
  assert.equal(results, ['CONTINUE', 'CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE', 'CONTINUE', 'FIRE']);
  assert.throws(() => CountTrigger.of(0), /maxCount >= 1/);
});

test('merging adds the counts of the merged windows; clear forgets the count', () => {
  const f = triggerFixture<TimeWindow>(TimeWindow.toNamespace);
  const t = CountTrigger.of<unknown, TimeWindow>(4);
  const a = new TimeWindow(0, 10);
  const b = new TimeWindow(5, 15);
  const m = new TimeWindow(0, 15);
  t.onElement(null, 0, a, f.at(a));
  t.onElement(null, 0, a, f.at(a));
  t.onElement(null, 0, b, f.at(b));
  const ctx = f.at(m);
  ctx.mergedNamespaces = [TimeWindow.toNamespace(a), TimeWindow.toNamespace(b)];
  t.onMerge(m, ctx);
  ctx.mergedNamespaces = [];
  assert.is(t.onElement(null, 0, m, f.at(m)), 'FIRE');
  t.onElement(null, 0, m, f.at(m));
  t.clear(m, f.at(m));
  assert.is(t.onElement(null, 0, m, f.at(m)), 'CONTINUE');
});

test.run();
