// stop --drain: the sources end event time ahead of the savepoint's barrier, so every window
// holding a record the job read fires into the committed output before it stops; without drain
// the open windows stay in the savepoint. Either way, a job restored from the savepoint completes
// every window's count (a window cut by the drain is emitted in two parts that add up).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataGeneratorSource, ExactlyOnceCollectSink, ManualClock, RestartStrategies, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy,
} from '../../../api/index.ts';

type Row = [key: number, windowStart: number, count: number];
const records = 8000, keys = 5, size = 100;

/** Each (key, window)'s count over all records (plain loop). */
function expected(): Map<string, number> {
  const counts = new Map<string, number>();
  for (let x = 1; x <= records; x++) {
    const id = `${x % keys}@${Math.floor(x / size) * size}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function build(ratePerSecond: number | undefined, progress: { seen: number }) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.noRestart());
  const rows: Row[] = [];
  env.fromSource(new DataGeneratorSource((i) => i + 1, records, ratePerSecond ? { ratePerSecond } : {}),
    WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x), 'numbers').uid('numbers')
    .map((x: number) => { progress.seen++; return x; }).uid('seen')
    .keyBy((x) => x % keys)
    .window(TumblingEventTimeWindows.of(size))
    .process({
      process(key: number, ctx: { window: { start: number } }, elements: Iterable<number>, out: { collect(r: Row): void }) {
        let n = 0;
        for (const _ of elements) n++;
        out.collect([key, ctx.window.start, n]);
      },
    } as never).uid('windows')
    .sinkTo(new ExactlyOnceCollectSink<Row>(rows as never)).uid('sink');
  return { env, clock, rows };
}

async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !done(); i++) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the job made the expected progress');
}

const total = (rows: Row[]): number => rows.reduce((n, [, , c]) => n + c, 0);

for (const drain of [true, false]) {
  test(`stop with a savepoint ${drain ? 'and --drain: every window read so far fires' : 'without drain: open windows stay in the savepoint'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-drain-'));
    try {
      const progress = { seen: 0 };
      const first = build(2000, progress);
      const client = await first.env.executeAsync('drained');
      await until(first.clock, () => progress.seen >= 3000);
      const path = await client.stopWithSavepoint(dir, drain);
      assert.is(await client.getJobStatus(), 'FINISHED');
      if (drain) assert.is(total(first.rows), progress.seen, 'every record read before the stop is counted in the output');
      else assert.ok(total(first.rows) < progress.seen, 'the windows still open at the stop were not emitted');

      const next = build(undefined, { seen: 0 });
      await next.env.execute({ name: 'restored', fromSavepoint: path });
      const sums = new Map<string, number>();
      for (const [k, s, n] of [...first.rows, ...next.rows]) sums.set(`${k}@${s}`, (sums.get(`${k}@${s}`) ?? 0) + n);
      assert.equal([...sums].sort(), [...expected()].sort(), 'every window count adds up to the plain loop');
      if (!drain) assert.is(first.rows.length + next.rows.length, expected().size, 'without drain each window is emitted once');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
