import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Collector } from '../../../api/functions/collector.ts';
import { CoProcessFunction, KeyedCoProcessFunction, type CoProcessContext } from '../../../api/functions/co-process-function.ts';

test('user functions extend the abstract classes; optional hooks stay optional', () => {
  class Fn extends CoProcessFunction<number, number, number> {
    processElement1(v: number, _ctx: CoProcessContext, out: Collector<number>): void { out.collect(v + 1); }
    processElement2(v: number, _ctx: CoProcessContext, out: Collector<number>): void { out.collect(v - 1); }
  }
  const got: number[] = [];
  const fn = new Fn();
  const ctx = { timestamp: () => undefined, timerService: () => { throw new Error('unused'); }, output: () => {} };
  fn.processElement1(1, ctx, { collect: (v) => got.push(v) });
  fn.processElement2(1, ctx, { collect: (v) => got.push(v) });
  assert.equal(got, [2, 0]);
  assert.is(fn.onTimer, undefined);
  class Keyed extends KeyedCoProcessFunction<string, number, number, number> {
    processElement1(): void {}
    processElement2(): void {}
  }
  assert.is(new Keyed().open, undefined);
});

test.run();
