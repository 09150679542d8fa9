import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import { ProcessJoinFunction, type ProcessJoinContext } from '../../../api/functions/process-join-function.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import { IntervalJoinOperator, type IntervalJoinBounds } from '../../../api/windowing/interval-join-operator.ts';
import { MapStateDescriptor } from '../../../state/state-descriptors.ts';
import { Random, testSeed } from '../../support/random.ts';
import { TwoInputHarness } from './operator-harness.ts';

type L = { k: string; id: string };
type R = { k: string; id: string };

class Pair extends ProcessJoinFunction<L, R, string> {
  processElement(left: L, right: R, ctx: ProcessJoinContext, out: Collector<string>): void {
    out.collect(`${left.id}+${right.id}@${ctx.getLeftTimestamp()}/${ctx.getRightTimestamp()}`);
  }
}

async function harness(bounds: IntervalJoinBounds, fn: ProcessJoinFunction<L, R, string> = new Pair()) {
  const op = new IntervalJoinOperator<L, R, string>(bounds, fn);
  return { op, h: await new TwoInputHarness<L, R, string>(op, (l) => l.k, (r) => r.k).open() };
}

test('joins right.ts within [left.ts + lower, left.ts + upper], in both arrival orders, stamped max(ts)', async () => {
  const { h } = await harness({ lowerBound: -2, upperBound: 3 });
  h.processElement1({ k: 'a', id: 'L10' }, 10);
  h.processElement2({ k: 'a', id: 'R7' }, 7);
  h.processElement2({ k: 'a', id: 'R8' }, 8);
  h.processElement2({ k: 'a', id: 'R13' }, 13);
  h.processElement2({ k: 'a', id: 'R14' }, 14);
  h.processElement2({ k: 'b', id: 'Rb' }, 10);
  h.processElement1({ k: 'a', id: 'L11' }, 11);
  assert.equal(h.output.records().map((r) => `${r.value}#${r.timestamp}`), [
    'L10+R8@10/8#10', 'L10+R13@10/13#13', 'L11+R13@11/13#13', 'L11+R14@11/14#14',
  ]);
});

test('exclusive bounds, late elements dropped, buffers cleaned once the watermark passes', async () => {
  const { h } = await harness({ lowerBound: 0, upperBound: 5, lowerBoundInclusive: false, upperBoundInclusive: false });
  h.processElement1({ k: 'a', id: 'L' }, 10);
  for (const t of [10, 11, 14, 15]) h.processElement2({ k: 'a', id: `R${t}` }, t);
  assert.equal(h.output.records().map((r) => r.value), ['L+R11@10/11', 'L+R14@10/14']);
  h.processWatermark(20);
  assert.equal(h.timerServices.get('interval-join-timers')!.numTimers().eventTime, 0);
  h.processElement2({ k: 'a', id: 'late' }, 12);
  h.processElement1({ k: 'a', id: 'L2' }, 25);
  h.processElement2({ k: 'a', id: 'R26' }, 26);
  assert.equal(h.output.records().map((r) => r.value).slice(2), ['L2+R26@25/26']);
  assert.equal(h.output.watermarks(), [20]);
});

test('side outputs from the join context; missing timestamps are an error', async () => {
  const tag = new OutputTag<string>('pairs');
  class Side extends ProcessJoinFunction<L, R, string> {
    processElement(l: L, r: R, ctx: ProcessJoinContext): void { ctx.output(tag, `${l.id}${r.id}@${ctx.getTimestamp()}`); }
  }
  const { h } = await harness({ lowerBound: -1, upperBound: 1 }, new Side());
  h.processElement1({ k: 'a', id: 'x' }, 5);
  h.processElement2({ k: 'a', id: 'y' }, 6);
  assert.equal(h.output.side('pairs'), ['xy@6']);
  assert.throws(() => h.processElement1({ k: 'a', id: 'z' }, -Infinity), /need timestamps/);
  assert.throws(() => new IntervalJoinOperator({ lowerBound: 5, upperBound: 1 }, new Pair()), /lower bound/);
});

