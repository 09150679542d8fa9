import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { MergingWindowSet, type MergingWindowSetState } from '../../../api/windowing/merging-window-set.ts';
import { EventTimeSessionWindows } from '../../../api/windowing/session-windows.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { Random, testSeed } from '../../support/random.ts';

function fixture() {
  const backend = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
  backend.setCurrentKey('k');
  const state = backend.getValueState(new ValueStateDescriptor<MergingWindowSetState>('mws'));
  const assigner = EventTimeSessionWindows.withGap(10);
  return { state, assigner, load: () => new MergingWindowSet(assigner, state) };
}

const w = (s: number, e: number) => new TimeWindow(s, e);

test('a new window keeps its own state window; merging keeps one of the merged state windows', () => {
  const f = fixture();
  const set = f.load();
  const merges: string[] = [];
  const log = (r: TimeWindow, m: TimeWindow[], sr: TimeWindow, ms: TimeWindow[]) => merges.push(`${r} <- ${m.join(' ')} | ${sr} <- ${ms.join(' ')}`);
  assert.ok(set.addWindow(w(0, 10), log).equals(w(0, 10)));
  assert.ok(set.addWindow(w(20, 30), log).equals(w(20, 30)));
  assert.equal(merges, []);
  const result = set.addWindow(w(8, 22), log);
  assert.ok(result.equals(w(0, 30)));
  assert.is(merges.length, 1);
  assert.ok(merges[0].startsWith('TimeWindow{start=0, end=30} <- TimeWindow{start=0, end=10} TimeWindow{start=20, end=30}'));
  // The state window of the result is one of the two old ones; the other is merged into it.
  const sw = set.getStateWindow(w(0, 30))!;
  assert.ok(sw.equals(w(0, 10)) || sw.equals(w(20, 30)));
  assert.is(set.getStateWindow(w(0, 10)), undefined);
  set.persist();
  const again = f.load();
  assert.ok(again.getStateWindow(w(0, 30))!.equals(sw));
  again.retireWindow(w(0, 30));
  again.persist();
  assert.is(f.state.value(), undefined);
  assert.throws(() => again.retireWindow(w(0, 30)), /not in the merging window set/);
});

test('a window inside an existing one only relabels (no merge call)', () => {
  const f = fixture();
  const set = f.load();
  let calls = 0;
  set.addWindow(w(0, 20), () => calls++);
  const r = set.addWindow(w(5, 15), () => calls++);
  assert.ok(r.equals(w(0, 20)));
  assert.is(calls, 0);
  const same = set.addWindow(w(0, 20), () => calls++);
  assert.ok(same.equals(w(0, 20)));
  assert.is(calls, 0);
});

test('randomized: in-flight windows stay disjoint and cover every added window', () => {
  const seed = testSeed('merging-window-set');
  const rnd = new Random(seed);
  for (let round = 0; round < 300; round++) {
    const f = fixture();
    const added: TimeWindow[] = [];
    for (let i = 0; i < 15; i++) {
      const set = f.load();
      const s = rnd.int(0, 300);
      const nw = w(s, s + rnd.int(1, 30));
      added.push(nw);
      const result = set.addWindow(nw, () => {});
      assert.ok(result.start <= nw.start && result.end >= nw.end, `seed ${seed}`);
      set.persist();
    }
    const windows = (f.state.value() ?? []).map(([ns]) => TimeWindow.fromNamespace(ns)).sort((a, b) => a.start - b.start);
    for (let i = 1; i < windows.length; i++) assert.ok(!windows[i - 1].intersects(windows[i]), `seed ${seed}: overlapping ${windows}`);
    for (const a of added) assert.ok(windows.some((x) => x.start <= a.start && x.end >= a.end), `seed ${seed}: ${a} not covered`);
  }
});

test.run();
