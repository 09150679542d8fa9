// BatchCombiner, the combine step before a batch rolling reduce: what it sends, folded again by
// the consuming SortedKeyedOperator, must equal the reduce over every record. One producer keeps
// the exact left fold in (timestamp, arrival) order even for a reduce that is neither associative
// nor commutative, whether it stops folding at a timestamp or at its memory budget; several
// producers give the plain loop's result for an associative reduce, with number, string and
// array keys; a reduce that changes the key of its result stops the folding; only plain rolling
// reduces are recognised. Seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchCombiner, PartialAccumulator, partialAwareAggregate, partialAwareKeySelector, rollingReduceOf, type CombineSpec } from '../../../api/operators/batch-combiner.ts';
import { SortedKeyedOperator } from '../../../api/operators/sorted-keyed-operator.ts';
import { StreamGroupedReduce } from '../../../api/operators/stream-grouped-reduce.ts';
import { StreamMap } from '../../../api/operators/stream-map.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../api/stream-elements.ts';
import type { Key } from '../../../state/key-groups.ts';
import { Random, testSeed } from '../../support/random.ts';
import { harness } from './operator-harness.ts';

type Rec = [key: Key, n: number];
type Timed = { rec: Rec; ts: number };
// Neither associative nor commutative: any other order or grouping gives another number.
const skewed = (a: Rec, b: Rec): Rec => [a[0], (a[1] * 3 + b[1]) % 1_000_003];
const plus = (a: Rec, b: Rec): Rec => [a[0], a[1] + b[1]];
const keyOf = (r: Rec): Key => r[0];
const show = (r: Rec): string => JSON.stringify(r);

/** The reduce over each key's records in (timestamp, arrival) order, as a plain loop computes it. */
function expected(records: Timed[], reduce: (a: Rec, b: Rec) => Rec): string[] {
  const byKey = new Map<string, Array<Timed & { i: number }>>();
  records.forEach((r, i) => { const k = JSON.stringify(r.rec[0]); const list = byKey.get(k) ?? []; list.push({ ...r, i }); byKey.set(k, list); });
  const out: string[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => (a.ts === b.ts ? a.i - b.i : a.ts < b.ts ? -1 : 1));
    out.push(show(list.map((r) => r.rec).reduce(reduce)));
  }
  return out.sort();
}

/** Each producer's records through its own combiner, then all of them, producer by producer, through one consumer. */
async function run(producers: Timed[][], reduce: (a: Rec, b: Rec) => Rec, memoryBytes: number): Promise<{ out: string[]; sent: number; received: number }> {
  const spec: CombineSpec = { reduce: reduce as CombineSpec['reduce'], keySelector: keyOf, operatorName: 'reduce', memoryBytes };
  const partitions = producers.map((records) => {
    const sent: Timed[] = [];
    const combiner = new BatchCombiner(spec, (value, ts) => sent.push({ rec: value as Rec, ts }));
    for (const { rec, ts } of records) combiner.add(rec, ts);
    combiner.finish();
    assert.is(combiner.recordsIn, records.length);
    assert.is(combiner.recordsOut, sent.length);
    return sent;
  });
  const op = new SortedKeyedOperator(new StreamGroupedReduce<Rec>(reduce), [keyOf, undefined], 'reduce', { memoryBytes: 1 << 30 }, false);
  const h = await harness(op as never);
  for (const sent of partitions) for (const { rec, ts } of sent) op.processElement(rec, ts);
  op.endInput();
  op.processWatermark(MAX_WATERMARK);
  return { out: h.values().map((r) => show(r as Rec)).sort(), sent: partitions.reduce((n, p) => n + p.length, 0), received: producers.reduce((n, p) => n + p.length, 0) };
}

test('without timestamps one producer sends one value per key: the left fold of a non-associative reduce', async () => {
  const random = new Random(testSeed('batch-combiner-one'));
  const records = Array.from({ length: 5000 }, (): Timed => ({ rec: [`k${random.int(0, 49)}`, random.int(0, 1000)], ts: NO_TIMESTAMP }));
  const { out, sent } = await run([records], skewed, 1 << 30);
  assert.equal(out, expected(records, skewed));
  assert.is(sent, new Set(records.map((r) => r.rec[0])).size, 'one record per key crossed');
});

test('a timestamp mid-input or a tiny budget stops folding; one producer still gives the exact left fold', async () => {
  const random = new Random(testSeed('batch-combiner-stop'));
  for (const [budget, timed] of [[1 << 30, true], [3_000, false], [3_000, true]] as const) {
    const switchAt = random.int(100, 3000);
    const records = Array.from({ length: 4000 }, (_, i): Timed => ({
      rec: [random.int(-60, 60), random.int(0, 1000)],
      ts: timed && i >= switchAt && random.chance(0.7) ? random.int(-50, 50) : NO_TIMESTAMP,
    }));
    const { out, sent } = await run([records], skewed, budget);
    assert.equal(out, expected(records, skewed), `budget ${budget}, timestamps from ${timed ? switchAt : 'nowhere'}`);
    assert.ok(sent > 121, `it stopped folding (${sent} sent)`);
  }
});

