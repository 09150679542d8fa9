import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GlobalWindows, NeverTrigger } from '../../../api/windowing/global-windows.ts';
import { GlobalWindow } from '../../../api/windowing/time-window.ts';

const noCtx = { getCurrentProcessingTime: () => 0 };

test('every element goes to the one global window, which never ends', () => {
  const g = GlobalWindows.create();
  const [w] = g.assignWindows(null, 0, noCtx);
  assert.is(w, GlobalWindow.get());
  assert.is(w.maxTimestamp(), Infinity);
  assert.is(g.windowOf(g.namespaceOf(w)), w);
  assert.not.ok(g.isEventTime());
  const t = g.getDefaultTrigger();
  assert.ok(t instanceof NeverTrigger);
  assert.is(t.onElement(), 'CONTINUE');
});

test.run();
