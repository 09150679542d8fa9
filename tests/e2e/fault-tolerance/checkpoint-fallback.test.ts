import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
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
