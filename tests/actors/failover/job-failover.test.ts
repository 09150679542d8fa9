import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { failoverStrategyOf, restartStrategyOf } from '../../../actors/failover/job-failover.ts';

/** Lets the job run until `done` holds (its own progress, never wall time). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000; i++) { if (await done()) return; await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.unreachable('the job did not reach the expected state');
}

test('default restart strategy: none without checkpointing, fixed delay with it', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1).print();
  assert.equal(restartStrategyOf(env.getJobGraph()), { kind: 'no-restart' });
  env.enableCheckpointing(1000);
  const withCheckpoints = restartStrategyOf(env.getJobGraph());
  assert.is(withCheckpoints.kind, 'fixed-delay');
  env.setRestartStrategy(RestartStrategies.failureRate(3, 60_000, 10));
  assert.equal(restartStrategyOf(env.getJobGraph()), { kind: 'failure-rate', maxFailures: 3, intervalMs: 60_000, delayMs: 10 });
});

test('failover strategy: region by default (as in Flink), full when set, stored in the job graph', () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.fromElements(1).print();
  assert.is(env.getFailoverStrategy(), 'region');
  assert.is(failoverStrategyOf(env.getJobGraph()), 'region');
  env.setFailoverStrategy('full');
  assert.is(failoverStrategyOf(env.getJobGraph()), 'full');
  assert.is((env.getJobGraph().config.faultTolerance as { failoverStrategy?: string }).failoverStrategy, 'full');
  assert.throws(() => env.setFailoverStrategy('restart-all' as never), /'region' or 'full'/);
});

test('a failed job is RESTARTING for the backoff (on its clock), then runs again as the next attempt', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 1000));
  let thrown = false;
  const out: number[] = [];
  env.fromSequence(1, 100).map((x: number) => {
    if (x === 50 && !thrown) { thrown = true; throw new Error('boom'); }
    return x;
  }).addSink((x) => { out.push(x); });
  const client = await env.executeAsync('backoff');
  await until(async () => (await client.getJobStatus()) === 'RESTARTING');
  const jm = embeddedExecutor.lastJobMaster!;
  assert.is(jm.failover.attemptNumber, 0, 'still the first attempt while backing off');
  clock.advance(999);
  assert.is(await client.getJobStatus(), 'RESTARTING');
  clock.advance(1);
  await client.getJobExecutionResult();
  assert.is(jm.failover.attemptNumber, 1);
  assert.equal(jm.failover.failures.length, 1);
  assert.match(jm.failover.failures[0], /boom/);
  for (let x = 1; x <= 100; x++) assert.ok(out.includes(x), `record ${x} reached the sink`);
});

test('when the strategy gives up the job is FAILED, naming the root cause and the attempts', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  env.enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(2, 0));
  env.fromSequence(1, 10).map((x: number) => { if (x === 5) throw new Error('always broken'); return x; }).addSink(() => {});
  const client = await env.executeAsync('gives-up');
  try {
    await client.getJobExecutionResult();
    assert.unreachable('the job must fail');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /always broken/);
    assert.match(message, /3 attempts made/);
    assert.match(message, /fixed delay, 2 restart attempts/);
    assert.match(String(((error as Error).cause as Error)?.message), /always broken/);
  }
  assert.is(await client.getJobStatus(), 'FAILED');
});

test('cancelling a restarting job ends it CANCELED without another attempt', async () => {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(3, 5000));
  env.fromSequence(1, 10).map((x: number) => { if (x === 5) throw new Error('fails'); return x; }).addSink(() => {});
  const client = await env.executeAsync('cancel-while-restarting');
  await until(async () => (await client.getJobStatus()) === 'RESTARTING');
  await client.cancel();
  clock.advance(5000);
  assert.is(await client.getJobStatus(), 'CANCELED');
  assert.is(embeddedExecutor.lastJobMaster!.failover.attemptNumber, 0);
});

test('region strategy: each restart of a region counts as a failure; when the strategy gives up the whole job fails', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  // Parallelism 2 without a network edge: two pipelined regions; only subtask 0 reads record 5.
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.fixedDelay(2, 0));
  env.fromSequence(1, 20).map((x: number) => { if (x === 5) throw new Error('region broken'); return x; }).addSink(() => {});
  const client = await env.executeAsync('region-gives-up');
  const jm = embeddedExecutor.lastJobMaster!;
  try {
    await client.getJobExecutionResult();
    assert.unreachable('the job must fail');
  } catch (error) {
    assert.match((error as Error).message, /region broken/);
    assert.match((error as Error).message, /3 attempts made/);
  }
  assert.is(await client.getJobStatus(), 'FAILED');
  assert.is(jm.failover.failures.length, 3);
  const vertex = jm.graph.vertices[0];
  assert.equal([jm.subtaskAttemptNumber(vertex, 0), jm.subtaskAttemptNumber(vertex, 1)], [2, 0], 'only the failing region was redeployed');
});

test('the full strategy restarts every region', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  env.setParallelism(2).enableCheckpointing(100).setFailoverStrategy('full').setRestartStrategy(RestartStrategies.fixedDelay(2, 0));
  let thrown = false;
  env.fromSequence(1, 20).map((x: number) => { if (x === 5 && !thrown) { thrown = true; throw new Error('once'); } return x; }).addSink(() => {});
  await env.execute('full-restarts-all');
  const jm = embeddedExecutor.lastJobMaster!;
  const vertex = jm.graph.vertices[0];
  assert.equal([jm.subtaskAttemptNumber(vertex, 0), jm.subtaskAttemptNumber(vertex, 1)], [1, 1]);
});

test.run();
