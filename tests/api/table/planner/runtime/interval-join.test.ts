import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RuntimeContext } from '../../../../../api/functions/runtime-context.ts';
import { IntervalJoinFunction } from '../../../../../api/table/planner/runtime/interval-join.ts';
import type { Change } from '../../../../../api/table/types/row.ts';

/** An interval join on one key with map state in plain Maps and a settable watermark. */
function harness(lower: number, upper: number) {
  const maps = new Map<string, Map<unknown, unknown>>();
  const ctx = {
    getMapState: (d: { name: string }) => {
      const m = maps.get(d.name) ?? new Map();
      maps.set(d.name, m);
      return {
        get: (k: unknown) => m.get(k), put: (k: unknown, v: unknown) => { m.set(k, v); }, remove: (k: unknown) => { m.delete(k); },
        entries: () => m.entries(), values: () => m.values(), keys: () => m.keys(), contains: (k: unknown) => m.has(k),
        isEmpty: () => m.size === 0, clear: () => m.clear(), putAll: () => {},
      };
    },
  } as unknown as RuntimeContext;
  const fn = new IntervalJoinFunction({ leftTime: 0, rightTime: 0, lower, upper });
  fn.open(ctx);
  const out: Change[] = [];
  const timers: number[] = [];
  let watermark = -Infinity;
  const collector = { collect: (c: Change) => out.push(c) };
  const kctx = {
    getCurrentKey: () => '[1]',
    timerService: () => ({ currentWatermark: () => watermark, registerEventTimeTimer: (t: number) => timers.push(t) }),
  } as never;
  return {
    out, maps,
    left: (t: number) => fn.processElement1({ op: '+I', row: [t, 'L'] }, kctx, collector),
    right: (t: number) => fn.processElement2({ op: '+I', row: [t, 'R'] }, kctx, collector),
    /** Advances the watermark to `w`, firing due timers. */
    advance: (w: number) => {
      watermark = w;
      for (const t of timers.splice(0).sort((a, b) => a - b)) { if (t <= w) fn.onTimer(t, kctx, collector); else timers.push(t); }
    },
  };
}

test('rows join within the bounds, from either side, and late rows are dropped', () => {
  const h = harness(-1000, 2000); // right time in [left - 1 s, left + 2 s]
  h.left(10_000);
  h.right(9000); // = left - 1000: joins
  h.right(12_001); // beyond left + 2000: no
  h.left(11_000); // right 9000 is left - 2000: no; right 12001 = left + 1001: joins
  assert.equal(h.out.map((c) => c.row), [[10_000, 'L', 9000, 'R'], [11_000, 'L', 12_001, 'R']]);
  h.advance(11_500);
  h.left(11_000); // behind the watermark: late, dropped
  assert.is(h.out.length, 2);
});

test('buffered rows are dropped once the watermark shows no row of the other side can match them', () => {
  const h = harness(0, 5000);
  h.left(1000);
  h.right(2000);
  assert.is(h.maps.get('interval-left')!.size, 1);
  // A left row at 1000 matches right rows up to 6000; right rows at or after the watermark may still come.
  h.advance(6000);
  assert.is(h.maps.get('interval-left')!.size, 1, 'a right row at 6000 could still join');
  h.advance(6001);
  assert.is(h.maps.get('interval-left')!.size, 0);
  // The right row at 2000 matches left rows in [-3000, 2000]: gone once the watermark passes 2000.
  assert.is(h.maps.get('interval-right')!.size, 0);
});

test.run();
