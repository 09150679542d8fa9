// DataStream.coGroup end to end: both sides grouped per key and tumbling event-time window,
// keys present on one side only included (unlike a join), compared with a plain loop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CoGroupedStreams, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy, type Collector,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('co-grouped-streams');

type Ev = { key: string; ts: number; v: number };

test('coGroup over tumbling windows: per key and window, both sides\' elements (seeded parallelism)', async () => {
  const random = new Random(seed);
  const gen = (n: number, keys: string[]): Ev[] => Array.from({ length: n }, () => ({ key: random.pick(keys), ts: random.int(0, 999), v: random.int(1, 50) }));
  // Some keys appear on one side only: coGroup still calls the function for them.
  const left = gen(random.int(50, 300), ['a', 'b', 'c', 'd']);
  const right = gen(random.int(50, 300), ['c', 'd', 'e']);
  const size = random.pick([50, 100, 250]);
  const parallelism = random.int(1, 4);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Ev>(1000).withTimestampAssigner((e) => e.ts);
  const l = env.fromCollection(left).assignTimestampsAndWatermarks(strategy);
  const r = env.fromCollection(right).assignTimestampsAndWatermarks(strategy);
  const grouped = l.coGroup(r);
  assert.instance(grouped, CoGroupedStreams);
  const out = await grouped.where((e) => e.key).equalTo((e) => e.key).window(TumblingEventTimeWindows.of(size))
    .apply((first: Ev[], second: Ev[], o: Collector<string>) => {
      const key = (first[0] ?? second[0]).key;
      const start = Math.floor((first[0] ?? second[0]).ts / size) * size;
      o.collect(`${key}|${start}|${first.length}:${sum(first)}|${second.length}:${sum(second)}`);
    })
    .executeAndCollect();

  const groups = new Map<string, { first: Ev[]; second: Ev[] }>();
  const add = (e: Ev, side: 'first' | 'second') => {
    const id = `${e.key}|${Math.floor(e.ts / size) * size}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { first: [], second: [] }));
    g[side].push(e);
  };
  for (const e of left) add(e, 'first');
  for (const e of right) add(e, 'second');
  const expected = [...groups].map(([id, g]) => `${id}|${g.first.length}:${sum(g.first)}|${g.second.length}:${sum(g.second)}`);
  assert.equal(out.sort(), expected.sort(), `parallelism ${parallelism}, window ${size}`);
});

function sum(es: Ev[]): number { return es.reduce((s, e) => s + e.v, 0); }

test.run();
