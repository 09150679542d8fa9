// Property tests of the window operator: random keyed streams with bounded disorder and
// watermarks that never make an element late; every window must fire exactly once with exactly
// the elements a plain loop assigns to it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../../api/functions/process-window-function.ts';
import { ListStateDescriptor, ReducingStateDescriptor } from '../../../state/state-descriptors.ts';
import { IterableWindowFunction, SingleValueWindowFunction } from '../../../api/windowing/internal-window-function.ts';
import { EventTimeSessionWindows } from '../../../api/windowing/session-windows.ts';
import { SlidingEventTimeWindows } from '../../../api/windowing/sliding-windows.ts';
import { TumblingEventTimeWindows } from '../../../api/windowing/tumbling-windows.ts';
import type { TimeWindow } from '../../../api/windowing/time-window.ts';
import type { WindowAssigner } from '../../../api/windowing/window-assigner.ts';
import { WindowOperator } from '../../../api/windowing/window-operator.ts';
import { Random, testSeed } from '../../support/random.ts';
import { OneInputHarness } from './operator-harness.ts';

type E = { key: string; v: number };

class Describe extends ProcessWindowFunction<E, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<E>, out: Collector<string>): void {
    out.collect(`${key}|${ctx.window.start}|${ctx.window.end}|${[...elements].map((e) => e.v).sort((a, b) => a - b).join(',')}`);
  }
}

/** A random stream: [element, timestamp] with disorder at most `disorder`, and where watermarks go. */
function randomStream(rnd: Random, n: number, disorder: number, extraLag = 0) {
  const events: Array<{ e: E; ts: number; watermarkAfter?: number }> = [];
  let maxTs = 0;
  let wm = -Infinity;
  for (let i = 0; i < n; i++) {
    const ts = Math.max(0, maxTs + rnd.int(-disorder, 6));
    maxTs = Math.max(maxTs, ts);
    const ev: { e: E; ts: number; watermarkAfter?: number } = { e: { key: `k${rnd.int(0, 4)}`, v: i }, ts };
    if (rnd.chance(0.15) && maxTs - disorder - 1 - extraLag > wm) { wm = maxTs - disorder - 1 - extraLag; ev.watermarkAfter = wm; }
    events.push(ev);
  }
  return events;
}

async function run(assigner: WindowAssigner<E, TimeWindow>, events: ReturnType<typeof randomStream>): Promise<string[]> {
  const op = new WindowOperator<E, Iterable<E>, string, string, TimeWindow>({
    assigner, trigger: assigner.getDefaultTrigger(), contents: new ListStateDescriptor<E>('window-contents'),
    windowFunction: new IterableWindowFunction<E, string, string, TimeWindow>(new Describe()),
  });
  const h = await new OneInputHarness<E, string>(op, (e) => e.key).open();
  for (const ev of events) {
    h.processElement(ev.e, ev.ts);
    if (ev.watermarkAfter !== undefined) h.processWatermark(ev.watermarkAfter);
  }
  h.processWatermark(Infinity);
  assert.is(op.numLateRecordsDropped, 0);
  return h.output.records().map((r) => r.value).sort();
}

function reference(windowsOf: (ts: number) => Array<[number, number]>, events: ReturnType<typeof randomStream>): string[] {
  const groups = new Map<string, number[]>();
  for (const { e, ts } of events) {
    for (const [s, end] of windowsOf(ts)) {
      const id = `${e.key}|${s}|${end}`;
      const list = groups.get(id) ?? [];
      list.push(e.v);
      groups.set(id, list);
    }
  }
  return [...groups].map(([id, vs]) => `${id}|${vs.sort((a, b) => a - b).join(',')}`).sort();
}