test('property: random streams with bounded disorder match a plain nested loop', async () => {
  const seed = testSeed('interval-join');
  const rnd = new Random(seed);
  for (let round = 0; round < 40; round++) {
    const lower = rnd.int(-20, 10);
    const upper = lower + rnd.int(0, 25);
    const disorder = rnd.int(0, 15);
    const { h } = await harness({ lowerBound: lower, upperBound: upper });
    const lefts: Array<[L, number]> = [];
    const rights: Array<[R, number]> = [];
    let maxTs = 0;
    let watermark = -Infinity;
    for (let i = 0; i < 300; i++) {
      const ts = Math.max(0, maxTs + rnd.int(-disorder, 4));
      if (ts < watermark + 1) continue;
      maxTs = Math.max(maxTs, ts);
      const k = `k${rnd.int(0, 3)}`;
      if (rnd.chance(0.5)) { const l = { k, id: `L${i}` }; lefts.push([l, ts]); h.processElement1(l, ts); }
      else { const r = { k, id: `R${i}` }; rights.push([r, ts]); h.processElement2(r, ts); }
      if (rnd.chance(0.1) && maxTs - disorder - 1 > watermark) { watermark = maxTs - disorder - 1; h.processWatermark(watermark); }
    }
    h.processWatermark(Infinity);
    const expected: string[] = [];
    for (const [l, lt] of lefts) for (const [r, rt] of rights) {
      if (l.k === r.k && rt >= lt + lower && rt <= lt + upper) expected.push(`${l.id}+${r.id}@${lt}/${rt}`);
    }
    assert.equal(h.output.records().map((r) => r.value).sort(), expected.sort(), `seed ${seed} round ${round}`);
  }
});

// The scenarios below follow Flink's interval join operator tests: elements of key 'a' at
// timestamps 1..4 on both sides, each side's watermark following its own elements; the operator's
// watermark is the smaller of the two, as the runtime combines them.
/** Emits "leftTs,rightTs" per pair. */
class Stamps extends ProcessJoinFunction<L, R, string> {
  processElement(_l: L, _r: R, ctx: ProcessJoinContext, out: Collector<string>): void { out.collect(`${ctx.getLeftTimestamp()},${ctx.getRightTimestamp()}`); }
}

/** Drives both sides with their own watermarks, the operator seeing the smaller one. */
function sides(h: TwoInputHarness<L, R, string>) {
  let wm1 = -Infinity;
  let wm2 = -Infinity;
  let combined = -Infinity;
  const advance = () => { const wm = Math.min(wm1, wm2); if (wm > combined) h.processWatermark(combined = wm); };
  return {
    left: (ts: number) => h.processElement1({ k: 'a', id: `l${ts}` }, ts),
    right: (ts: number) => h.processElement2({ k: 'a', id: `r${ts}` }, ts),
    watermark1: (ts: number) => { wm1 = ts; advance(); },
    watermark2: (ts: number) => { wm2 = ts; advance(); },
  };
}

test('bounds of every sign, inclusive and exclusive, in both arrival orders (Flink\'s cases)', async () => {
  const cases: Array<[IntervalJoinBounds, string[]]> = [
    [{ lowerBound: 1, upperBound: 3, upperBoundInclusive: false }, ['1,2', '1,3', '2,3', '2,4', '3,4']],
    [{ lowerBound: -3, upperBound: -1, lowerBoundInclusive: false }, ['2,1', '3,1', '3,2', '4,2', '4,3']],
    [{ lowerBound: -2, upperBound: -1 }, ['2,1', '3,1', '3,2', '4,2', '4,3']],
    [{ lowerBound: -1, upperBound: 1 }, ['1,1', '1,2', '2,1', '2,2', '2,3', '3,2', '3,3', '3,4', '4,3', '4,4']],
    [{ lowerBound: 1, upperBound: 2 }, ['1,2', '1,3', '2,3', '2,4', '3,4']],
    [{ lowerBound: -3, upperBound: -1, lowerBoundInclusive: false, upperBoundInclusive: false }, ['3,1', '4,2']],
    [{ lowerBound: -1, upperBound: 1, lowerBoundInclusive: false, upperBoundInclusive: false }, ['1,1', '2,2', '3,3', '4,4']],
    [{ lowerBound: 1, upperBound: 3, lowerBoundInclusive: false, upperBoundInclusive: false }, ['1,3', '2,4']],
  ];
  for (const [bounds, expected] of cases) {
    for (const leftFirst of [true, false]) {
      const { op, h } = await harness(bounds, new Stamps());
      const d = sides(h);
      const feedLeft = () => { for (let t = 1; t <= 4; t++) { d.left(t); d.watermark1(t); } };
      const feedRight = () => { for (let t = 1; t <= 4; t++) { d.right(t); d.watermark2(t); } };
      if (leftFirst) { feedLeft(); feedRight(); } else { feedRight(); feedLeft(); }
      const label = `${JSON.stringify(bounds)}, ${leftFirst ? 'left' : 'right'} first`;
      assert.equal(h.output.records().map((r) => r.value).sort(), expected.sort(), label);
      assert.equal(h.output.records().map((r) => r.timestamp), h.output.records().map((r) => Math.max(...r.value.split(',').map(Number))), label);
      assert.is(op.numLateRecordsDropped, 0, label);
    }
  }
});

