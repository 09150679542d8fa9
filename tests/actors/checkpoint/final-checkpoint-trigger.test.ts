// When the final checkpoint is taken: a subtask that ended its input waits for a checkpoint, and
// the job takes one at once only when every subtask has ended (a bounded job ends without waiting
// for the period). While other subtasks still run, the ended ones wait for the next periodic
// checkpoint, as in Flink; a checkpoint triggered whenever one subtask ended would cut into the
// running rest of the job. Embedded, on a manual clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ManualClock, StreamExecutionEnvironment } from '../../../api/index.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';

/** A short source that ends at once, unioned with a rate-limited generator of `long` records. */
function job(long: number) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0 });
  env.setParallelism(1).enableCheckpointing(1_000_000).setStateBackend('memory');
  const seen = { short: 0, long: 0 };
  const short = env.fromSequence(1, 10).name('short');
  const rest = env.fromSource(new DataGeneratorSource((i) => 100 + i, long, { ratePerSecond: 100 }), undefined, 'long');
  short.union(rest).addSink((n: number) => { if (n <= 10) seen.short++; else seen.long++; });
  return { env, clock, seen };
}

async function until(clock: ManualClock, done: () => boolean, stepMs = 10): Promise<void> {
  for (let i = 0; i < 20_000 && !done(); i++) { clock.advance(stepMs); await new Promise<void>((r) => setTimeout(r, 0)); }
  assert.ok(done(), 'the job made progress');
}

test('a subtask that ended while the rest of the job runs waits for the periodic checkpoint', async () => {
  const { env, clock, seen } = job(Infinity);
  const client = await env.executeAsync('uneven');
  try {
    await until(clock, () => seen.short === 10 && seen.long >= 5);
    // The short source has ended and asked for its final checkpoint; the generator keeps running.
    await until(clock, () => seen.long >= 30);
    const ck = embeddedExecutor.lastJobMaster!.checkpointing;
    assert.is(ck.latestCompletedId, undefined, 'no checkpoint before the period while a subtask still runs');
    assert.is(await client.getJobStatus(), 'RUNNING');
  } finally {
    await client.cancel();
  }
});

test('once every subtask ended, the final checkpoint is taken at once, not at the next period', async () => {
  const { env, clock, seen } = job(40);
  const client = await env.executeAsync('bounded');
  let finished = false;
  const result = client.getJobExecutionResult().then(() => { finished = true; });
  // 40 records at 100/s: well under a second of the manual clock, against a period of 1000 s.
  await until(clock, () => finished);
  await result;
  assert.is(seen.short, 10);
  assert.is(seen.long, 40);
  assert.is(embeddedExecutor.lastJobMaster!.checkpointing.latestCompletedId, 1, 'one checkpoint: the final one');
});

test.run();
