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

test.run();
