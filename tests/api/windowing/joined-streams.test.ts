// End-to-end: window joins (and the co-group they are built on) through the public API,
// compared with a plain nested loop over the same windows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, WatermarkStrategy, TumblingEventTimeWindows, SlidingEventTimeWindows } from '../../../api/index.ts';
import { CoGroupedStreams } from '../../../api/windowing/co-grouped-streams.ts';
import { Random, testSeed } from '../../support/random.ts';

type A = { k: number; id: string; ts: number };
type B = { key: string; id: string; ts: number };

function data(rnd: Random) {
  const as: A[] = Array.from({ length: 400 }, (_, i) => ({ k: rnd.int(0, 9), id: `a${i}`, ts: i * 5 + rnd.int(-8, 0) }));
  const bs: B[] = Array.from({ length: 300 }, (_, i) => ({ key: `${rnd.int(0, 9)}`, id: `b${i}`, ts: i * 7 + rnd.int(-8, 0) }));
  return { as: as.map((a) => ({ ...a, ts: Math.max(0, a.ts) })), bs: bs.map((b) => ({ ...b, ts: Math.max(0, b.ts) })) };
}

const wa = WatermarkStrategy.forBoundedOutOfOrderness<A>(8).withTimestampAssigner((e) => e.ts);
const wb = WatermarkStrategy.forBoundedOutOfOrderness<B>(8).withTimestampAssigner((e) => e.ts);

test('tumbling window join = cross product per key and window, random parallelism', async () => {
  const seed = testSeed('window-join');
  const rnd = new Random(seed);
  const { as, bs } = data(rnd);
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(rnd.int(1, 3));
  const out = await env.fromCollection(as).assignTimestampsAndWatermarks(wa)
    .join(env.fromCollection(bs).assignTimestampsAndWatermarks(wb))
    .where((a) => String(a.k)).equalTo((b) => b.key)
    .window(TumblingEventTimeWindows.of(100))
    .apply((a, b) => `${a.id}-${b.id}`)
    .executeAndCollect();
  const expected: string[] = [];
  for (const a of as) for (const b of bs) {
    if (String(a.k) === b.key && Math.floor(a.ts / 100) === Math.floor(b.ts / 100)) expected.push(`${a.id}-${b.id}`);
  }
  assert.ok(expected.length > 0);
  assert.equal(out.sort(), expected.sort(), `seed ${seed}`);
});

test('sliding window join emits a pair once per shared window; flatApply and co-group', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const left = env.fromElements<A>({ k: 1, id: 'x', ts: 10 }, { k: 1, id: 'y', ts: 60 }, { k: 2, id: 'z', ts: 10 }).assignTimestampsAndWatermarks(wa);
  const right = env.fromElements<B>({ key: '1', id: 'p', ts: 40 }, { key: '2', id: 'q', ts: 200 }).assignTimestampsAndWatermarks(wb);
  const joined = left.join(right).where((a) => String(a.k)).equalTo((b) => b.key)
    .window(SlidingEventTimeWindows.of(100, 50))
    .flatApply<string>((a, b, out) => out.collect(`${a.id}${b.id}`));
  const grouped = new CoGroupedStreams(left, right).where((a) => String(a.k)).equalTo((b) => b.key)
    .window(TumblingEventTimeWindows.of(1000))
    .apply<string>((as, bs, out) => out.collect(`${as.map((a) => a.id).sort().join('')}/${bs.map((b) => b.id).join('')}`));
  const out = await joined.union(grouped).executeAndCollect();
  // x(10) and p(40) share windows [-50,50) and [0,100); y(60) and p share [0,100).
  assert.equal(out.sort(), ['xp', 'xp', 'xy/p', 'yp', 'z/q'].sort());
});

test('join and co-group functions may be objects (JoinFunction.join, FlatJoinFunction.join, CoGroupFunction.coGroup)', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const left = env.fromElements<A>({ k: 1, id: 'x', ts: 10 }, { k: 2, id: 'z', ts: 10 }).assignTimestampsAndWatermarks(wa);
  const right = env.fromElements<B>({ key: '1', id: 'p', ts: 40 }, { key: '2', id: 'q', ts: 20 }).assignTimestampsAndWatermarks(wb);
  const window = TumblingEventTimeWindows.of(100);
  const pairs = left.join(right).where((a) => String(a.k)).equalTo((b) => b.key).window(window)
    .apply({ join: (a: A, b: B) => `${a.id}+${b.id}` });
  const flat = left.join(right).where((a) => String(a.k)).equalTo((b) => b.key).window(window)
    .flatApply<string>({ join(a: A, b: B, out) { out.collect(`${a.id}*${b.id}`); out.collect(`${b.id}*${a.id}`); } });
  const grouped = new CoGroupedStreams(left, right).where((a) => String(a.k)).equalTo((b) => b.key).window(window)
    .apply<string>({ coGroup(as: A[], bs: B[], out) { out.collect(`${as.length}:${bs.length}`); } });
  const out = await pairs.union(flat, grouped).executeAndCollect();
  assert.equal(out.sort(), ['x+p', 'z+q', 'x*p', 'p*x', 'z*q', 'q*z', '1:1', '1:1'].sort());
});

test.run();
