// Where a job submitted with `fromSavepoint` restores from: a savepoint file, or a retained
// checkpoint (Flink restores both the same way). A retained checkpoint is addressed by the
// checkpoint storage it lives in (the directory or KV file given to setCheckpointStorage); the
// newest completed checkpoint in it is used, falling back past a corrupt one. A KV file is told
// from a savepoint by its SQLite header, so a damaged savepoint is reported as one (never handed
// to the KV library), and a damaged KV file is refused naming it, before the KV library opens it.
// Imports state/ and node: built-ins only.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KvCheckpointStorage } from '../../state/checkpoint/kv-checkpoint-storage.ts';
import { openKvStore, type KvStore } from '../../state/kv/kv-store.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import { readSavepoint } from '../../state/snapshot/savepoint-file.ts';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** True when the file at `path` starts with the SQLite header (a KV checkpoint storage). */
function isKvFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = new Uint8Array(SQLITE_MAGIC.length);
      const n = readSync(fd, head, 0, head.length, 0);
      return n === head.length && [...head].every((b, i) => b === SQLITE_MAGIC.charCodeAt(i));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // reported by readSavepoint
  }
}

/** Reads the savepoint at `path`, or the newest retained checkpoint of the storage at `path`. */
export async function readRestorePoint(path: string): Promise<CheckpointSnapshot> {
  let isDirectory = false;
  try { isDirectory = statSync(path).isDirectory(); } catch { /* reported by readSavepoint */ }
  if (isDirectory) return readRetained(path, join(path, 'checkpoints.kv'));
  if (isKvFile(path)) return readRetained(path, path);
  return readSavepoint(path);
}

/** The newest readable completed checkpoint of any job in the KV checkpoint storage `file` (given as `path`). */
async function readRetained(path: string, file: string): Promise<CheckpointSnapshot> {
  if (!existsSync(file)) throw new Error(`${path} holds no completed checkpoint to restore from`);
  let kv: KvStore;
  try {
    kv = await openKvStore(file);
  } catch (error) {
    throw new Error(`cannot read checkpoint storage ${path}: ${(error as Error).message}`);
  }
  try {
    // The jobs and JobManager leaderships that completed checkpoints here (high availability
    // keeps a leadership's under ['cpmeta', j, 'e', epoch, c]).
    const spaces = new Map<string, { jobId: string; epoch: number }>();
    try {
      for (const { key } of await kv.list(['cpmeta'])) {
        const epoch = key[2] === 'e' ? Number(key[3]) : 0;
        spaces.set(`${String(key[1])}\u0000${epoch}`, { jobId: String(key[1]), epoch });
      }
    } catch (error) {
      throw new Error(`cannot read checkpoint storage ${path}: ${(error as Error).message}`);
    }
    if (spaces.size === 0) throw new Error(`${path} holds no completed checkpoint to restore from`);
    let newest: CheckpointSnapshot | undefined;
    let failure: Error | undefined;
    for (const { jobId, epoch } of spaces.values()) {
      try {
        const latest = await new KvCheckpointStorage(jobId, kv, false, epoch, file).readLatestCompleted({ fallbackOnCorruption: true });
        if (latest && (!newest || latest.timestamp >= newest.timestamp)) newest = latest;
      } catch (error) {
        failure = error as Error;
      }
    }
    if (!newest) throw new Error(`${path} holds no readable completed checkpoint${failure ? `: ${failure.message}` : ''}`);
    return newest;
  } finally {
    kv.close();
  }
}
