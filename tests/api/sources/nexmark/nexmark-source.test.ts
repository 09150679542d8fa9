// NexmarkSource: the same events at parallelism 1 and 4 and across a restore from a checkpoint
// after an injected failure (exactly-once collect), its splits and positions, and the rate limit
// on the injected clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ManualClock, NexmarkGenerator, NexmarkSource, RestartStrategies, StreamExecutionEnvironment, nexmarkSplits,
  type NexmarkConfig, type NexmarkEvent, type ReaderOutput,
} from '../../../../api/index.ts';
import { embeddedExecutor } from '../../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../../support/random.ts';

const key = (e: NexmarkEvent): string => JSON.stringify(e);

function expected(config: NexmarkConfig): string[] {
  const g = new NexmarkGenerator(config);
  return Array.from({ length: config.numEvents! }, (_, k) => key(g.event(k))).sort();
}

async function collect(config: NexmarkConfig, parallelism: number): Promise<string[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  const out = await env.fromSource(new NexmarkSource(config), NexmarkSource.watermarkStrategy(), 'nexmark').executeAndCollect();
  return out.map(key).sort();
}

test('the same events at parallelism 1 and 4, equal to the generator\'s', async () => {
  const config = { numEvents: 20_000 };
  const want = expected(config);
  assert.equal(await collect(config, 1), want);
  assert.equal(await collect(config, 4), want);
});

test('splits deal the events round-robin; their sizes add up', () => {
  const splits = nexmarkSplits(10, 3);
  assert.equal(splits.map((s) => [s.index, s.count, s.next, s.end]), [[0, 3, 0, 4], [1, 3, 0, 3], [2, 3, 0, 3]]);
  assert.is(nexmarkSplits(2, 8).length, 2);
  assert.is(new NexmarkSource({}).boundedness, 'continuous-unbounded');
  assert.is(new NexmarkSource({ numEvents: 5 }).boundedness, 'bounded');
});

test('a restore from a checkpoint after a failure replays the same events exactly once', async () => {
  const random = new Random(testSeed('nexmark-source-restore'));
  const config: NexmarkConfig = { numEvents: 30_000, firstEventRate: 10_000, maxEmitSpeed: false };
  const failAt = random.int(5_000, 25_000);
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(2, 0));
  const shared = { seen: 0, failures: 0 };
  const stream = env.fromSource(new NexmarkSource(config), NexmarkSource.watermarkStrategy(), 'nexmark').map((e: NexmarkEvent) => {
    const ck = embeddedExecutor.lastJobMaster?.checkpointing;
    if (++shared.seen >= failAt && shared.failures === 0 && (ck?.latestCompletedId ?? 0) > 0) {
      shared.failures++;
      throw new Error(`injected failure at event ${shared.seen}`);
    }
    return e;
  });
  let done = false;
  const result = stream.executeAndCollect('nexmark-restore').finally(() => { done = true; });
  while (!done) { clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
  const out = (await result).map(key).sort();
  assert.is(shared.failures, 1, 'the failure happened');
  assert.ok(embeddedExecutor.lastJobMaster!.checkpointing.restoredCheckpointId! > 0, 'restored from a checkpoint');
  assert.equal(out, expected(config));
});

test('rate limit: events come out as their event time arrives on the clock', () => {
  const clock = new ManualClock(1_000);
  const source = new NexmarkSource({ numEvents: 1000, firstEventRate: 1000, maxEmitSpeed: false });
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, clock, sendSplitRequest() {} });
  reader.addSplits(nexmarkSplits(1000, 1));
  const got: NexmarkEvent[] = [];
  const output: ReaderOutput<NexmarkEvent> = {
    collect: (e) => { got.push(e); }, createOutputForSplit() { return output; }, releaseOutputForSplit() {}, markIdle() {},
  };
  // 1 event per ms: at the start, the events of the first millisecond only.
  reader.pollNext(output);
  const first = got.length;
  assert.ok(first >= 1 && first <= 2, `${first}`);
  assert.is(reader.pollNext(output), 'nothing-available');
  clock.advance(100);
  while (reader.pollNext(output) === 'more-available');
  assert.ok(got.length >= 100 && got.length <= 102, `${got.length} after 100 ms`);
  const position = reader.snapshotState(1)[0];
  assert.is(position.next, got.length, 'the position is the next event number within the split');
});

test.run();
