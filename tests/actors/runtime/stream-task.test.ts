// Subtasks on the embedded cluster: backpressure (a fast unbounded source into a slow sink keeps
// every channel within its credits and the records in flight bounded), cancellation, and cleanup
// of every subtask when one fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, KeyedProcessFunction, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

test('backpressure: channel queues stay within their credits, in-flight records stay bounded, job cancels', async () => {
  const credits = 2, batchSize = 64;
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), channelCredits: credits, batchSize });
  let emitted = 0, consumed = 0, checks = 0, maxInFlight = 0;
  let done!: () => void;
  const enough = new Promise<void>((r) => { done = r; });
  const source = new DataGeneratorSource((i) => { emitted++; return i; }, Infinity);
  env.fromSource(source, undefined, 'fast source')
    .rebalance().map((x) => x + 1).setParallelism(2)
    .rebalance().addSink((x) => {
      // Deliberately slow: burns CPU per record, so the source outruns the sink.
      let h = x;
      for (let i = 0; i < 2000; i++) h = (h * 31 + i) | 0;
      if (h === 42) console.log('unlikely');
      consumed++;
      if (consumed % 500 === 0) {
        checks++;
        maxInFlight = Math.max(maxInFlight, emitted - consumed);
        for (const ch of embeddedExecutor.lastJobMaster!.allChannels()) assert.ok(ch.size <= credits, `${ch.description}: ${ch.size} queued`);
        if (consumed === 20_000) done();
      }
    }).name('slow sink');
  const client = await env.executeAsync('backpressure');
  await enough;
  const channels = embeddedExecutor.lastJobMaster!.allChannels();
  // source -> 2 maps, 2 maps -> sink
  assert.is(channels.length, 4);
  for (const ch of channels) assert.ok(ch.highWaterMark <= credits && ch.highWaterMark >= 1, `${ch.description}: high-water mark ${ch.highWaterMark}`);
  // What can be in flight: full channels, plus per writer one open batch and one batch of backlog per channel.
  const bound = (channels.length * credits + 2 * 2 * channels.length) * batchSize + 1024;
  assert.ok(maxInFlight <= bound, `in flight ${maxInFlight} > bound ${bound}`);
  assert.ok(checks >= 40);
  assert.ok(emitted < consumed + bound);
  await client.cancel();
  assert.is(await client.getJobStatus(), 'CANCELED');
  for (const tasks of embeddedExecutor.lastJobMaster!.subtasks().values()) for (const t of tasks) assert.is(t.state, 'canceled');
  const afterCancel = emitted;
  await new Promise((r) => setTimeout(r, 20));
  assert.is(emitted, afterCancel, 'the source stopped');
});

test('a failing subtask cancels every other subtask of the job', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock() });
  env.setParallelism(3);
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'endless')
    .map((x) => { if (x === 5000) throw new Error('bad record'); return x; }).name('Picky Map')
    .rebalance().addSink(() => {});
  const client = await env.executeAsync();
  try { await client.getJobExecutionResult(); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /Picky Map/);
  }
  assert.is(await client.getJobStatus(), 'FAILED');
  const states = [...embeddedExecutor.lastJobMaster!.subtasks().values()].flat().map((t) => t.state).sort();
  assert.is(states.length, 6);
  assert.equal(states, ['canceled', 'canceled', 'canceled', 'canceled', 'canceled', 'failed']);
});

test('processing-time timers of keyed functions fire through the mailbox as the clock advances', async () => {
  const clock = new ManualClock(1000);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  const fired: string[] = [];
  class Remind extends KeyedProcessFunction<string, string, string> {
    processElement(v: string, ctx: any): void { ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 500); }
    onTimer(ts: number, ctx: any, out: any): void { out.collect(`${ctx.getCurrentKey()}@${ts}/${ctx.timeDomain()}`); }
  }
  const src = new DataGeneratorSource<string>((i) => ['a', 'b'][i % 2], Infinity, { ratePerSecond: 2 });
  env.fromSource<string>(src, undefined, 'slow').keyBy((k) => k).process<string>(new Remind()).addSink((v) => { fired.push(v); });
  const client = await env.executeAsync();
  const tick = async () => { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0)); };
  await tick();
  clock.advance(1000); // rate 2/s: two records become due
  await tick();
  assert.equal(fired, []);
  clock.advance(499);
  await tick();
  assert.equal(fired, []);
  clock.advance(1);
  await tick();
  assert.is(fired.length, 2, `fired: ${fired}`);
  assert.equal(fired.sort(), ['a@2500/processing-time', 'b@2500/processing-time']);
  await client.cancel();
});

test('checkpoint hooks: a source injects a barrier in order with its records; the downstream handler receives it', async () => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock: new ManualClock(), bufferTimeoutMs: 0 });
  let seen = 0;
  let reached!: () => void;
  const enough = new Promise<void>((r) => { reached = r; });
  env.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'src').rebalance().map((x) => x).addSink(() => { if (++seen === 5000) reached(); });
  const client = await env.executeAsync();
  await enough;
  const [source, downstream] = [...embeddedExecutor.lastJobMaster!.subtasks().values()].map((ts) => ts[0]);
  assert.throws(() => source.setBarrierHandler({ processBarrier() {} }), /no input gate/);
  const barriers: number[] = [];
  let released!: () => void;
  const got = new Promise<void>((r) => { released = r; });
  downstream.setBarrierHandler({ processBarrier: (b) => { barriers.push(b.checkpointId); released(); } });
  source.emitBarrier({ kind: 'barrier', checkpointId: 7, timestamp: 0 });
  await got;
  assert.equal(barriers, [7]);
  assert.equal(downstream.chainedOperators().map((o) => o.node.name), ['Map', 'Sink']);
  await client.cancel();
});

test.run();
