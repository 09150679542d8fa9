// Windows under failure: window contents and their event-time timers are restored from the
// checkpoint, so every (key, window) count is emitted exactly once and equals a plain loop's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../api/index.ts';
import { RestartStrategies } from '../../../api/environment/restart-strategies.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { DataGeneratorSource } from '../../../api/sources/data-generator-source.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { drive } from './support.ts';
import { Random, testSeed } from '../../support/random.ts';

type Row = [key: number, windowStart: number, count: number];

function expected(records: number, keys: number, size: number): string[] {
  const counts = new Map<string, number>();
  for (let x = 1; x <= records; x++) {
    const id = `${x % keys}@${Math.floor(x / size) * size}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => `${id}=${n}`).sort();
}

const count = { createAccumulator: () => 0, add: (_x: number, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b };

// Element lists go through keyed state; incremental counts through the window buffer, which
// checkpoints move into keyed state.
for (const [backend, contents] of [['memory', 'list'], ['kv', 'list'], ['memory', 'aggregate'], ['kv', 'aggregate']] as const) {
  test(`tumbling event-time counts are exactly once across a failure (${backend}, ${contents})`, async () => {
    const rnd = new Random(testSeed(`windows-failure-${backend}-${contents}`));
    const records = 6000, keys = 7, size = 250;
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
    env.setParallelism(rnd.int(1, 3)).enableCheckpointing(100);
    env.setStateBackend(backend).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
    const throwAt = rnd.int(1500, 4500);
    let seen = 0, failed = false;
    const windows = env
      .fromSource(new DataGeneratorSource((i) => i + 1, records, { ratePerSecond: 5_000 }),
        WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x), 'numbers')
      .map((x: number) => {
        const ck = embeddedExecutor.lastJobMaster?.checkpointing;
        if (!failed && ++seen >= throwAt && (ck?.latestCompletedId ?? 0) > 0) { failed = true; throw new Error('injected'); }
        return x;
      })
      .keyBy((x) => x % keys)
      .window(TumblingEventTimeWindows.of(size));
    const rows = (contents === 'list'
      ? windows.process({
        process(key: number, ctx: { window: { start: number } }, elements: Iterable<number>, out: { collect(r: Row): void }) {
          let n = 0;
          for (const _ of elements) n++;
          out.collect([key, ctx.window.start, n]);
        },
      } as never)
      : windows.aggregate(count, (key: number, w: { start: number }, counts: Iterable<number>, out: { collect(r: Row): void }) => {
        for (const n of counts) out.collect([key, w.start, n]);
      })).executeAndCollect('windows under failure');
    const result = (await drive(clock, rows)) as unknown as Row[];
    assert.ok(failed, 'the failure was injected');
    assert.equal(result.map(([k, s, n]) => `${k}@${s}=${n}`).sort(), expected(records, keys, size));
  });
}

test.run();
