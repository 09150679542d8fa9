// readLatest and the checkpoint errors: newest first, optional fallback past corrupt checkpoints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CheckpointCorruptedError, CheckpointNotFoundError, readLatest, type CheckpointStorage,
} from '../../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';

function storageWith(ids: number[], corrupt: Set<number>): CheckpointStorage {
  const read = async (id: number): Promise<CheckpointSnapshot> => {
    if (!ids.includes(id)) throw new CheckpointNotFoundError('j', id);
    if (corrupt.has(id)) throw new CheckpointCorruptedError('j', id, 'key group 1 is missing');
    return { jobId: 'j', checkpointId: id, timestamp: id, properties: {}, operators: {} };
  };
  return {
    jobId: 'j',
    writeSubtaskState: async () => ({ entries: 0, bytes: 0 }),
    writeMetadata: async () => undefined,
    readLatestCompleted: (o) => readLatest(storageWith(ids, corrupt), o),
    readCheckpoint: read,
    discard: async () => undefined,
    list: async () => ids,
    close: async () => undefined,
  };
}

test('readLatest: newest, undefined when none, fallback only when asked', async () => {
  assert.is((await readLatest(storageWith([1, 2, 3], new Set())))?.checkpointId, 3);
  assert.is(await readLatest(storageWith([], new Set())), undefined);
  let error: unknown;
  try { await readLatest(storageWith([1, 2, 3], new Set([3]))); } catch (e) { error = e; }
  assert.instance(error, CheckpointCorruptedError);
  assert.match(String(error), /checkpoint 3 of job j is corrupt or incomplete: key group 1 is missing; restore from an earlier checkpoint/);
  assert.is((await readLatest(storageWith([1, 2, 3], new Set([3, 2])), { fallbackOnCorruption: true }))?.checkpointId, 1);
  assert.is(await readLatest(storageWith([1], new Set([1])), { fallbackOnCorruption: true }), undefined);
});

test('readLatest: a listed checkpoint that is gone when read is passed over, with or without fallback', async () => {
  const gone = storageWith([1, 2], new Set());
  gone.list = async () => [1, 2, 3];
  assert.is((await readLatest(gone))?.checkpointId, 2);
  assert.is((await readLatest(gone, { fallbackOnCorruption: true }))?.checkpointId, 2);
});

test('errors name the job and checkpoint', () => {
  const e = new CheckpointNotFoundError('job-1', 7);
  assert.is(e.name, 'CheckpointNotFoundError');
  assert.match(e.message, /checkpoint 7 of job job-1 does not exist/);
});

test.run();
