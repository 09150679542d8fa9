// Streaming iterations (iterate() / closeWith): Flink's classic loop (numbers stepped by the
// Collatz rule until they reach 1) at parallelism 1 and 3, with and without chaining, against a
// plain loop; submission errors name the operator; a failure with checkpointing on loses no
// fed-back record (at-least-once). The loop's end is driven by a manual clock that moves only
// on event-loop turns in which the job made no progress.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RestartStrategies, StreamExecutionEnvironment, type DataStream } from '../../../api/index.ts';
import { IterativeStream } from '../../../api/datastream/streaming-iteration.ts';
import { DEFAULT_LOOP_DRAIN_WAIT_MS } from '../../../api/graph/feedback-loop.ts';
import { InvalidJobGraphError } from '../../../api/graph/job-graph-builder.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';

const seed = testSeed('streaming-iteration');

interface Walk { start: number; n: number; steps: number }

const collatz = (w: Walk): Walk => ({ start: w.start, n: w.n % 2 === 0 ? w.n / 2 : 3 * w.n + 1, steps: w.steps + 1 });

/** Steps to reach 1, by a plain loop. */
function plainSteps(start: number): number {
  let n = start, steps = 0;
  while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }
  return steps;
}

/**
 * Runs `body` while a manual clock moves 1 ms on every event-loop turn in which `progress()` did
 * not change (the loop is quiet); resolves with the body's result.
 */
async function withQuietClock<R>(clock: ManualClock, progress: () => number, body: () => Promise<R>): Promise<R> {
  let done = false;
  let last = -1;
  const tick = (): void => {
    if (done) return;
    const now = progress();
    if (now === last) clock.advance(1);
    last = now;
    setImmediate(tick);
  };
  setImmediate(tick);
  try { return await body(); } finally { done = true; }
}

function collatzJob(env: StreamExecutionEnvironment, starts: number[], counter: { n: number }): DataStream<Walk> {
  const it = env.fromCollection(starts.map((s): Walk => ({ start: s, n: s, steps: 0 }))).iterate({ maxWaitTimeMs: 20 });
  const stepped = it.map((w) => { counter.n++; return w.n === 1 ? w : collatz(w); });
  it.closeWith(stepped.filter((w) => w.n !== 1));
  return stepped.filter((w) => w.n === 1);
}

test('iterate() without options ends once its input ended and the loop drained (idle for the default wait)', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 32 });
  env.setParallelism(2);
  const starts = [1, 6, 7, 27, 97];
  const counter = { n: 0 };
  const it = env.fromCollection(starts.map((s): Walk => ({ start: s, n: s, steps: 0 }))).iterate();
  const stepped = it.map((w) => { counter.n++; return w.n === 1 ? w : collatz(w); });
  it.closeWith(stepped.filter((w) => w.n !== 1));
  const out = await withQuietClock(clock, () => counter.n, () => stepped.filter((w) => w.n === 1).executeAndCollect('default drain'));
  assert.equal(out.map((w) => `${w.start}:${w.steps}`).sort(), starts.map((s) => `${s}:${plainSteps(s)}`).sort());
  assert.ok(clock.now() >= DEFAULT_LOOP_DRAIN_WAIT_MS, `the loop waited the default drain time (${clock.now()} ms)`);
});

for (const [parallelism, chaining] of [[1, true], [3, true], [3, false]] as const) {
  test(`Collatz walks loop until they reach 1 (parallelism ${parallelism}, chaining ${chaining ? 'on' : 'off'}) and match a plain loop`, async () => {
    const random = new Random(seed + parallelism * 2 + (chaining ? 1 : 0));
    const starts = Array.from({ length: 300 }, () => random.int(1, 5000));
    const clock = new ManualClock();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 32 });
    env.setParallelism(parallelism);
    if (!chaining) env.disableOperatorChaining();
    const counter = { n: 0 };
    const out = await withQuietClock(clock, () => counter.n, () => collatzJob(env, starts, counter).executeAndCollect('collatz'));
    const got = out.map((w) => `${w.start}:${w.steps}`).sort();
    const expected = starts.map((s) => `${s}:${plainSteps(s)}`).sort();
    assert.equal(got, expected);
    // Every walk went round the loop once per step (a walk starting at 1 passes once).
    assert.is(counter.n, starts.reduce((sum, s) => sum + (s === 1 ? 1 : plainSteps(s)), 0));
  });
}