test('buffers are cleaned as the watermark passes what can no longer join (Flink\'s cases)', async () => {
  const cases: Array<[IntervalJoinBounds, Array<[number, number[], number[]]>]> = [
    [{ lowerBound: -1, upperBound: 0 }, [[1, [2, 3, 4, 5], [1, 2, 3, 4, 5]], [4, [5], [4, 5]], [6, [], []]]],
    [{ lowerBound: -2, upperBound: 1, lowerBoundInclusive: false, upperBoundInclusive: false }, [[1, [2, 3, 4, 5], [1, 2, 3, 4, 5]], [4, [5], [4, 5]], [6, [], []]]],
    [{ lowerBound: 0, upperBound: 1 }, [[1, [1, 2, 3, 4, 5], [2, 3, 4, 5]], [4, [4, 5], [5]], [6, [], []]]],
    [{ lowerBound: -1, upperBound: 2, lowerBoundInclusive: false, upperBoundInclusive: false }, [[1, [1, 2, 3, 4, 5], [2, 3, 4, 5]], [4, [4, 5], [5]], [6, [], []]]],
  ];
  for (const [bounds, steps] of cases) {
    const { h } = await harness(bounds, new Stamps());
    const d = sides(h);
    for (let t = 1; t <= 5; t++) d.left(t);
    for (let t = 1; t <= 5; t++) d.right(t);
    const buffered = (name: string) => {
      h.backend!.setCurrentKey('a');
      return [...h.backend!.getMapState(new MapStateDescriptor<number, unknown>(name)).keys()].sort((x, y) => x - y);
    };
    for (const [wm, left, right] of steps) {
      d.watermark1(wm);
      d.watermark2(wm);
      assert.equal(buffered('interval-join-left'), left, `${JSON.stringify(bounds)} left at watermark ${wm}`);
      assert.equal(buffered('interval-join-right'), right, `${JSON.stringify(bounds)} right at watermark ${wm}`);
    }
  }
});

test('late elements (timestamp < watermark) go to their side\'s late-data output; without one they are dropped and counted', async () => {
  const leftLate = new OutputTag<L>('left-late');
  const rightLate = new OutputTag<R>('right-late');
  const run = async (tags?: { left?: OutputTag<L>; right?: OutputTag<R> }) => {
    const op = new IntervalJoinOperator<L, R, string>({ lowerBound: -1, upperBound: 1 }, new Stamps(), tags);
    const h = await new TwoInputHarness<L, R, string>(op, (l) => l.k, (r) => r.k).open();
    const d = sides(h);
    d.left(3); d.right(3); d.watermark1(3); d.watermark2(3);
    d.left(4); d.right(4);
    d.left(1); // late on the left
    d.right(2); // late on the right
    d.left(5); d.right(5);
    // Exactly at the watermark is not late.
    d.right(3);
    return { op, h };
  };
  const joined = ['3,3', '3,4', '4,3', '4,4', '4,5', '5,4', '5,5', '3,3', '4,3'].sort();
  const { op, h } = await run({ left: leftLate, right: rightLate });
  assert.equal(h.output.records().map((r) => r.value).sort(), joined);
  assert.equal(h.output.emitted.filter((e) => e.kind === 'side'), [
    { kind: 'side', tag: 'left-late', value: { k: 'a', id: 'l1' }, timestamp: 1 },
    { kind: 'side', tag: 'right-late', value: { k: 'a', id: 'r2' }, timestamp: 2 },
  ]);
  assert.is(op.numLateRecordsDropped, 0);

  const onlyLeft = await run({ left: leftLate });
  assert.equal(onlyLeft.h.output.side('left-late'), [{ k: 'a', id: 'l1' }]);
  assert.is(onlyLeft.op.numLateRecordsDropped, 1, 'the right side has no late-data output');

  const none = await run();
  assert.equal(none.h.output.records().map((r) => r.value).sort(), joined, 'late elements never join');
  assert.is(none.h.output.emitted.filter((e) => e.kind === 'side').length, 0);
  assert.is(none.op.numLateRecordsDropped, 2);
});

test.run();
