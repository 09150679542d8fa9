// A watermark that a source's generator emits in onEvent follows the record that caused it (Flink's
// SourceOutputWithWatermarks: the record is collected, then the generator sees it), exactly as
// assignTimestampsAndWatermarks orders them. Otherwise every record of a punctuated source would
// be behind its own watermark, and late for the window that ends at its timestamp.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, ManualClock, ProcessFunction, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy,
  type Collector, type ProcessContext, type TimeWindow,
} from '../../../api/index.ts';
import { SourceOperator } from '../../../api/sources/source-operator.ts';
import type { OperatorContext, Output } from '../../../api/operators/stream-operator.ts';

/** Punctuated: every event's timestamp is the watermark. */
function punctuated(): WatermarkStrategy<number> {
  return WatermarkStrategy.forGenerator<number>(() => ({
    onEvent(_event, timestamp, output) { output.emitWatermark(timestamp); },
    onPeriodicEmit() {},
  })).withTimestampAssigner((x) => x);
}

/** Records what each record sees of the watermark. */
class WatermarkProbe extends ProcessFunction<number, [number, number]> {
  processElement(value: number, ctx: ProcessContext, out: Collector<[number, number]>): void {
    out.collect([value, ctx.timerService().currentWatermark()]);
  }
}

test('the source operator emits the record before the watermark its generator emits for it', async () => {
  const events: string[] = [];
  const output: Output<number> = {
    collect: (v) => { events.push(`record ${v}`); }, collectSide() {},
    emitWatermark: (t) => { events.push(`watermark ${t}`); }, emitWatermarkStatus() {},
  };
  const clock = new ManualClock(0);
  const context: OperatorContext = {
    operatorName: 'src', uid: 'src', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0, clock,
    registerProcessingTimer: (ts, cb) => clock.schedule(ts - clock.now(), () => cb(clock.now())), accumulators: new Map(),
  };
  const op = new SourceOperator(new DataGeneratorSource((i) => (i + 1) * 1000, 2), punctuated(), 0);
  op.setup(context, output);
  await op.open();
  op.addSplits([{ splitId: 'gen-0', next: 0, end: 1, stride: 1 }] as never);
  op.notifyNoMoreSplits();
  for (let i = 0; i < 10 && op.emitNext() === 'more-available'; i++) { /* poll to the end */ }
  assert.equal(events.slice(0, 4), ['record 1000', 'watermark 1000', 'record 2000', 'watermark 2000']);
});

for (const via of ['fromSource', 'assignTimestampsAndWatermarks'] as const) {
  test(`${via}: each record sees the watermark of the records before it (-Infinity, 1000, 2000)`, async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
    env.setParallelism(1);
    const source = new DataGeneratorSource((i) => (i + 1) * 1000, 3);
    const stream = via === 'fromSource'
      ? env.fromSource(source, punctuated(), 'numbers')
      : env.fromSource(source, undefined, 'numbers').assignTimestampsAndWatermarks(punctuated());
    const seen = await stream.process(new WatermarkProbe()).executeAndCollect();
    assert.equal(seen, [[1000, -Infinity], [2000, 1000], [3000, 2000]]);
  });
}

test('fromSource with a punctuated generator: a record at the end of its window is counted in it, not late', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  env.setParallelism(1);
  const counts = await env.fromSource(new DataGeneratorSource((i) => i * 1000 + 999, 3), punctuated(), 'ends')
    .keyBy(() => 0)
    .window(TumblingEventTimeWindows.of(1000))
    .process({
      process(_key: number, ctx: { window: TimeWindow }, elements: Iterable<number>, out: Collector<string>) {
        out.collect(`${ctx.window.start}:${[...elements].length}`);
      },
    } as never)
    .executeAndCollect();
  assert.equal(counts, ['0:1', '1000:1', '2000:1']);
});

test.run();
