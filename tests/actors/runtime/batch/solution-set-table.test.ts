// The spilling solution set of delta iterations on its own: seeded rounds of puts (replacements
// and new keys, as a delta merged at a barrier) and probes (as a join's subtasks) under a tiny
// memory budget, checked against a Map: every probe answered exactly once with the entry as it
// was when the round started, every partition's values equal the Map's, buckets spilled and were
// read back, the entries held in memory stay under a bound far below the set's size, and every
// file the table made is gone after dispose (also with probes left unfinished, as on a failure);
// a solution set that starts empty and grows doubles its buckets instead of reading back ever
// larger ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { assignKeyToParallelOperator, type Key } from '../../../../state/key-groups.ts';
import { SolutionSetPartitions } from '../../../../api/graph/iteration-spec.ts';
import { SpillingSolutionSet } from '../../../../actors/runtime/batch/solution-set-table.ts';
import { SpillDirectory } from '../../../../actors/runtime/batch/spill-files.ts';
import { Random, testSeed } from '../../../support/random.ts';

type Entry = { k: Key; v: number; pad: string };

const keyOf = (i: number): Key => (i % 3 === 0 ? `k${i}` : i % 3 === 1 ? i : [i, 'x']);
const show = (k: Key): string => JSON.stringify(k);

test('a solution set over a tiny budget spills, answers every probe from the round start, and keeps little in memory', () => {
  const seed = testSeed('solution-set-table');
  const rnd = new Random(seed);
  const n = 3000, p = 3, maxP = 128;
  const directory = new SpillDirectory();
  const partitions = new SolutionSetPartitions<Entry>((e) => e.k);
  const budget = 16 * 1024;
  const table = new SpillingSolutionSet(partitions, p, maxP, budget, directory, n * 120);
  partitions.install(table);
  const truth = new Map<string, Entry>();
  try {
    for (let i = 0; i < n; i++) {
      const e = { k: keyOf(i), v: rnd.int(0, 1000), pad: 'x'.repeat(rnd.int(0, 40)) };
      partitions.put(e);
      truth.set(show(e.k), e);
    }
    partitions.flush();
    for (let round = 0; round < 6; round++) {
      // Probes of p join subtasks, interleaved; answers may come at once or at finish().
      const answers = new Map<number, number | undefined>();
      const probes = Array.from({ length: p }, () => partitions.openProbe<number>((entry, w, ts) => {
        assert.is(ts, w * 2, 'the timestamp travels with its element');
        assert.not.ok(answers.has(w), `probe ${w} answered twice`);
        answers.set(w, entry?.v);
      }));
      const asked = new Map<number, Key>();
      for (let w = 0; w < 2000; w++) {
        const i = rnd.int(0, n + 200);
        asked.set(w, keyOf(i));
        probes[rnd.int(0, p - 1)].probe(keyOf(i), w, w * 2);
      }
      for (const probe of probes) probe.finish();
      assert.is(answers.size, asked.size, 'every probe answered');
      for (const [w, key] of asked) assert.is(answers.get(w), truth.get(show(key))?.v, `probe ${w} of ${show(key)} in round ${round}`);
      // The barrier: a delta replaces some entries and adds new keys.
      for (let d = 0; d < 400; d++) {
        const i = rnd.int(0, n + 200);
        const e = { k: keyOf(i), v: 2000 + round * 1000 + d, pad: '' };
        partitions.put(e);
        truth.set(show(e.k), e);
      }
      partitions.flush();
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < p; i++) {
      for (const e of partitions.values(i)) {
        assert.is(assignKeyToParallelOperator(e.k, maxP, p), i, `${show(e.k)} in partition ${i}`);
        assert.not.ok(seen.has(show(e.k)), `${show(e.k)} once`);
        seen.set(show(e.k), e.v);
      }
    }
    assert.equal(seen, new Map([...truth].map(([k, e]) => [k, e.v])));
    const s = table.stats;
    console.log(`solution set table: ${JSON.stringify(s)}`);
    assert.ok(s.bucketSpills > 0 && s.bucketReads > 0 && s.deferredProbes > 0, JSON.stringify(s));
    // Half the budget resident, an eighth pending, a quarter for waiting probes, one bucket read back:
    // at ~100 bytes an entry that is a few hundred entries, far below the 3,000+ of the set.
    assert.ok(s.peakEntriesInMemory < truth.size / 4, `peak ${s.peakEntriesInMemory} of ${truth.size} entries`);
    assert.ok(readdirSync(directory.location!).length > 0);
  } finally {
    partitions.install(undefined);
    table.dispose();
  }
  assert.equal(readdirSync(directory.location!), [], 'dispose removes every file of the table');
  directory.dispose();
});

