import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';
import { countingJob, drive, expectedCounts, finalCounts, sorted, type Count } from './support.ts';

const seed = testSeed('exactly-once-state');

for (const backend of ['memory', 'kv'] as const) {
  test(`keyed counts are exact after a user function throws once (${backend} backend)`, async () => {
    const random = new Random(seed);
    const records = 30000, keys = 7;
    const throwAt = random.int(2000, 20000);
    console.log(`  ${backend}: throw at record ${throwAt}`);
    const { env, stream, failures, clock } = countingJob({ records, keys, parallelism: 2, backend, plan: { throwAt: [throwAt] } });
    const emitted: Count[] = [];
    stream.addSink((c) => { emitted.push(c); });
    await drive(clock, env.execute(`counting-${backend}`));
    assert.is(failures(), 1, 'the failure happened');
    const jobMaster = embeddedExecutor.lastJobMaster!;
    assert.is(jobMaster.failover.attemptNumber, 1, 'restarted once');
    assert.ok((jobMaster.checkpointing.restoredCheckpointId ?? 0) > 0, 'restored from a completed checkpoint, not from scratch');
    assert.equal(sorted(finalCounts(emitted)), sorted(expectedCounts(records, keys)));
  });
}

test('the same job without restart strategy fails, naming the cause and the attempts', async () => {
  const { env, stream, clock } = countingJob({ records: 2000, keys: 3, parallelism: 1, backend: 'memory', plan: { throwAt: [700], afterCheckpoint: false } });
  env.setRestartStrategy({ kind: 'no-restart' });
  stream.addSink(() => {});
  try {
    await drive(clock, env.execute('no-restart'));
    assert.unreachable('should fail');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /injected failure at record 700/);
    assert.match(message, /1 attempt made/);
  }
});

test.run();
