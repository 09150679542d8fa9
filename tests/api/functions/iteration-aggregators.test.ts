// Iteration aggregators on their own: DoubleSumAggregator equals the correctly rounded exact sum
// (computed with BigInt) in any order and any split over instances merged together, where a naive
// sum does not; LongSumAggregator refuses fractions; IterationAggregation combines per-subtask
// instances once per superstep, replaces a re-run subtask's instance, exposes the previous
// combined value, and refuses unknown names and non-boolean verdicts with clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DoubleSumAggregator, IterationAggregation, LongSumAggregator } from '../../../api/functions/iteration-aggregators.ts';
import type { OperatorContext } from '../../../api/operators/stream-operator.ts';
import { Random, testSeed } from '../../support/random.ts';

const SCALE = 2 ** 140;

/** The correctly rounded sum of doubles in [2^-80, 2^40] (exact as integers once scaled by 2^140). */
function exactSum(values: number[]): number {
  let total = 0n;
  for (const v of values) total += BigInt(v * SCALE);
  return Number(total) / SCALE;
}

test('DoubleSumAggregator is the exact sum, rounded once, in any order and split', () => {
  const rnd = new Random(testSeed('double-sum'));
  for (let round = 0; round < 20; round++) {
    const values = Array.from({ length: 500 }, () => (rnd.int(0, 1) ? -1 : 1) * rnd.next() * 2 ** rnd.int(-60, 39));
    const expected = exactSum(values);
    const whole = new DoubleSumAggregator();
    for (const v of values) whole.aggregate(v);
    assert.is(whole.getAggregate(), expected, `round ${round}`);
    // Shuffled and split over instances, merged in some order.
    const shuffled = [...values].sort(() => rnd.next() - 0.5);
    const parts = Array.from({ length: rnd.int(2, 6) }, () => new DoubleSumAggregator());
    shuffled.forEach((v) => parts[rnd.int(0, parts.length - 1)].aggregate(v));
    const merged = new DoubleSumAggregator();
    for (const part of parts.reverse()) merged.merge(part);
    assert.is(merged.getAggregate(), expected, `round ${round}, merged`);
  }
  const a = new DoubleSumAggregator();
  for (const v of [1e16, 1, -1e16, 1]) a.aggregate(v);
  assert.is(a.getAggregate(), 2, 'a naive sum gives 0 or 1 here');
  a.reset();
  assert.is(a.getAggregate(), 0);
  assert.throws(() => a.aggregate(Number.NaN), /DoubleSumAggregator adds numbers/);
});

test('LongSumAggregator adds integers only', () => {
  const a = new LongSumAggregator();
  a.aggregate(3); a.aggregate(-1);
  assert.is(a.getAggregate(), 2);
  assert.throws(() => a.aggregate(0.5), /LongSumAggregator adds integers, got 0.5/);
});

const ctx = (uid: string, subtaskIndex: number): OperatorContext => ({ uid, subtaskIndex, operatorName: uid } as OperatorContext);

test('IterationAggregation combines subtasks once per superstep, replacing a re-run subtask', () => {
  let verdicts: Array<[number, number]> = [];
  const it = new IterationAggregation({
    aggregators: { n: new LongSumAggregator() },
    convergence: { aggregator: 'n', criterion: (v: number, s) => { verdicts.push([v, s]); return v === 0; } },
  }, 'iterate()');
  it.start();
  it.beginSuperstep(1);
  assert.is(it.superstepNumber, 1);
  const operator = it.bindFactory(() => ({ setup(_c: OperatorContext) {} }))() as { setup(c: OperatorContext): void };
  const c0 = ctx('map-1', 0), c1 = ctx('map-1', 1);
  operator.setup(c0);
  it.aggregatorFor<number>(c0, 'n').aggregate(5);
  it.aggregatorFor<number>(c1, 'n').aggregate(7);
  assert.is(it.aggregatorFor(c0, 'n'), it.aggregatorFor(c0, 'n'), 'one instance per subtask and superstep');
  // Subtask 0 fails and runs again: its new attempt's setup drops what the failed one added.
  const retry = ctx('map-1', 0);
  operator.setup(retry);
  it.aggregatorFor<number>(retry, 'n').aggregate(1);
  assert.is(it.previousAggregate('n'), undefined);
  assert.is(it.endSuperstep(), false);
  assert.equal(verdicts, [[8, 1]]);
  assert.is(it.previousAggregate('n'), 8);
  it.beginSuperstep(2);
  assert.is(it.aggregatorFor<number>(c1, 'n').getAggregate(), 0, 'every superstep starts from zero');
  assert.is(it.endSuperstep(), true, 'nothing aggregated: 0, converged');
  verdicts = [];
  assert.throws(() => it.aggregatorFor(c0, 'm'), /getIterationAggregator\("m"\): iterate\(\) registers only "n"/);
  assert.throws(() => it.previousAggregate('toString'), /getPreviousIterationAggregate\("toString"\)/);
  const bad = new IterationAggregation({ aggregators: { n: new LongSumAggregator() }, convergence: { aggregator: 'n', criterion: () => 'yes' as unknown as boolean } }, 'iterateDelta()');
  bad.beginSuperstep(1);
  assert.throws(() => bad.endSuperstep(), /iterateDelta\(\): the convergence criterion returned yes, not a boolean/);
  assert.throws(() => new IterationAggregation({ convergence: { aggregator: 'n', criterion: () => true } }, 'iterate()'), /reads aggregator "n", which is not among/);
});

test.run();
