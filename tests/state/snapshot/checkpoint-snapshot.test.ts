// The canonical snapshot helpers: key-group filtering of keyed state and timers, and the
// redistribution of operator state at another parallelism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keyedStateOf, operatorStateOf, timersOf, type OperatorSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { Random, testSeed } from '../../support/random.ts';

const operator: OperatorSnapshot = {
  maxParallelism: 8,
  parallelism: 2,
  keyGroups: {
    1: { states: { v: [['a', '', 1]] }, timers: { t: { eventTime: [{ timestamp: 5, key: 'a', namespace: '' }], processingTime: [] } } },
    5: { states: { v: [['b', '', 2]], l: [['b', 3, [1, 2]]] }, timers: {} },
    6: { states: {}, timers: { t: { eventTime: [], processingTime: [{ timestamp: 9, key: 'c', namespace: 'w' }] } } },
  },
  subtasks: {
    0: { operatorState: { offsets: [1, 2, 3] }, unionState: { u: ['x'] } },
    1: { operatorState: { offsets: [4, 5] }, unionState: { u: ['y'] } },
  },
};

test('keyedStateOf keeps the key groups of a range and skips groups with only timers', () => {
  assert.equal(keyedStateOf(operator), { maxParallelism: 8, keyGroups: { 1: operator.keyGroups[1].states, 5: operator.keyGroups[5].states } });
  assert.equal(Object.keys(keyedStateOf(operator, { start: 4, end: 7 }).keyGroups), ['5']);
  assert.equal(keyedStateOf(operator, { start: 2, end: 4 }).keyGroups, {});
});

test('timersOf collects one service within a range', () => {
  assert.equal(timersOf(operator, 't').eventTime.length, 1);
  assert.equal(timersOf(operator, 't').processingTime.length, 1);
  assert.equal(timersOf(operator, 't', { start: 0, end: 3 }).processingTime, []);
  assert.equal(timersOf(operator, 'other'), { eventTime: [], processingTime: [] });
});

test('operatorStateOf: union state whole, list state split in subtask order at another parallelism', () => {
  assert.equal(operatorStateOf(operator, 0, 1), { operatorState: { offsets: [1, 2, 3, 4, 5] }, unionState: { u: ['x', 'y'] } });
  assert.equal(operatorStateOf(operator, 0, 3).operatorState.offsets, [1]);
  assert.equal(operatorStateOf(operator, 1, 3).operatorState.offsets, [2, 3]);
  assert.equal(operatorStateOf(operator, 2, 3).operatorState.offsets, [4, 5]);
  assert.equal(operatorStateOf(operator, 1, 3).unionState.u, ['x', 'y']);
});

test('operatorStateOf: at the same parallelism every subtask gets its own list state back', () => {
  // Uneven lists: a split of the concatenation would hand subtask 1 an item of subtask 0, which a
  // subtask restarted alone (region failover) would then process twice.
  assert.equal(operatorStateOf(operator, 0, 2), { operatorState: { offsets: [1, 2, 3] }, unionState: { u: ['x', 'y'] } });
  assert.equal(operatorStateOf(operator, 1, 2).operatorState.offsets, [4, 5]);
  const oneSided: OperatorSnapshot = { ...operator, subtasks: { 0: { operatorState: { splits: ['a'] } }, 1: { operatorState: { splits: [] } } } };
  assert.equal(operatorStateOf(oneSided, 0, 2).operatorState.splits, ['a']);
  assert.equal(operatorStateOf(oneSided, 1, 2).operatorState.splits, []);
  // A subtask that wrote nothing (it had finished) restores nothing.
  const finished: OperatorSnapshot = { ...operator, subtasks: { 0: { operatorState: { s: [1] } } } };
  assert.equal(operatorStateOf(finished, 1, 2).operatorState.s, []);
});

test('randomized: redistribution keeps every item exactly once, parts differ by at most one', () => {
  const rnd = new Random(testSeed('operator-state-redistribution'));
  for (let round = 0; round < 200; round++) {
    const oldP = rnd.int(1, 6), newP = rnd.int(1, 6);
    const subtasks: OperatorSnapshot['subtasks'] = {};
    const all: number[] = [];
    let next = 0;
    for (let i = 0; i < oldP; i++) {
      const items = Array.from({ length: rnd.int(0, 7) }, () => next++);
      all.push(...items);
      subtasks[i] = { operatorState: { s: items } };
    }
    const op: OperatorSnapshot = { maxParallelism: 8, parallelism: oldP, keyGroups: {}, subtasks };
    const parts = Array.from({ length: newP }, (_, i) => operatorStateOf(op, i, newP).operatorState.s ?? []);
    assert.equal(parts.flat(), all);
    if (newP === oldP) {
      parts.forEach((part, i) => assert.equal(part, subtasks[i].operatorState!.s, `round ${round}: subtask ${i} keeps its own`));
      continue;
    }
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  }
});

test.run();
