// SortedKeyedOperator folding a rolling reduce by hashing: while records carry no timestamp the
// sorter holds one running value per key instead of every record; a record with a timestamp or a
// map over the memory budget switches to sorting mid-input. In every case the result per key is
// the left fold in (timestamp, arrival) order of a reduce that is neither associative nor
// commutative, as a plain loop computes it; folded by hashing, the values go out in key order.
// Seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SortedKeyedOperator } from '../../../api/operators/sorted-keyed-operator.ts';
import { StreamGroupedReduce } from '../../../api/operators/stream-grouped-reduce.ts';
import { MAX_WATERMARK, NO_TIMESTAMP } from '../../../api/stream-elements.ts';
import { Random, testSeed } from '../../support/random.ts';
import { harness } from './operator-harness.ts';

type Rec = [key: string, n: number];
// Neither associative nor commutative: any other order or grouping gives another number.
const reduce = (a: Rec, b: Rec): Rec => [a[0], (a[1] * 3 + b[1]) % 1_000_003];

function expected(records: Array<{ rec: Rec; ts: number }>): string[] {
  const byKey = new Map<string, Array<{ rec: Rec; ts: number; i: number }>>();
  records.forEach((r, i) => { const list = byKey.get(r.rec[0]) ?? []; list.push({ ...r, i }); byKey.set(r.rec[0], list); });
  const out: string[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => (a.ts === b.ts ? a.i - b.i : a.ts < b.ts ? -1 : 1));
    out.push(list.map((r) => r.rec).reduce(reduce).join('='));
  }
  return out.sort();
}

async function run(records: Array<{ rec: Rec; ts: number }>, memoryBytes: number): Promise<{ out: string[]; sorted: number }> {
  const op = new SortedKeyedOperator(new StreamGroupedReduce<Rec>(reduce), [(r: Rec) => r[0], undefined], 'reduce', { memoryBytes }, false);
  const h = await harness(op as never);
  for (const { rec, ts } of records) op.processElement(rec, ts);
  const sorted = op.sortStats().records;
  op.endInput();
  op.processWatermark(MAX_WATERMARK);
  return { out: h.values().map((r) => (r as Rec).join('=')).sort(), sorted };
}

test('a rolling reduce without timestamps keeps one value per key, and equals the left fold', async () => {
  const random = new Random(testSeed('sorted-keyed-operator'));
  const records = Array.from({ length: 5000 }, () => ({ rec: [`k${random.int(0, 49)}`, random.int(0, 1000)] as Rec, ts: NO_TIMESTAMP }));
  const { out, sorted } = await run(records, 1 << 30);
  assert.equal(out, expected(records));
  assert.is(sorted, 0, 'nothing went to the sorter before the end of input');
});

test('a record with a timestamp mid-input, or a tiny budget, switches to sorting and keeps the fold order', async () => {
  const random = new Random(testSeed('sorted-keyed-operator-switch'));
  for (const [budget, timed] of [[1 << 30, true], [2_000, false], [2_000, true]] as const) {
    const switchAt = random.int(100, 3000);
    const records = Array.from({ length: 4000 }, (_, i) => ({
      rec: [`k${random.int(0, 99)}`, random.int(0, 1000)] as Rec,
      ts: timed && i >= switchAt && random.chance(0.7) ? random.int(-50, 50) : NO_TIMESTAMP,
    }));
    const { out, sorted } = await run(records, budget);
    assert.equal(out, expected(records), `budget ${budget}, timestamps from ${timed ? switchAt : 'nowhere'}`);
    assert.ok(sorted > 0, 'it switched to sorting');
  }
});

test('folded by hashing, the values go out in key order, the sequence the sorting path gives', async () => {
  const random = new Random(testSeed('sorted-keyed-operator-order'));
  const keys: Array<string | number> = [3, -1, 0.5, 1e9, -1e9, 'b', 'a', '', 'a0'];
  const records = Array.from({ length: 3000 }, () => [keys[random.int(0, keys.length - 1)], random.int(0, 1000)] as [string | number, number]);
  const sequence = async (memoryBytes: number): Promise<{ out: string[]; sorted: number }> => {
    const op = new SortedKeyedOperator(new StreamGroupedReduce(reduce as never), [(r: [string | number]) => r[0], undefined], 'reduce', { memoryBytes }, false);
    const h = await harness(op as never);
    for (const rec of records) op.processElement(rec, NO_TIMESTAMP);
    const sorted = op.sortStats().records;
    op.endInput();
    op.processWatermark(MAX_WATERMARK);
    return { out: h.values().map((r) => JSON.stringify(r)), sorted };
  };
  const hashed = await sequence(1 << 30), sorting = await sequence(500);
  assert.is(hashed.sorted, 0);
  assert.ok(sorting.sorted > 0, 'the small budget sorted');
  assert.equal(hashed.out, sorting.out);
  assert.equal(hashed.out.map((r) => JSON.parse(r)[0]), [-1e9, -1, 0.5, 3, 1e9, '', 'a', 'a0', 'b']);
});

test.run();
