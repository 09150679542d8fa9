// Field aggregations (sum, min, max, minBy, maxBy) by index and by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fieldAggregator } from '../../../api/operators/field-aggregations.ts';

test('tuples by index, objects by name, numbers as field 0', () => {
  assert.equal(fieldAggregator<[string, number]>('sum', 1)(['a', 1], ['b', 2]), ['a', 3]);
  assert.equal(fieldAggregator<{ n: number; s: string }>('max', 'n')({ n: 1, s: 'first' }, { n: 5, s: 'second' }), { n: 5, s: 'first' });
  assert.equal(fieldAggregator<{ n: number; s: string }>('maxBy', 'n')({ n: 1, s: 'first' }, { n: 5, s: 'second' }), { n: 5, s: 'second' });
  assert.equal(fieldAggregator<number>('sum', 0)(2, 3), 5);
  assert.equal(fieldAggregator<number>('min', 0)(2, 3), 2);
  assert.throws(() => fieldAggregator<number>('sum', 'x')(1, 2), /cannot read field "x"/);
});

test('ties keep the first element; inputs are not mutated', () => {
  const a = { n: 1, s: 'a' }, b = { n: 1, s: 'b' };
  assert.is(fieldAggregator<typeof a>('minBy', 'n')(a, b), a);
  assert.is(fieldAggregator<typeof a>('maxBy', 'n')(a, b), a);
  const t: [string, number] = ['k', 1];
  fieldAggregator<[string, number]>('sum', 1)(t, ['k', 2]);
  assert.equal(t, ['k', 1]);
});

test.run();
