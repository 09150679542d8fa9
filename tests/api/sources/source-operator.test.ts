// SourceOperator: timestamps from the strategy, one watermark generator per split (the source
// watermark is the minimum over active splits), periodic emission on the auto-watermark interval
// through processing timers, idleness, and MAX_WATERMARK at the end of bounded input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SourceOperator } from '../../../api/sources/source-operator.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceSplit } from '../../../api/sources/source.ts';
import type { OperatorContext, Output } from '../../../api/operators/stream-operator.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { WatermarkStrategy } from '../../../api/time/watermark-strategy.ts';
import { DataGeneratorSource, StreamExecutionEnvironment, TumblingEventTimeWindows, type Collector, type TimeWindow } from '../../../api/index.ts';

interface Ev { split: string; ts: number }

/** A reader that emits scripted events per split, through per-split outputs. */
function scriptedSource(script: Ev[][]): Source<Ev> {
  return {
    boundedness: 'bounded',
    createEnumerator: () => { throw new Error('not used'); },
    restoreEnumerator: () => { throw new Error('not used'); },
    createReader(): SourceReader<Ev, SourceSplit> {
      let step = 0;
      return {
        start() {},
        pollNext(output: ReaderOutput<Ev>): InputStatus {
          if (step >= script.length) return 'end-of-input';
          for (const e of script[step]) output.createOutputForSplit(e.split).collect(e);
          step++;
          return 'more-available';
        },
        isAvailable: () => Promise.resolve(),
        addSplits() {}, notifyNoMoreSplits() {}, snapshotState: () => [], close() {},
      };
    },
  };
}

function setup<T>(op: SourceOperator<T>, clock = new ManualClock(0)) {
  const out = { records: [] as Array<[T, number]>, watermarks: [] as number[], statuses: [] as boolean[] };
  const output: Output<T> = {
    collect: (v, t) => { out.records.push([v, t]); }, collectSide() {},
    emitWatermark: (t) => { out.watermarks.push(t); }, emitWatermarkStatus: (i) => { out.statuses.push(i); },
  };
  const ctx: OperatorContext = {
    operatorName: 'src', uid: 'src', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0, clock,
    registerProcessingTimer: (ts, cb) => clock.schedule(ts - clock.now(), () => cb(clock.now())), accumulators: new Map(),
  };
  op.setup(ctx, output);
  return { out, clock };
}

test('per-split generators: the watermark is the minimum over splits, emitted periodically', async () => {
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const op = new SourceOperator(scriptedSource([[{ split: 'a', ts: 10 }, { split: 'b', ts: 3 }], [{ split: 'a', ts: 20 }], [{ split: 'b', ts: 15 }]]), strategy, 100);
  const { out, clock } = setup(op);
  await op.open();
  op.emitNext();
  assert.equal(out.records.map(([e, t]) => `${e.split}${t}`), ['a10', 'b3']);
  clock.advance(100);
  assert.equal(out.watermarks, [2]);
  op.emitNext();
  clock.advance(100);
  assert.equal(out.watermarks, [2], 'split b holds the watermark back');
  op.emitNext();
  clock.advance(100);
  assert.equal(out.watermarks, [2, 14]);
  assert.is(op.emitNext(), 'end-of-input');
  op.endInput();
  assert.equal(out.watermarks, [2, 14, Infinity]);
  clock.advance(1000);
  assert.equal(out.watermarks.length, 3, 'no periodic emission after the end');
  await op.close();
});

test('released splits no longer hold the watermark back; all-idle marks the source idle', async () => {
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const op = new SourceOperator(scriptedSource([[{ split: 'a', ts: 50 }, { split: 'b', ts: 5 }]]), strategy, 10);
  const { out, clock } = setup(op);
  await op.open();
  op.emitNext();
  clock.advance(10);
  assert.equal(out.watermarks, [4]);
  op.releaseOutputForSplit('b');
  assert.equal(out.watermarks, [4, 49]);
  op.createOutputForSplit('a').markIdle();
  assert.equal(out.statuses, [true]);
});

