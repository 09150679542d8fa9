import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { joinKeyOf, rowKeySelector } from '../../../../../api/table/planner/runtime/row-key.ts';
import { Random, testSeed } from '../../../../support/random.ts';

test('different key tuples never share a key: commas and quotes in strings, numbers vs digit strings, NULL vs "null"', () => {
  const tuples: unknown[][] = [
    ['a,b'], ['a', 'b'], ['"a"'], [1, '2'], ['1', 2], [1, 2], ['1,2'], [null], ['null'], [true], ['true'], [-0.5], ['-0.5'],
    ['a', null], [null, 'a'], ['', ''], [''], [[1, 2]], ['[1,2]'], [{ x: 1 }], [1, 2, 3], ['1', '2', '3'], [1, 2, 3, 4], ['1,2', 3, 4],
  ];
  for (const width of [1, 2, 3, 4]) {
    const keys = Array.from({ length: width }, (_, i) => i);
    const of = rowKeySelector(keys);
    const seen = new Map<string, string>();
    for (const t of tuples.filter((x) => x.length === width)) {
      const k = of(t);
      assert.is(seen.get(k), undefined, `${JSON.stringify(t)} and ${seen.get(k)} share ${k}`);
      seen.set(k, JSON.stringify(t));
    }
  }
  assert.is(joinKeyOf(['a', null], [0, 1]), undefined);
  assert.is(joinKeyOf(['a', 1], [0, 1]), rowKeySelector([0, 1])(['a', 1]));
});

test('random tuples: equal keys exactly when the tuples are equal', () => {
  const seed = testSeed('table-row-key');
  const random = new Random(seed);
  const value = (): unknown => [null, random.int(-3, 3), `s${random.int(0, 3)}`, random.chance(0.5), ',', '"', String(random.int(-3, 3))][random.int(0, 6)];
  const of = rowKeySelector([0, 1, 2]);
  const byKey = new Map<string, string>();
  for (let i = 0; i < 5000; i++) {
    const t = [value(), value(), value()];
    const k = of(t);
    const j = JSON.stringify(t);
    const before = byKey.get(k);
    assert.ok(before === undefined || before === j, `${before} and ${j} share ${k} (seed ${seed})`);
    byKey.set(k, j);
  }
});

test.run();
