// CoBroadcastWithNonKeyedOperator: input 1 reads the broadcast state, input 2 writes it;
// timestamps, time and side outputs in both contexts; the state survives snapshot and restore.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BroadcastProcessFunction, type BroadcastContext, type BroadcastReadOnlyContext,
} from '../../../api/functions/broadcast-process-function.ts';
import type { Collector } from '../../../api/functions/collector.ts';
import { CoBroadcastWithNonKeyedOperator } from '../../../api/operators/co-broadcast-with-non-keyed-operator.ts';
import { OutputTag } from '../../../api/output-tag.ts';
import { MapStateDescriptor } from '../../../state/state-descriptors.ts';
import { TwoInputHarness } from '../windowing/operator-harness.ts';

const prefixes = new MapStateDescriptor<string, string>('prefixes');
const rejected = new OutputTag<string>('rejected');

class Prefix extends BroadcastProcessFunction<string, [string, string], string> {
  processElement(v: string, ctx: BroadcastReadOnlyContext, out: Collector<string>): void {
    const p = ctx.getBroadcastState(prefixes).get(v[0]);
    if (p === undefined) ctx.output(rejected, v);
    else out.collect(`${p}${v}@${ctx.timestamp()} wm=${ctx.currentWatermark()} pt=${ctx.currentProcessingTime()}`);
  }
  processBroadcastElement(rule: [string, string], ctx: BroadcastContext): void {
    ctx.getBroadcastState(prefixes).put(rule[0], rule[1]);
  }
}

test('broadcast input writes, non-broadcast input reads; context gives timestamp, time, side outputs', async () => {
  const h = await new TwoInputHarness<string, [string, string], string>(new CoBroadcastWithNonKeyedOperator(new Prefix(), [prefixes]), undefined, undefined, { keyed: false }).open();
  h.processElement1('apple', 1);
  h.processElement2(['a', '>'], 2);
  h.processWatermark(5);
  h.advanceProcessingTimeTo(40);
  h.processElement1('avocado', 6);
  h.processElement1('banana', -Infinity);
  assert.equal(h.output.records().map((r) => r.value), ['>avocado@6 wm=5 pt=40']);
  assert.equal(h.output.side('rejected'), ['apple', 'banana']);
  assert.equal(h.output.watermarks(), [5]);
});

test('snapshotState / initializeState carry the broadcast state to a new instance', async () => {
  const first = await new TwoInputHarness<string, [string, string], string>(new CoBroadcastWithNonKeyedOperator(new Prefix(), [prefixes]), undefined, undefined, { keyed: false }).open();
  first.processElement2(['b', '#'], 0);
  const snapshot = first.operator.snapshotState!(1, 0)!;
  const op = new CoBroadcastWithNonKeyedOperator(new Prefix(), [prefixes]);
  const second = new TwoInputHarness<string, [string, string], string>(op, undefined, undefined, { keyed: false });
  await op.initializeState({ isRestored: true, list: [], union: [...snapshot.union!, ...snapshot.union!] });
  await second.open();
  second.processElement1('bee', 3);
  assert.equal(second.output.records().map((r) => r.value), ['#bee@3 wm=-Infinity pt=0']);
});

test.run();