test('without a strategy records pass through with their source timestamps and no watermarks', async () => {
  const op = new SourceOperator(scriptedSource([[{ split: 'a', ts: 1 }]]), undefined, 100);
  const { out, clock } = setup(op);
  await op.open();
  op.collect({ split: 'x', ts: 0 });
  op.collect({ split: 'y', ts: 0 }, 77);
  clock.advance(1000);
  assert.equal(out.records.map(([, t]) => t), [-Infinity, 77]);
  assert.equal(out.watermarks, []);
  assert.is(clock.pending(), 0);
});


/** A reader that never emits and never ends (an empty partition). */
function silentSource(): Source<Ev> {
  return {
    boundedness: 'continuous-unbounded',
    createEnumerator: () => { throw new Error('not used'); },
    restoreEnumerator: () => { throw new Error('not used'); },
    createReader: (): SourceReader<Ev, SourceSplit> => ({
      start() {}, pollNext: () => 'nothing-available', isAvailable: () => new Promise(() => {}),
      addSplits() {}, notifyNoMoreSplits() {}, snapshotState: () => [], close() {},
    }),
  };
}

test('a reader that never emits gets a generator at open: withIdleness marks the source idle', async () => {
  const base = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);
  const idle = new SourceOperator(silentSource(), base.withIdleness(300), 100);
  const a = setup(idle);
  await idle.open();
  a.clock.advance(200);
  assert.equal(a.out.statuses, [], 'not idle before the timeout');
  a.clock.advance(200);
  assert.equal(a.out.statuses, [true]);
  assert.equal(a.out.watermarks, []);
  await idle.close();
  // Without idleness the silent source stays active (and holds a union back, as in Flink).
  const active = new SourceOperator(silentSource(), base, 100);
  const b = setup(active);
  await active.open();
  b.clock.advance(5000);
  assert.equal(b.out.statuses, []);
  await active.close();
});

/** Windows of `active` unioned with a source that never emits; resolves once they fired or `maxMs` passed. */
async function unionWithSilentSource(idlenessMs: number | undefined, maxMs: number): Promise<string[]> {
  type G = { key: string; ts: number };
  const clock = new ManualClock(0);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock });
  env.getConfig().setAutoWatermarkInterval(50);
  const monotonous = WatermarkStrategy.forMonotonousTimestamps<G>().withTimestampAssigner((e) => e.ts);
  const active = env.fromSource(new DataGeneratorSource<G>((i) => ({ key: `k${i % 2}`, ts: i * 7 }), 100), monotonous, 'active');
  // Unbounded and too slow to ever emit here: it never ends, so only idleness lets the watermark pass.
  const silentStrategy = idlenessMs === undefined ? monotonous : monotonous.withIdleness(idlenessMs);
  const silent = env.fromSource(new DataGeneratorSource<G>(() => ({ key: 'silent', ts: 0 }), Infinity, { ratePerSecond: 1e-9 }), silentStrategy, 'silent');
  const rows: string[] = [];
  active.union(silent).map((e) => ({ key: e.key, n: 1 })).keyBy((e) => e.key).window(TumblingEventTimeWindows.of(100))
    .reduce((a, b) => ({ key: a.key, n: a.n + b.n }),
      (key: string, w: TimeWindow, input: Iterable<{ n: number }>, o: Collector<string>) => o.collect(`${key}|${w.start}|${[...input][0].n}`))
    .addSink((row: string) => { rows.push(row); });
  const client = await env.executeAsync('silent input');
  while (clock.now() < maxMs && rows.length < expectedWindows().length) {
    clock.advance(10);
    for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
  await client.cancel();
  await client.getJobExecutionResult().catch(() => {});
  return rows;
}

/** The windows of the active source, by a plain loop. */
function expectedWindows(): string[] {
  const counts = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    const id = `k${i % 2}|${Math.floor((i * 7) / 100) * 100}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => `${id}|${n}`).sort();
}

test('end to end: two sources unioned, one never emits; with withIdleness the windows of the other fire', async () => {
  assert.equal((await unionWithSilentSource(300, 5000)).sort(), expectedWindows());
  assert.equal(await unionWithSilentSource(undefined, 2000), [], 'without idleness the silent source holds the windows back');
});

test.run();
