import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import { ProcessJoinFunction, type ProcessJoinContext } from '../../../api/functions/process-join-function.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import { IntervalJoinOperator, type IntervalJoinBounds } from '../../../api/windowing/interval-join-operator.ts';
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

test.run();
