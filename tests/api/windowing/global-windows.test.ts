import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EndOfStreamTrigger, GlobalWindows, NeverTrigger } from '../../../api/windowing/global-windows.ts';
import { SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { GlobalWindow } from '../../../api/windowing/time-window.ts';
import { WindowOperator } from '../../../api/windowing/window-operator.ts';
import { ReducingStateDescriptor } from '../../../state/state-descriptors.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };

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

test('createWithEndOfStreamTrigger: each key\'s window fires once, when the end of input\'s watermark arrives', async () => {
  const g = GlobalWindows.createWithEndOfStreamTrigger<E>();
  assert.ok(g.getDefaultTrigger() instanceof EndOfStreamTrigger);
  assert.ok(g.getDefaultTrigger().canMerge?.());
  const op = new WindowOperator<E, E, string, string, GlobalWindow>({
    assigner: g, trigger: g.getDefaultTrigger(), contents: new ReducingStateDescriptor<E>('c', (a, b) => ({ key: a.key, v: a.v + b.v })),
    windowFunction: new SingleValueWindowFunction<E, string, string, GlobalWindow>((key, _w, input, out) => out.collect(`${key}=${[...input][0].v}`)),
  });
  const h = await new OneInputHarness<E, string>(op, (x) => x.key).open();
  for (const [key, v, ts] of [['key2', 1, 3000], ['key2', 1, 3999], ['key1', 1, 20], ['key1', 1, 0], ['key1', 1, 999], ['key2', 1, 1998], ['key2', 1, 1999], ['key2', 1, 1000]] as const) {
    h.processElement({ key, v }, ts);
  }
  h.processWatermark(1e15);
  assert.equal(h.output.records(), [], 'no watermark short of the end fires it');
  assert.is(h.timerServices.get('window-timers')!.numTimers().eventTime, 2, 'one timer per key, however many elements');
  h.processWatermark(Infinity);
  assert.equal(h.output.records().map((r) => `${r.value}@${r.timestamp}`).sort(), ['key1=3@Infinity', 'key2=5@Infinity']);
  assert.equal(h.output.watermarks(), [1e15, Infinity]);
});

test.run();
