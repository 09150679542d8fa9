// DataGeneratorSource: bounded ranges per subtask, endless strided streams, and the rate limit
// driven by the injected clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource } from '../../../api/sources/data-generator-source.ts';
import type { ReaderOutput, SourceSplit } from '../../../api/sources/source.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { StreamExecutionEnvironment } from '../../../api/index.ts';

const collector = (into: unknown[]): ReaderOutput<unknown> => ({
  collect: (v) => { into.push(v); }, createOutputForSplit() { return this; }, releaseOutputForSplit() {}, markIdle() {},
});

function splitsFor(source: DataGeneratorSource<unknown>, p: number): SourceSplit[][] {
  const out: SourceSplit[][] = Array.from({ length: p }, () => []);
  const e = source.createEnumerator({ currentParallelism: () => p, registeredReaders: () => [], assignSplit: (s, i) => out[i].push(s), signalNoMoreSplits() {} });
  for (let i = 0; i < p; i++) e.addReader(i);
  return out;
}

test('bounded: every index exactly once over the subtasks, through a real job', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
  const out = await env.fromSource(new DataGeneratorSource((i) => `r${i}`, 1000), undefined, 'gen').executeAndCollect();
  assert.equal(out.sort(), Array.from({ length: 1000 }, (_, i) => `r${i}`).sort());
});

test('unbounded: subtask i generates i, i+p, i+2p, ...', () => {
  const source = new DataGeneratorSource((i) => i, Infinity);
  assert.is(source.boundedness, 'continuous-unbounded');
  const splits = splitsFor(source as DataGeneratorSource<unknown>, 3);
  const reader = source.createReader({ subtaskIndex: 1, parallelism: 3, clock: new ManualClock(), sendSplitRequest() {} });
  reader.addSplits(splits[1] as never);
  const got: unknown[] = [];
  reader.pollNext(collector(got));
  assert.equal(got.slice(0, 4), [1, 4, 7, 10]);
});

test('rate limit: records become available as the clock advances', async () => {
  const clock = new ManualClock(0);
  const source = new DataGeneratorSource((i) => i, 100, { ratePerSecond: 20 });
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 2, clock, sendSplitRequest() {} });
  reader.addSplits(splitsFor(source as DataGeneratorSource<unknown>, 2)[0] as never);
  const got: unknown[] = [];
  assert.is(reader.pollNext(collector(got)), 'nothing-available');
  let available = false;
  void reader.isAvailable().then(() => { available = true; });
  clock.advance(99);
  await Promise.resolve();
  assert.not.ok(available);
  clock.advance(1);
  await Promise.resolve();
  assert.ok(available);
  reader.pollNext(collector(got));
  assert.equal(got, [0]);
  clock.advance(1000);
  reader.pollNext(collector(got));
  assert.is(got.length, 11);
  assert.throws(() => new DataGeneratorSource((i) => i, -1), /count must be >= 0/);
  assert.throws(() => new DataGeneratorSource((i) => i, 5, { ratePerSecond: 0 }), /ratePerSecond must be > 0/);
});

test.run();
