// CheckpointFence and the fenced JobStore: once a newer leadership claimed a job, the deposed
// leader can neither complete a checkpoint the new leader would recover from nor record the
// job's end; without a claim by a newer epoch its writes go through. The checkpoints of two
// leaderships never share storage keys: what a deposed leader's subtasks still write, under the
// same checkpoint ids, and what it discards, never reach the new leader's checkpoints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CheckpointFence, FencedCheckpointStorage, FencedOffError } from '../../../actors/ha/checkpoint-fence.ts';
import { JobStore } from '../../../actors/ha/job-store.ts';
import { JOBMANAGER_LEASE_KEY } from '../../../actors/ha/leader-lease.ts';
import { MemoryCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import type { SubtaskSnapshot } from '../../../state/snapshot/subtask-snapshot.ts';

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
    const old = new FencedCheckpointStorage(storage, fence, 1);
    const next = new FencedCheckpointStorage(storage, fence, 2);
    await fence.claim(JOB, 1);
    await old.writeMetadata(1, { timestamp: 10 });
    await old.writeMetadata(2, { timestamp: 20 });
    assert.is((await next.readLatestCompleted())?.checkpointId, 2, 'completed before the claim: the new leader sees it');

    await fence.claim(JOB, 2);
    const error = await refused('checkpoint 3 of epoch 1', old.writeMetadata(3, { timestamp: 30 }));
    assert.instance(error, FencedOffError);
    assert.match(error.message, /checkpoint 3 of job job-1 was refused: .*epoch 1.* superseded by epoch 2/);
    assert.is((await next.readLatestCompleted())?.checkpointId, 2, 'the refused checkpoint is not the latest');
    assert.equal(await storage.atEpoch(1).list(), [1, 2], 'the refused checkpoint\'s metadata is gone');
    await refused('claiming back with epoch 1', fence.claim(JOB, 1));

    await next.writeMetadata(3, { timestamp: 31 });
    assert.is((await old.readLatestCompleted())?.checkpointId, 3);
    assert.equal(await fence.read(JOB), { epoch: 2, accepted: [{ checkpointId: 1, epoch: 1 }, { checkpointId: 2, epoch: 1 }, { checkpointId: 3, epoch: 2 }] });
    assert.equal(await next.list(), [1, 2, 3]);
  } finally {
    kv.close();
  }
});

test('checkpoint metadata written around the fence (not accepted) is not recovered from', async () => {
  const kv = await openKvStore();
  try {
    const fence = new CheckpointFence(kv);
    const storage = new MemoryCheckpointStorage(JOB);
    const fenced = new FencedCheckpointStorage(storage, fence, 1);
    await fence.claim(JOB, 1);
    await fenced.writeMetadata(1, { timestamp: 1 });
    await storage.atEpoch(1).writeMetadata(2, { timestamp: 2 });
    assert.is((await fenced.readLatestCompleted())?.checkpointId, 1);
    assert.equal(await fenced.list(), [1], 'only accepted checkpoints are completed ones');
  } finally {
    kv.close();
  }
});

/** One subtask's state for a checkpoint: operator state naming who wrote it. */
function subtaskState(writer: string): SubtaskSnapshot {
  return { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { writer: [writer] } };
}

const writerOf = (snapshot: { operators: Record<string, { subtasks: Record<number, { operatorState?: Record<string, unknown[]> }> }> } | undefined): unknown =>
  snapshot?.operators.op?.subtasks[0]?.operatorState?.writer?.[0];

test('a deposed leader\'s subtasks write and discard under the same checkpoint ids without touching the new leader\'s checkpoint', async () => {
  const kv = await openKvStore();
  try {
    const fence = new CheckpointFence(kv);
    const storage = new MemoryCheckpointStorage(JOB);
    const operators = { op: 1 };
    // Epoch 1 completes checkpoint 1; its TaskManagers write through the storage of epoch 1.
    await fence.claim(JOB, 1);
    const old = new FencedCheckpointStorage(storage, fence, 1);
    await storage.atEpoch(1).writeSubtaskState(1, subtaskState('epoch 1, checkpoint 1'));
    await old.writeMetadata(1, { timestamp: 1, operators });

    // Epoch 2 claims the job, recovers checkpoint 1 and numbers past it.
    await fence.claim(JOB, 2);
    const next = new FencedCheckpointStorage(storage, fence, 2);
    const recovered = await next.readLatestCompleted();
    assert.is(recovered?.checkpointId, 1);
    assert.is(recovered?.epoch, 1, 'read from the keys of the epoch that wrote it');
    assert.is(writerOf(recovered), 'epoch 1, checkpoint 1');
    assert.is(Math.max(...await next.list()) + 1, 2);
    await storage.atEpoch(2).writeSubtaskState(2, subtaskState('epoch 2, checkpoint 2'));

    // The deposed leader's attempt still runs: its subtasks write checkpoint 2 too, after the new
    // leader's; its completion is refused (and discarded), and it discards checkpoint 2 again.
    await storage.atEpoch(1).writeSubtaskState(2, subtaskState('epoch 1, checkpoint 2'));
    await refused('checkpoint 2 of epoch 1', old.writeMetadata(2, { timestamp: 2, operators }));
    await old.discard(2);

    await next.writeMetadata(2, { timestamp: 3, operators });
    const latest = await next.readLatestCompleted();
    assert.is(latest?.checkpointId, 2);
    assert.is(writerOf(latest), 'epoch 2, checkpoint 2', 'the new leader\'s checkpoint holds its own subtask state');
    assert.is(writerOf(await next.readCheckpoint(1)), 'epoch 1, checkpoint 1', 'the recovered checkpoint is intact');
  } finally {
    kv.close();
  }
});

test('checkpoints written before epochs scoped the storage (a plain id in the fence record) are recovered', async () => {
  const kv = await openKvStore();
  try {
    const fence = new CheckpointFence(kv);
    const storage = new MemoryCheckpointStorage(JOB);
    await storage.writeSubtaskState(4, subtaskState('before epochs'));
    await storage.writeMetadata(4, { timestamp: 4, operators: { op: 1 } });
    await kv.set(['actorflow', 'ha', 'checkpoints', JOB], { epoch: 1, accepted: [4] });
    await fence.claim(JOB, 2);
    const next = new FencedCheckpointStorage(storage, fence, 2);
    const latest = await next.readLatestCompleted();
    assert.is(latest?.checkpointId, 4);
    assert.is(writerOf(latest), 'before epochs');
    assert.equal(await next.list(), [4]);
  } finally {
    kv.close();
  }
});

test('a deposed leader cannot record the end of a job the new leader claimed', async () => {
  const kv = await openKvStore();
  try {
    const jobs = new JobStore(kv);
    await kv.set(JOBMANAGER_LEASE_KEY, { leaderId: 'a', address: 'a:1', expiresAt: 0, epoch: 1 });
    await jobs.add({ jobId: JOB, name: 'j', bundleKey: 'b', options: { name: 'j' }, submittedAt: 1, status: 'RUNNING', epoch: 1 }, new Uint8Array([1]));
    await jobs.setStatus(JOB, 'RESTARTING', 1);
    await kv.set(JOBMANAGER_LEASE_KEY, { leaderId: 'b', address: 'b:1', expiresAt: 0, epoch: 2 });
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
