// Where a job submitted with `fromSavepoint` restores from: a savepoint file, or a retained
// checkpoint (Flink restores both the same way). A retained checkpoint is addressed by the
// checkpoint storage it lives in (the directory or KV file given to setCheckpointStorage); the
// newest completed checkpoint in it is used, falling back past a corrupt one.
// Imports state/ and node: built-ins only.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { KvCheckpointStorage } from '../../state/checkpoint/kv-checkpoint-storage.ts';
import { openKvStore } from '../../state/kv/kv-store.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import { readSavepoint } from '../../state/snapshot/savepoint-file.ts';

/** Reads the savepoint at `path`, or the newest retained checkpoint of the storage at `path`. */
export async function readRestorePoint(path: string): Promise<CheckpointSnapshot> {
  let isDirectory = false;
  try { isDirectory = statSync(path).isDirectory(); } catch { /* reported by readSavepoint */ }
  if (!isDirectory) {
    try {
      return await readSavepoint(path);
    } catch (error) {
      if (!/is not a savepoint|is corrupt/.test((error as Error).message)) throw error;
      return await readRetained(path, error as Error);
    }
  }
  return readRetained(path, undefined);
}

/** The newest completed checkpoint of any job in the checkpoint storage at `path`. */
async function readRetained(path: string, savepointError: Error | undefined): Promise<CheckpointSnapshot> {
  const file = statSync(path).isDirectory() ? join(path, 'checkpoints.kv') : path;
  let newest: { jobId: string; epoch: number; timestamp: number } | undefined;
  try {
    const kv = await openKvStore(file);
    try {
      for (const { key, value } of await kv.list(['cpmeta'])) {
        const timestamp = (value as { timestamp?: number })?.timestamp ?? 0;
        // A JobManager leadership's checkpoints (high availability) are under ['cpmeta', j, 'e', epoch, c].
        const epoch = key[2] === 'e' ? Number(key[3]) : 0;
        if (!newest || timestamp >= newest.timestamp) newest = { jobId: String(key[1]), epoch, timestamp };
      }
    } finally {
      await kv.close();
    }
  } catch (error) {
    throw savepointError ?? new Error(`cannot read checkpoint storage ${path}: ${(error as Error).message}`);
  }
  if (!newest) throw savepointError ?? new Error(`${path} holds no completed checkpoint to restore from`);
  const storage = await KvCheckpointStorage.open(newest.jobId, path, newest.epoch);
  try {
    const latest = await storage.readLatestCompleted({ fallbackOnCorruption: true });
    if (!latest) throw new Error(`${path} holds no readable completed checkpoint of job ${newest.jobId}`);
    return latest;
  } finally {
    await storage.close();
  }
}
