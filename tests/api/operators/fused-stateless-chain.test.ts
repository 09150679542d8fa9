// FusedStatelessChain: the same results as the maps and filters it replaces, and fusion only of
// the exact built-in classes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FusedStatelessChain, statelessStepOf } from '../../../api/operators/fused-stateless-chain.ts';
import { StreamFilter } from '../../../api/operators/stream-filter.ts';
import { StreamMap } from '../../../api/operators/stream-map.ts';
import type { Output } from '../../../api/operators/stream-operator.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

test('applies maps and filters in order, keeps timestamps, forwards events', () => {
  const log: string[] = [];
  const out: Output<unknown> = { collect: (v, t) => { log.push(`${v}@${t}`); }, collectSide() {}, emitWatermark: (t) => { log.push(`wm${t}`); }, emitWatermarkStatus: (i) => { log.push(`idle=${i}`); } };
  const chain = new FusedStatelessChain([statelessStepOf(new StreamMap((x: number) => x * 10))!], out)
    .prepend(statelessStepOf(new StreamFilter((x: number) => x % 2 === 1))!);
  for (let i = 0; i < 5; i++) chain.processElement(i, i);
  chain.emitWatermark(9); chain.emitWatermarkStatus(true);
  assert.equal(log, ['10@1', '30@3', 'wm9', 'idle=true']);
});

test('only the built-in classes fuse', () => {
  class MyMap extends StreamMap<number, number> {}
  assert.is(statelessStepOf(new MyMap((x) => x)), undefined);
  assert.is(statelessStepOf({}), undefined);
  assert.equal(statelessStepOf(new StreamFilter(() => true))!.filter, true);
});

test('a job with fused runs equals a plain loop, including runs broken by side outputs and keyed operators', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const out = await env.fromSequence(0, 999).map((x) => x + 1).filter((x) => x % 3 !== 0).map((x) => x * 2)
    .keyBy((x) => x % 5).map((x) => x - 1).filter((x) => x % 7 !== 0).executeAndCollect();
  const expected: number[] = [];
  for (let x = 0; x < 1000; x++) { const a = x + 1; if (a % 3 === 0) continue; const b = a * 2 - 1; if (b % 7 !== 0) expected.push(b); }
  assert.equal(out.sort((a, b) => a - b), expected.sort((a, b) => a - b));
});

test.run();
