// Key groups: randomized property tests of the key-group range arithmetic.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  assignKeyToParallelOperator, assignToKeyGroup, KeyGroupAssigner, keyBytes, keyGroupRangeForOperator, keyHash,
  operatorIndexForKeyGroup, UPPER_BOUND_MAX_PARALLELISM, type Key,
} from '../../state/key-groups.ts';
import murmur from 'murmurhash3js-revisited';
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

test('randomized: a key hashes as murmur3 of its stable bytes, whatever path computes it', () => {
  const rnd = new Random(testSeed('key-hash'));
  // Code units from every UTF-8 length class, lone surrogates included (both become U+FFFD).
  const units = [0x61, 0x7f, 0xe9, 0x7ff, 0x4e2d, 0xd83d, 0xde00, 0xdbff, 0xffff];
  const text = (length: number): string => String.fromCharCode(...Array.from({ length }, () => rnd.pick(units)));
  const keys: Key[] = [-0, 0, NaN, Infinity, 1e21, 'sé', '', text(1024), text(1025), 'x'.repeat(5000), [1, 'a'], 3n, true];
  for (let i = 0; i < 2000; i++) keys.push(rnd.chance(0.5) ? text(rnd.int(0, 40)) : rnd.chance(0.5) ? rnd.int(-1e9, 1e9) : rnd.next() * 1e6);
  // ASCII strings of every length modulo 4 (the block and tail paths of the hash), and ASCII with one non-ASCII unit late.
  for (let i = 0; i < 500; i++) {
    const ascii = String.fromCharCode(...Array.from({ length: rnd.int(0, 70) }, () => rnd.int(0, 0x7f)));
    keys.push(ascii, ascii + text(1), rnd.int(-1e15, 1e15) / 1000);
  }
  for (const key of keys) {
    assert.is(keyHash(key), murmur.x86.hash32(keyBytes(key), 0) >>> 0, `key ${JSON.stringify(String(key)).slice(0, 40)}`);
  }
  // Fixed values, so a change of the stable bytes or the hash (which would move keyed state) fails here.
  assert.equal(['k1', 'k999', '', 'ü'].map(keyHash), [2336885530, 3542132570, 4283091697, 811334736]);
  assert.equal([0, -0, 1.5, 42].map(keyHash), [2823290447, 2823290447, 179991405, 3088772066]);
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
