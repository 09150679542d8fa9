// Property: a bounded program's batch results equal the final results of the same program in
// streaming mode. A seeded generator builds random pipelines (map, filter, flatMap, rebalance,
// keyed tumbling windows, keyed process functions with event-time timers, and optionally a final
// rolling reduce) over generated records with ascending timestamps (nothing is late in
// streaming); each runs in both modes. Insert-only results compare as multisets; a final rolling
// reduce compares its last value per key in streaming with batch's single value per key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, KeyedProcessFunction, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy,
  type Collector, type DataStream, type KeyedContext, type OnTimerContext,
} from '../../../api/index.ts';
import { Random, testSeed } from '../../support/random.ts';

interface R { k: number; t: number; v: number }

type Step =
  | { kind: 'map'; a: number } | { kind: 'filter'; m: number } | { kind: 'flatMap'; m: number } | { kind: 'rebalance' }
  | { kind: 'window'; keys: number; size: number } | { kind: 'process'; every: number };

interface Pipeline { parallelism: number; records: number; keys: number; steps: Step[]; rolling?: { keys: number } }

function generate(rnd: Random): Pipeline {
  const steps: Step[] = [];
  const n = rnd.int(1, 5);
  for (let i = 0; i < n; i++) {
    steps.push(rnd.pick<() => Step>([
      () => ({ kind: 'map', a: rnd.int(2, 9) }),
      () => ({ kind: 'filter', m: rnd.int(3, 7) }),
      () => ({ kind: 'flatMap', m: rnd.int(3, 7) }),
      () => ({ kind: 'rebalance' }),
      () => ({ kind: 'window', keys: rnd.int(1, 20), size: rnd.pick([10, 50, 200]) }),
      () => ({ kind: 'process', every: rnd.pick([5, 20, 100]) }),
    ])());
  }
  return { parallelism: rnd.int(1, 3), records: rnd.int(200, 3000), keys: rnd.int(1, 50), steps, rolling: rnd.chance(0.5) ? { keys: rnd.int(1, 10) } : undefined };
}

class TimerFn extends KeyedProcessFunction<number, R, R> {
  constructor(private readonly every: number) { super(); }
  processElement(r: R, ctx: KeyedContext<number>, out: Collector<R>): void {
    if (r.v % 2 === 0) out.collect(r);
    const ts = ctx.timestamp()!;
    ctx.timerService().registerEventTimeTimer(Math.floor(ts / this.every) * this.every + this.every - 1);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<R>): void {
    out.collect({ k: ctx.getCurrentKey(), t: timestamp, v: timestamp % 97 });
  }
}

function build(p: Pipeline, mode: 'batch' | 'streaming'): Promise<R[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p.parallelism).setRuntimeMode(mode);
  const keys = p.keys;
  let s: DataStream<R> = env.fromSource(new DataGeneratorSource((i) => ({ k: (i * 7) % keys, t: i, v: (i * 13) % 101 }), p.records),
    WatermarkStrategy.forMonotonousTimestamps<R>().withTimestampAssigner((r) => r.t), 'records');
  for (const step of p.steps) {
    switch (step.kind) {
      case 'map': s = s.map((r) => ({ ...r, v: (r.v * step.a + 1) % 1000 })); break;
      case 'filter': s = s.filter((r) => r.v % step.m !== 0); break;
      case 'flatMap': s = s.flatMap((r: R, out: Collector<R>) => { out.collect(r); if (r.v % step.m === 0) out.collect({ ...r, v: r.v + 1 }); }); break;
      case 'rebalance': s = s.rebalance(); break;
      case 'window': s = s.keyBy((r) => r.k % step.keys).window(TumblingEventTimeWindows.of(step.size))
        .reduce((a, b) => ({ k: a.k % step.keys, t: Math.min(a.t, b.t), v: a.v + b.v })); break;
      case 'process': s = s.keyBy((r) => r.k).process(new TimerFn(step.every)); break;
    }
  }
  if (p.rolling) {
    const m = p.rolling.keys;
    s = s.keyBy((r) => r.k % m).reduce((a, b) => ({ k: a.k % m, t: Math.max(a.t, b.t), v: a.v + b.v }));
  }
  return s.executeAndCollect(`property ${mode}`);
}

const canonical = (rows: R[]): string[] => rows.map((r) => JSON.stringify([r.k, r.t, r.v])).sort();

test('random bounded pipelines: batch results equal the final streaming results', async () => {
  const seed = testSeed('batch-vs-streaming');
  const rnd = new Random(seed);
  for (let round = 0; round < 8; round++) {
    const p = generate(rnd);
    const describe = `round ${round} (seed ${seed}): ${JSON.stringify(p)}`;
    const streaming = await build(p, 'streaming');
    const batch = await build(p, 'batch');
    if (p.rolling) {
      const m = p.rolling.keys;
      const last = new Map<number, R>();
      for (const r of streaming) last.set(r.k % m, r);
      assert.is(batch.length, last.size, `one value per key: ${describe}`);
      assert.equal(canonical(batch), canonical([...last.values()]), describe);
    } else {
      assert.equal(canonical(batch), canonical(streaming), describe);
    }
  }
});

test.run();
