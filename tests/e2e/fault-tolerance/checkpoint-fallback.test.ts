import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { ExactlyOnceCollectSink } from '../../../api/sinks/collect-sink.ts';
import { CheckpointCorruptedError, type CheckpointStorage } from '../../../state/checkpoint/checkpoint-storage.ts';
import { memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';
import { countingJob, drive, expectedCounts, finalCounts, sorted, type Count } from './support.ts';

interface Corruption { on: () => boolean; all: boolean; rejected: number[] }

/** Memory storage whose reads of the newest (or every) completed checkpoint fail as corrupt once `corrupt.on()` holds. */
function corruptingBackend(corrupt: Corruption): StateBackend {
  const base = memoryStateBackend();
  return {
    ...base,
    name: 'corrupting-memory',
    async createCheckpointStorage(options) {
      const inner = await base.createCheckpointStorage(options);
      const storage: CheckpointStorage = Object.create(inner);
      storage.readCheckpoint = async (id, filter) => {
        const ids = await inner.list();
        if (corrupt.on() && (corrupt.all || id === ids[ids.length - 1])) {
          corrupt.rejected.push(id);
          throw new CheckpointCorruptedError(options.jobId, id, 'injected: a key group value is truncated');
        }
        return inner.readCheckpoint(id, filter);
      };
      storage.readLatestCompleted = (o) => Object.getPrototypeOf(storage).readLatestCompleted.call(storage, o);
      return storage;
    },
  };
}

test('a corrupt latest checkpoint: recovery falls back to the previous one; counts stay exact', async () => {
  const corrupt: Corruption = { on: () => false, all: false, rejected: [] };
  const records = 40000, keys = 5;
  const { env, stream, failures, clock } = countingJob({ records, keys, parallelism: 2, backend: corruptingBackend(corrupt), plan: { throwAt: [8000], checkpointsBefore: 2 } });
  // The corruption shows once the failure happened, so the restart meets it.
  corrupt.on = () => failures() > 0;
  env.getCheckpointConfig().setNumRetainedCheckpoints(3);
  const emitted: Count[] = [];
  stream.addSink((c) => { emitted.push(c); });
  await drive(clock, env.execute('fallback'));
  assert.is(failures(), 1);
  const ck = embeddedExecutor.lastJobMaster!.checkpointing;
  assert.ok(corrupt.rejected.length > 0, 'the newest checkpoint was found corrupt');
  assert.ok(ck.restoredCheckpointId !== undefined && ck.restoredCheckpointId < corrupt.rejected[0], 'restored from an earlier checkpoint');
  assert.equal(sorted(finalCounts(emitted)), sorted(expectedCounts(records, keys)));
});

test('a corrupt latest checkpoint under an exactly-once sink: no fallback (it committed that checkpoint), the job fails naming both, nothing is written twice', async () => {
  const corrupt: Corruption = { on: () => false, all: false, rejected: [] };
  const records = 40000, keys = 5;
  const { env, stream, failures, clock } = countingJob({ records, keys, parallelism: 2, backend: corruptingBackend(corrupt), plan: { throwAt: [8000], checkpointsBefore: 2 } });
  corrupt.on = () => failures() > 0;
  env.getCheckpointConfig().setNumRetainedCheckpoints(3);
  const committed: Count[] = [];
  stream.sinkTo(new ExactlyOnceCollectSink<Count>(committed)).uid('counts');
  try {
    await drive(clock, env.execute('no-fallback'));
    assert.unreachable('the job must fail');
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, /cannot restart: checkpoint (\d+) of job \S+ is corrupt or incomplete/);
    assert.match(message, /Not falling back: 'counts' committed output when checkpoint \d+ completed, and restoring the older checkpoint \d+ would write that output again/);
    assert.match(message, /restoring from its checkpoint storage .*\(fromSavepoint\)/);
  }
  assert.is(failures(), 1);
  assert.ok(corrupt.rejected.length > 0, 'the newest checkpoint was found corrupt');
  assert.is(embeddedExecutor.lastJobMaster!.checkpointing.restoredCheckpointId, undefined, 'nothing was restored');
  // What the sink committed is a prefix of each key's running counts: every count once.
  const seen = new Set<string>();
  for (const c of committed) {
    assert.not.ok(seen.has(String(c)), `count ${String(c)} committed twice`);
    seen.add(String(c));
  }
  assert.ok(committed.length > 0, 'the sink committed output before the failure');
  const expected = expectedCounts(records, keys);
  for (const [key, count] of finalCounts(committed)) assert.ok(count <= expected.get(key)!);
});

test('no readable checkpoint: the restart fails clearly instead of starting over', async () => {
  const corrupt: Corruption = { on: () => false, all: true, rejected: [] };
  const { env, stream, failures, clock } = countingJob({ records: 30000, keys: 5, parallelism: 1, backend: corruptingBackend(corrupt), plan: { throwAt: [12000] } });
  corrupt.on = () => failures() > 0;
  stream.addSink(() => {});
  try {
    await drive(clock, env.execute('unreadable'));
    assert.unreachable('the job must fail');
  } catch (error) {
    assert.match((error as Error).message, /cannot restart: no completed checkpoint can be read/);
  }
});

test.run();