test('tumbling windows match a plain loop', async () => {
  const seed = testSeed('tumbling-property');
  const rnd = new Random(seed);
  for (let round = 0; round < 30; round++) {
    const size = rnd.int(1, 60);
    const events = randomStream(rnd, 400, rnd.int(0, 30));
    const expected = reference((ts) => { const s = ts - (ts % size); return [[s, s + size]]; }, events);
    assert.equal(await run(TumblingEventTimeWindows.of<E>(size), events), expected, `seed ${seed} round ${round}`);
  }
});

test('sliding windows match a plain loop', async () => {
  const seed = testSeed('sliding-property');
  const rnd = new Random(seed);
  for (let round = 0; round < 20; round++) {
    const slide = rnd.int(1, 20);
    const size = slide * rnd.int(1, 4) + rnd.int(0, slide - 1);
    const events = randomStream(rnd, 300, rnd.int(0, 30));
    const expected = reference((ts) => {
      const out: Array<[number, number]> = [];
      for (let s = ts - (ts % slide); s > ts - size; s -= slide) out.push([s, s + size]);
      return out;
    }, events);
    assert.equal(await run(SlidingEventTimeWindows.of<E>(size, slide), events), expected, `seed ${seed} round ${round}`);
  }
});

test('session windows match a plain loop (sort, split where the gap is exceeded)', async () => {
  const seed = testSeed('session-property');
  const rnd = new Random(seed);
  for (let round = 0; round < 30; round++) {
    const gap = rnd.int(1, 15);
    // Watermarks lag one more gap, so that no element touches a session that already fired
    // (whether touching sessions merge then depends on watermark timing, as in Flink).
    const events = randomStream(rnd, 300, rnd.int(0, 30), gap);
    const byKey = new Map<string, Array<[number, number]>>();
    for (const { e, ts } of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), [ts, e.v]]);
    const expected: string[] = [];
    for (const [key, list] of byKey) {
      list.sort((a, b) => a[0] - b[0]);
      let start = list[0][0];
      let end = start + gap;
      let vs: number[] = [];
      for (const [ts, v] of list) {
        if (ts > end) { expected.push(`${key}|${start}|${end}|${vs.sort((a, b) => a - b).join(',')}`); start = ts; end = ts + gap; vs = []; }
        end = Math.max(end, ts + gap);
        vs.push(v);
      }
      expected.push(`${key}|${start}|${end}|${vs.sort((a, b) => a - b).join(',')}`);
    }
    assert.equal(await run(EventTimeSessionWindows.withGap<E>(gap), events), expected.sort(), `seed ${seed} round ${round}`);
  }
});

test('reduce and list contents agree (incremental state vs buffered elements)', async () => {
  const seed = testSeed('reduce-property');
  const rnd = new Random(seed);
  const events = randomStream(rnd, 2000, 20);
  const assigner = SlidingEventTimeWindows.of<E>(50, 10);
  const op = new WindowOperator<E, E, E, string, TimeWindow>({
    assigner, trigger: assigner.getDefaultTrigger(), contents: new ReducingStateDescriptor<E>('c', (a, b) => ({ key: a.key, v: a.v + b.v })),
    windowFunction: new SingleValueWindowFunction<E, E, string, TimeWindow>(undefined),
  });
  const h = await new OneInputHarness<E, E>(op, (e) => e.key).open();
  for (const ev of events) { h.processElement(ev.e, ev.ts); if (ev.watermarkAfter !== undefined) h.processWatermark(ev.watermarkAfter); }
  h.processWatermark(Infinity);
  const got = h.output.records().map((r) => `${r.value.key}|${r.timestamp + 1}|${r.value.v}`).sort();
  const expected = reference((ts) => {
    const out: Array<[number, number]> = [];
    for (let s = ts - (ts % 10); s > ts - 50; s -= 10) out.push([s, s + 50]);
    return out;
  }, events).map((line) => { const [k, , end, vs] = line.split('|'); return `${k}|${end}|${vs.split(',').reduce((a, b) => a + Number(b), 0)}`; }).sort();
  assert.equal(got, expected, `seed ${seed}`);
});

test.run();