test('several producers: an associative reduce over number, string and array keys equals the plain loop', async () => {
  const random = new Random(testSeed('batch-combiner-many'));
  const keys: Key[] = [0, -0.5, 7, 1e12, 'a', 'b', '', [1, 'x'], [1, 'y'], [2], true];
  for (const budget of [1 << 30, 2_000]) {
    const producers = Array.from({ length: random.int(2, 4) }, () =>
      Array.from({ length: random.int(0, 3000) }, (): Timed => ({ rec: [keys[random.int(0, keys.length - 1)], random.int(0, 1000)], ts: NO_TIMESTAMP })));
    const { out, sent, received } = await run(producers, plus, budget);
    assert.equal(out, expected(producers.flat(), plus), `budget ${budget}`);
    if (budget > 1e6) assert.ok(sent <= producers.length * keys.length, `${sent} of ${received} records crossed`);
  }
});

test("a reduce that changes its result's key stops the folding: the consumer groups by the records' keys", async () => {
  const random = new Random(testSeed('batch-combiner-rekey'));
  // Not associative, and the result's key is another key from the second fold on.
  const rekey = (a: Rec, b: Rec): Rec => [`k${(a[1] * 3 + b[1]) % 7}`, (a[1] * 3 + b[1]) % 1_000_003];
  const one = Array.from({ length: 3000 }, (): Timed => ({ rec: [`k${random.int(0, 6)}`, random.int(0, 1000)], ts: NO_TIMESTAMP }));
  assert.equal((await run([one], rekey, 1 << 30)).out, expected(one, rekey));
  // Associative in its count; the key moves once a key's count passes 20,000.
  const moving = (a: Rec, b: Rec): Rec => [a[1] + b[1] > 20_000 ? 'moved' : a[0], a[1] + b[1]];
  const producers = Array.from({ length: 3 }, () =>
    Array.from({ length: 2000 }, (): Timed => ({ rec: [`k${random.int(0, 9)}`, random.int(0, 100)], ts: NO_TIMESTAMP })));
  assert.equal((await run(producers, moving, 1 << 30)).out, expected(producers.flat(), moving));
});

test('only a plain rolling reduce is combined', () => {
  class Subclass extends StreamGroupedReduce<number> {}
  assert.type(rollingReduceOf(new StreamGroupedReduce<number>((a, b) => a + b)), 'function');
  assert.is(rollingReduceOf(new Subclass((a, b) => a + b)), undefined);
  assert.is(rollingReduceOf(new StreamMap((x: number) => x)), undefined);
  assert.is(rollingReduceOf(undefined), undefined);
});

test('an aggregate folds one accumulator per key in place; over the budget it sends partials and starts over; merged, they are exact', () => {
  const random = new Random(testSeed('batch-combiner-aggregate'));
  const input: Rec[] = Array.from({ length: 5000 }, (): Rec => [`k${random.int(0, 199)}`, random.int(-50, 50)]);
  const creates = { n: 0 };
  const sumAgg = {
    createAccumulator: (): Rec => { creates.n++; return ['', 0]; },
    add: (r: Rec, acc: Rec): Rec => { acc[0] = r[0]; acc[1] += r[1]; return acc; },
    getResult: (acc: Rec): Rec => acc,
    merge: (a: Rec, b: Rec): Rec => [a[0] || b[0], a[1] + b[1]],
  };
  const expectedSums = new Map<string, number>();
  for (const [k, v] of input) expectedSums.set(String(k), (expectedSums.get(String(k)) ?? 0) + v);
  for (const budget of [1 << 30, 4096]) {
    const sent: unknown[] = [];
    const combiner = new BatchCombiner({ aggregate: sumAgg as never, keySelector: (r: Rec) => r[0], operatorName: 'Sums', memoryBytes: budget }, (v) => sent.push(v));
    creates.n = 0;
    for (const r of input) combiner.add(r, NO_TIMESTAMP);
    combiner.finish();
    assert.ok(sent.every((v) => v instanceof PartialAccumulator), 'only partial accumulators are sent');
    const merged = new Map<string, Rec>();
    for (const p of sent as PartialAccumulator[]) merged.set(String(p.key), sumAgg.merge(merged.get(String(p.key)) ?? ['', 0], p.accumulator as Rec));
    assert.equal(new Map([...merged].map(([k, acc]) => [k, acc[1]])), expectedSums, `budget ${budget}`);
    assert.is(combiner.recordsOut, sent.length);
    if (budget === 1 << 30) assert.is(sent.length, expectedSums.size, 'one accumulator per key');
    else assert.ok(sent.length > expectedSums.size && creates.n === sent.length, `flushed and started over (${sent.length} partials)`);
  }
});

test('partial-aware key selectors and aggregates read the partials, pass records through', () => {
  const selector = partialAwareKeySelector((r: Rec) => r[0]);
  assert.is(selector(['a', 1]), 'a');
  assert.is(selector(new PartialAccumulator('b', ['b', 7])), 'b');
  const agg = partialAwareAggregate({
    createAccumulator: () => 0, add: (r: Rec, acc: number) => acc + r[1], getResult: (acc: number) => acc, merge: (a: number, b: number) => a + b,
  });
  assert.is(agg.add(new PartialAccumulator('b', 5), agg.add(['b', 2], agg.createAccumulator())), 7);
});

test('a bad key fails with the consuming operator named', () => {
  const combiner = new BatchCombiner({ reduce: plus as CombineSpec['reduce'], keySelector: () => undefined as never, operatorName: 'Sum per page', memoryBytes: 1 << 20 }, () => {});
  assert.throws(() => combiner.add([1, 1], NO_TIMESTAMP), /Sum per page/);
});

test.run();