test('a solution set that grows from nothing doubles its buckets at barriers and stays bounded', () => {
  const rnd = new Random(testSeed('solution-set-growth'));
  const directory = new SpillDirectory();
  const partitions = new SolutionSetPartitions<Entry>((e) => e.k);
  const table = new SpillingSolutionSet(partitions, 2, 128, 8 * 1024, directory, 0);
  const truth = new Map<string, number>();
  try {
    for (let round = 0; round < 10; round++) {
      // A superstep's lookups, then its delta: new keys and replacements.
      const probe = table.openProbe<Key>((entry, w) => assert.is(entry?.v, truth.get(show(w)), `lookup of ${show(w)}`));
      for (let i = 0; i < 300; i++) { const k = keyOf(rnd.int(0, 6000)); probe.probe(k, k, 0); }
      probe.finish();
      for (let i = 0; i < 600; i++) {
        const e = { k: keyOf(rnd.int(0, 6000)), v: rnd.int(0, 1e6), pad: 'y'.repeat(rnd.int(0, 30)) };
        table.put(e);
        truth.set(show(e.k), e.v);
      }
      table.flush();
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < 2; i++) for (const e of table.values(i)) seen.set(show(e.k), e.v);
    assert.equal(seen, truth);
    const s = table.stats;
    console.log(`growing solution set: ${JSON.stringify(s)}`);
    assert.ok(s.rehashes > 0 && s.buckets > 2, 'the buckets doubled');
    assert.ok(s.peakEntriesInMemory < truth.size / 3, `peak ${s.peakEntriesInMemory} of ${truth.size} entries`);
  } finally {
    table.dispose();
    directory.dispose();
  }
});

test('dispose removes the files of probes left unfinished (a failed superstep) and refuses later use', () => {
  const directory = new SpillDirectory();
  const partitions = new SolutionSetPartitions<Entry>((e) => e.k);
  const table = new SpillingSolutionSet(partitions, 2, 128, 2048, directory, 500 * 60);
  for (let i = 0; i < 500; i++) table.put({ k: i, v: i, pad: '' });
  table.flush();
  const probe = table.openProbe<number>(() => {});
  for (let w = 0; w < 3000; w++) probe.probe(w % 500, w, 0);
  assert.ok(table.stats.files > 1, 'buckets and waiting probes spilled');
  const location = directory.location!;
  // The barrier after a failed attempt: its probe, never closed, goes with its file.
  const filesBefore = readdirSync(location).length;
  const heldBefore = table.stats.entriesInMemory;
  table.flush();
  assert.ok(table.stats.entriesInMemory < heldBefore, 'its waiting lookups are no longer held');
  assert.is(readdirSync(location).length, filesBefore - 1, 'the abandoned probe file is gone');
  const again = table.openProbe<number>(() => {});
  again.probe(1, 1, 0);
  table.dispose();
  assert.equal(readdirSync(location), []);
  assert.throws(() => table.put({ k: 1, v: 1, pad: '' }), /already released/);
  directory.dispose();
  assert.not.ok(existsSync(location));
});

test('a key selector or probe key that is no key is a clear error', () => {
  const directory = new SpillDirectory();
  const partitions = new SolutionSetPartitions<{ k?: Key }>((e) => e.k as Key);
  const table = new SpillingSolutionSet(partitions, 1, 128, 1024, directory, 0);
  try {
    assert.throws(() => table.put({}), /key selector returned undefined for \{\}/);
  } finally {
    table.dispose();
    directory.dispose();
  }
});

test.run();
