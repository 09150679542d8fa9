// The external merge sort of batch mode's keyed input over real spill files: with a tiny memory
// budget it spills many runs and still yields every record in (key, timestamp, arrival) order,
// which a plain stable sort of the same records gives; keys of every kind group together.
// Also the blocking partition store spilling beyond its budget. Seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { ExternalSorter } from '../../../../api/operators/external-sorter.ts';
import { compareKeys } from '../../../../api/operators/key-order.ts';
import { FileSpillStorage, SpillDirectory } from '../../../../actors/runtime/batch/spill-files.ts';
import type { Key } from '../../../../state/key-groups.ts';
import { NO_TIMESTAMP } from '../../../../api/stream-elements.ts';
import { Random, testSeed } from '../../../support/random.ts';

function randomKey(rnd: Random): Key {
  switch (rnd.int(0, 4)) {
    case 0: return rnd.int(-5, 5);
    case 1: return `k${rnd.int(0, 9)}`;
    case 2: return rnd.chance(0.5);
    case 3: return BigInt(rnd.int(0, 3));
    default: return [rnd.int(0, 2), `x${rnd.int(0, 1)}`];
  }
}

test('a tiny budget spills sorted runs; the merge equals a stable sort by key, timestamp, arrival', () => {
  const rnd = new Random(testSeed('batch-external-sort'));
  const directory = new SpillDirectory();
  try {
    const sorter = new ExternalSorter(rnd.int(2_000, 20_000), new FileSpillStorage(directory));
    const n = rnd.int(5_000, 20_000);
    const records: Array<{ key: Key; ts: number; i: number; value: { i: number; pad: string } }> = [];
    for (let i = 0; i < n; i++) {
      const key = randomKey(rnd);
      const ts = rnd.chance(0.3) ? NO_TIMESTAMP : rnd.int(0, 50);
      const value = { i, pad: 'x'.repeat(rnd.int(0, 40)) };
      records.push({ key, ts, i, value });
      sorter.add(key, value, ts);
    }
    assert.ok(sorter.spilledRuns > 3, `spilled ${sorter.spilledRuns} runs`);
    const expected = [...records].sort((a, b) => compareKeys(a.key, b.key) || (a.ts === b.ts ? 0 : a.ts < b.ts ? -1 : 1) || a.i - b.i);
    const got = [...sorter.sorted()];
    assert.is(got.length, n);
    for (let k = 0; k < n; k++) {
      if ((got[k].value as { i: number }).i !== expected[k].i) {
        assert.unreachable(`position ${k}: got record ${(got[k].value as { i: number }).i}, expected ${expected[k].i}`);
      }
      assert.equal(got[k].key, expected[k].key);
      assert.is(got[k].timestamp, expected[k].ts);
    }
    // Runs are deleted once merged.
    assert.is(sorter.spilledRuns, 0);
  } finally {
    directory.dispose();
  }
});

test('groups() hands out the stable sort cut at key changes, in memory (hashed) and spilled (merged)', () => {
  const rnd = new Random(testSeed('batch-external-sort-groups'));
  const directory = new SpillDirectory();
  try {
    for (const budget of [1 << 30, 4_000]) {
      const sorter = new ExternalSorter(budget, new FileSpillStorage(directory));
      const records: Array<{ key: Key; ts: number; i: number }> = [];
      for (let i = rnd.int(2_000, 6_000); i > 0; i--) {
        // Arrays with infinities and -0 too: grouping must agree with compareKeys.
        const key = rnd.chance(0.1) ? [rnd.pick([Infinity, -Infinity, 0, -0, 1])] : randomKey(rnd);
        const ts = rnd.chance(0.5) ? NO_TIMESTAMP : rnd.int(0, 9);
        records.push({ key, ts, i: records.length });
        sorter.add(key, records.length - 1, ts);
      }
      assert.is(sorter.spilledRuns > 0, budget < 1 << 20, `budget ${budget}: ${sorter.spilledRuns} runs`);
      const expected = [...records].sort((a, b) => compareKeys(a.key, b.key) || (a.ts === b.ts ? 0 : a.ts < b.ts ? -1 : 1) || a.i - b.i);
      const groups = [...sorter.groups()];
      assert.equal(groups.flat().map((e) => e.value), expected.map((r) => r.i), `budget ${budget}`);
      for (const group of groups) for (const e of group) assert.is(compareKeys(e.key, group[0].key), 0);
      for (let g = 1; g < groups.length; g++) assert.ok(compareKeys(groups[g - 1][0].key, groups[g][0].key) < 0, 'one group per key, in key order');
    }
  } finally {
    directory.dispose();
  }
});

test('without spilling the sorter sorts in memory; the directory is removed on dispose', () => {
  const directory = new SpillDirectory();
  const sorter = new ExternalSorter(1 << 30, new FileSpillStorage(directory));
  for (const [k, t] of [[2, 5], [1, 9], [2, 1], [1, 9], [1, 3]] as const) sorter.add(k, `${k}@${t}`, t);
  assert.equal([...sorter.sorted()].map((e) => e.value), ['1@3', '1@9', '1@9', '2@1', '2@5']);
  assert.is(directory.location, undefined, 'nothing spilled, no directory');
  const small = new ExternalSorter(10, new FileSpillStorage(directory));
  for (let i = 0; i < 100; i++) small.add(i % 3, i, NO_TIMESTAMP);
  assert.ok(small.spilledRuns > 0 && directory.location !== undefined);
  const where = directory.location!;
  assert.equal([...small.sorted()].map((e) => e.key), [...Array(34).fill(0), ...Array(33).fill(1), ...Array(33).fill(2)]);
  directory.dispose();
  assert.not.ok(existsSync(where));
});

test.run();
