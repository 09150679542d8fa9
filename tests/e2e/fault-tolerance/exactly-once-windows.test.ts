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

for (const backend of ['memory', 'kv'] as const) {
  test(`tumbling event-time counts are exactly once across a failure (${backend})`, async () => {
    const rnd = new Random(testSeed(`windows-failure-${backend}`));
    const records = 6000, keys = 7, size = 250;
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
    env.setParallelism(rnd.int(1, 3)).enableCheckpointing(100);
    env.setStateBackend(backend).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
    const throwAt = rnd.int(1500, 4500);
    let seen = 0, failed = false;
    const rows = env
      .fromSource(new DataGeneratorSource((i) => i + 1, records, { ratePerSecond: 5_000 }),
        WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x), 'numbers')
      .map((x: number) => {
        const ck = embeddedExecutor.lastJobMaster?.checkpointing;
        if (!failed && ++seen >= throwAt && (ck?.latestCompletedId ?? 0) > 0) { failed = true; throw new Error('injected'); }
        return x;
      })
      .keyBy((x) => x % keys)
      .window(TumblingEventTimeWindows.of(size))
      .process({
        process(key: number, ctx: { window: { start: number } }, elements: Iterable<number>, out: { collect(r: Row): void }) {
          let n = 0;
          for (const _ of elements) n++;
          out.collect([key, ctx.window.start, n]);
        },
      } as never)
      .executeAndCollect('windows under failure');
    const result = (await drive(clock, rows)) as unknown as Row[];
    assert.ok(failed, 'the failure was injected');
    assert.equal(result.map(([k, s, n]) => `${k}@${s}=${n}`).sort(), expected(records, keys, size));
  });
}

test.run();
