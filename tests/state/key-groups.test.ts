// Key groups: randomized property tests of the key-group range arithmetic.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assignKeyToParallelOperator, assignToKeyGroup, KeyGroupAssigner, keyGroupRangeForOperator,
  operatorIndexForKeyGroup, UPPER_BOUND_MAX_PARALLELISM, type Key,
} from '../../state/key-groups.ts';
import { Random, testSeed } from '../support/random.ts';

test('randomized: every key group is owned by exactly one subtask, consistently', () => {
  const rnd = new Random(testSeed('key-group-ranges'));
  for (let round = 0; round < 300; round++) {
    const maxParallelism = rnd.chance(0.1) ? UPPER_BOUND_MAX_PARALLELISM : rnd.int(1, 2000);
    const parallelism = rnd.int(1, Math.min(maxParallelism, 300));
    const owners = new Int32Array(maxParallelism).fill(-1);
    let expectedStart = 0;
    for (let i = 0; i < parallelism; i++) {
      const { start, end } = keyGroupRangeForOperator(maxParallelism, parallelism, i);
      assert.is(start, expectedStart, `contiguous at max=${maxParallelism} p=${parallelism} i=${i}`);
      assert.ok(end >= start, 'non-empty when parallelism <= maxParallelism');
      for (let kg = start; kg <= end; kg++) {
        assert.is(owners[kg], -1, 'owned once');
        owners[kg] = i;
      }
      expectedStart = end + 1;
    }
    assert.is(expectedStart, maxParallelism);
    for (let s = 0; s < 50; s++) {
      const kg = rnd.int(0, maxParallelism - 1);
      assert.is(operatorIndexForKeyGroup(maxParallelism, parallelism, kg), owners[kg], `owner of ${kg} at max=${maxParallelism} p=${parallelism}`);
    }
  }
});

test('randomized: keys land in the subtask whose range holds their key group', () => {
  const rnd = new Random(testSeed('key-to-operator'));
  for (let i = 0; i < 2000; i++) {
    const key: Key = rnd.pick<() => Key>([() => rnd.int(-1e6, 1e6), () => `k${rnd.int(0, 1e6)}`, () => [rnd.int(0, 9), `x${rnd.int(0, 9)}`], () => BigInt(rnd.int(0, 1e9))])();
    const maxParallelism = rnd.int(1, 1024), parallelism = rnd.int(1, Math.min(64, maxParallelism));
    const kg = assignToKeyGroup(key, maxParallelism);
    const index = assignKeyToParallelOperator(key, maxParallelism, parallelism);
    const { start, end } = keyGroupRangeForOperator(maxParallelism, parallelism, index);
    assert.ok(kg >= start && kg <= end);
  }
});

test('KeyGroupAssigner agrees with assignToKeyGroup, and composite keys by value', () => {
  const assigner = new KeyGroupAssigner(128, 10);
  for (let i = 0; i < 100; i++) {
    assert.is(assigner.keyGroupOf(`k${i}`), assignToKeyGroup(`k${i}`, 128));
    assert.is(assigner.keyGroupOf(i), assignToKeyGroup(i, 128));
  }
  assert.is(assigner.keyGroupOf(['a', 1]), assigner.keyGroupOf(['a', 1]));
  assert.is(assignToKeyGroup(-0, 128), assignToKeyGroup(0, 128));
});

test('parallelism above maxParallelism is rejected', () => {
  assert.throws(() => keyGroupRangeForOperator(4, 5, 0), /parallelism 5 must be within/);
});

test.run();
