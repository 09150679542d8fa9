import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../../../api/windowing/session-windows.ts';
import { TimeWindow } from '../../../api/windowing/time-window.ts';
import { Random, testSeed } from '../../support/random.ts';

const noCtx = { getCurrentProcessingTime: () => 0 };

test('each element opens [ts, ts + gap); dynamic gaps per element', () => {
  const s = EventTimeSessionWindows.withGap(100);
  const [w] = s.assignWindows(null, 50, noCtx);
  assert.equal([w.start, w.end], [50, 150]);
  const d = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((e) => e.gap);
  const [v] = d.assignWindows({ gap: 7 }, 10, noCtx);
  assert.equal([v.start, v.end], [10, 17]);
  assert.throws(() => d.assignWindows({ gap: 0 }, 10, noCtx), /gap must be > 0/);
  assert.throws(() => EventTimeSessionWindows.withGap(0), /gap must be > 0/);
  const p = ProcessingTimeSessionWindows.withGap(5);
  assert.equal(p.assignWindows(null, 0, { getCurrentProcessingTime: () => 40 }).map((x) => [x.start, x.end]), [[40, 45]]);
});

test('namespaces encode start and end', () => {
  const s = EventTimeSessionWindows.withGap(100);
  const w = new TimeWindow(-5, 123);
  assert.ok(s.windowOf(s.namespaceOf(w)).equals(w));
});

test('randomized: mergeWindows reports exactly the groups of overlapping windows', () => {
  const seed = testSeed('session-merge');
  const rnd = new Random(seed);
  for (let round = 0; round < 2000; round++) {
    const windows: TimeWindow[] = [];
    for (let i = rnd.int(1, 8); i > 0; i--) { const s = rnd.int(0, 200); windows.push(new TimeWindow(s, s + rnd.int(1, 40))); }
    const groups: Array<[TimeWindow[], TimeWindow]> = [];
    EventTimeSessionWindows.withGap(10).mergeWindows(windows, (g, r) => groups.push([g, r]));
    // Reference: union-find over intersecting pairs, then the cover of each component.
    const parent = windows.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (let i = 0; i < windows.length; i++) for (let j = i + 1; j < windows.length; j++) {
      if (windows[i].intersects(windows[j])) parent[find(i)] = find(j);
    }
    const comps = new Map<number, TimeWindow[]>();
    windows.forEach((w, i) => { const r = find(i); comps.set(r, [...(comps.get(r) ?? []), w]); });
    const expected = [...comps.values()].filter((c) => c.length > 1)
      .map((c) => `${Math.min(...c.map((w) => w.start))}:${Math.max(...c.map((w) => w.end))}/${c.length}`).sort();
    const got = groups.map(([g, r]) => `${r.start}:${r.end}/${g.length}`).sort();
    assert.equal(got, expected, `seed ${seed}`);
  }
});

test.run();
