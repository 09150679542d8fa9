// CheckpointFence and the fenced JobStore: once a newer leadership claimed a job, the deposed
// leader can neither complete a checkpoint the new leader would recover from nor record the
// job's end; without a claim by a newer epoch its writes go through.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckpointFence, FencedCheckpointStorage, FencedOffError } from '../../../actors/ha/checkpoint-fence.ts';
import { JobStore } from '../../../actors/ha/job-store.ts';
import { MemoryCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { openKvStore } from '../../../state/kv/kv-store.ts';

const JOB = 'job-1';

async function refused(what: string, write: Promise<unknown>): Promise<Error> {
  try {
    await write;
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${what} was not refused`);
}

test('a deposed leader\'s checkpoint completion is refused and never becomes the latest; the new leader\'s is', async () => {
  const kv = await openKvStore();
  try {
    const fence = new CheckpointFence(kv);
    // One storage, two JobManagers writing to it: the deposed one (epoch 1) and the new one (epoch 2).
    const storage = new MemoryCheckpointStorage(JOB);
    const old = new FencedCheckpointStorage(storage, fence, () => 1);
    const next = new FencedCheckpointStorage(storage, fence, () => 2);
    await fence.claim(JOB, 1);
    await old.writeMetadata(1, { timestamp: 10 });
    await old.writeMetadata(2, { timestamp: 20 });
    assert.is((await next.readLatestCompleted())?.checkpointId, 2, 'completed before the claim: the new leader sees it');

    await fence.claim(JOB, 2);
    const error = await refused('checkpoint 3 of epoch 1', old.writeMetadata(3, { timestamp: 30 }));
    assert.instance(error, FencedOffError);
    assert.match(error.message, /checkpoint 3 of job job-1 was refused: .*epoch 1.* superseded by epoch 2/);
    assert.is((await next.readLatestCompleted())?.checkpointId, 2, 'the refused checkpoint is not the latest');
    assert.equal(await storage.list(), [1, 2], 'the refused checkpoint\'s metadata is gone');
    await refused('claiming back with epoch 1', fence.claim(JOB, 1));

    await next.writeMetadata(3, { timestamp: 31 });
    assert.is((await old.readLatestCompleted())?.checkpointId, 3);
    assert.equal((await fence.read(JOB)), { epoch: 2, accepted: [1, 2, 3] });
  } finally {
    kv.close();
  }
});

test('checkpoint metadata written around the fence (not accepted) is not recovered from', async () => {
  const kv = await openKvStore();
  try {
    const fence = new CheckpointFence(kv);
    const storage = new MemoryCheckpointStorage(JOB);
    const fenced = new FencedCheckpointStorage(storage, fence, () => 1);
    await fence.claim(JOB, 1);
    await fenced.writeMetadata(1, { timestamp: 1 });
    await storage.writeMetadata(2, { timestamp: 2 });
    assert.is((await fenced.readLatestCompleted())?.checkpointId, 1);
    assert.equal(await fenced.list(), [1, 2], 'listed still, so that new ids are numbered past it');
  } finally {
    kv.close();
  }
});

test('a deposed leader cannot record the end of a job the new leader claimed', async () => {
  const kv = await openKvStore();
  try {
    const jobs = new JobStore(kv);
    await jobs.add({ jobId: JOB, name: 'j', bundleKey: 'b', options: { name: 'j' }, submittedAt: 1, status: 'RUNNING', epoch: 1 }, new Uint8Array([1]));
    await jobs.setStatus(JOB, 'RESTARTING', 1);
    await jobs.claim(JOB, 2);
    const error = await refused('status of epoch 1', jobs.setStatus(JOB, 'CANCELED', 1));
    assert.instance(error, FencedOffError);
    assert.is((await jobs.get(JOB))?.status, 'RESTARTING');
    assert.equal((await jobs.recoverable()).map((j) => j.jobId), [JOB], 'still recovered by the next leader');
    await jobs.setStatus(JOB, 'FINISHED', 2);
    assert.is((await jobs.get(JOB))?.status, 'FINISHED');
    await jobs.setStatus(JOB, 'FAILED');
    assert.is((await jobs.get(JOB))?.status, 'FAILED', 'without an epoch the write is not fenced');
  } finally {
    kv.close();
  }
});

test.run();