test('iterate() returns an IterativeStream; options and closeWith are checked', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const it = env.fromElements(1, 2).iterate();
  assert.instance(it, IterativeStream);
  assert.throws(() => env.fromElements(1).iterate({ maxWaitTimeMs: -1 }), /maxWaitTimeMs must be a non-negative/);
  const outside = env.fromElements(5).map((x) => x + 1).name('Outside Map');
  assert.throws(() => it.closeWith(outside), /comes from operator "Outside Map", which is not built from the iteration/);
  const other = StreamExecutionEnvironment.getExecutionEnvironment().fromElements(1);
  assert.throws(() => it.closeWith(other), /belongs to another environment/);
  // Head, input and tail get stable ids from the iteration's uid, whichever is set first.
  const named = env.fromElements(1).iterate({ maxWaitTimeMs: 5 }).uid('loop');
  named.closeWith(named.map((x) => x - 1).filter((x) => x > 0));
  const uids = env.streamGraph.nodes.filter((n) => n.feedback?.loop === env.streamGraph.nodes.find((m) => m.uid === 'loop-head')?.feedback?.loop).map((n) => n.uid);
  assert.equal(uids.sort(), ['loop-head', 'loop-input', 'loop-tail']);
});

test('submission refuses an unclosed loop and a feedback stream at another parallelism, naming the operator', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const open = env.fromElements(1, 2).iterate({ maxWaitTimeMs: 10 });
  open.map((x) => x).print();
  try { await env.execute('unclosed'); assert.unreachable(); } catch (error) {
    assert.instance(error, InvalidJobGraphError);
    assert.match((error as Error).message, /iteration "Iteration Source" was never closed/);
  }
  const env2 = StreamExecutionEnvironment.getExecutionEnvironment();
  env2.setParallelism(2);
  const it = env2.fromElements(1, 2).iterate({ maxWaitTimeMs: 10 });
  const body = it.map((x) => x - 1).name('Decrement').setParallelism(3);
  it.closeWith(body.filter((x) => x > 0).setParallelism(3));
  body.print();
  try { await env2.execute('mismatch'); assert.unreachable(); } catch (error) {
    assert.match((error as Error).message, /feedback stream comes from operator "Filter" at parallelism 3, but the iteration head runs at parallelism 2/);
  }
  const env3 = StreamExecutionEnvironment.getExecutionEnvironment();
  env3.setRuntimeMode('batch');
  const it3 = env3.fromElements(1).iterate();
  it3.closeWith(it3.filter(() => false));
  it3.print();
  try { await env3.execute('batch'); assert.unreachable(); } catch (error) {
    assert.match((error as Error).message, /streaming iteration "Iteration Source" \(iterate\(\) \/ closeWith\) needs streaming mode/);
  }
});

test('a failure with checkpointing on loses no fed-back record (at-least-once) after a restore', async () => {
  const random = new Random(seed + 11);
  const starts = Array.from({ length: 400 }, () => random.int(2, 3000));
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 16 });
  env.setParallelism(2).enableCheckpointing(10).setRestartStrategy(RestartStrategies.fixedDelay(3, 0));
  const shared = { steps: 0, failed: false };
  const throwAt = random.int(2000, 8000);
  console.log(`  throw at step ${throwAt}`);
  const checkpointed = (): boolean => (embeddedExecutor.lastJobMaster?.checkpointing?.latestCompletedId ?? 0) > 0;
  const it = env.fromCollection(starts.map((s): Walk => ({ start: s, n: s, steps: 0 }))).iterate({ maxWaitTimeMs: 1000 });
  const stepped = it.map((w) => {
    const k = ++shared.steps;
    if (!shared.failed && k >= throwAt && checkpointed()) { shared.failed = true; throw new Error(`injected failure at step ${k}`); }
    // Time passes with the work too, so that checkpoints complete while walks are looping.
    if (k % 50 === 0) clock.advance(5);
    return collatz(w);
  });
  it.closeWith(stepped.filter((w) => w.n !== 1));
  const out = await withQuietClock(clock, () => shared.steps, () => stepped.filter((w) => w.n === 1).executeAndCollect('collatz-restart'));
  const jobMaster = embeddedExecutor.lastJobMaster!;
  assert.ok(shared.failed, 'the failure happened');
  assert.ok((jobMaster.checkpointing.restoredCheckpointId ?? 0) > 0, 'restored from a checkpoint');
  // Exactly-once collect: each walk's end once, with its plain-loop step count.
  const got = out.map((w) => `${w.start}:${w.steps}`).sort();
  assert.equal(got, starts.map((s) => `${s}:${plainSteps(s)}`).sort());
});

test.run();
