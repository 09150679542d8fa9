// Savepoint files: a completed checkpoint in the canonical format written as one msgpack file in a
// directory, never deleted automatically and restorable at another parallelism (or into another
// state backend). Imports only state/ and node: built-ins; never api/ or actors/.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeValue, encodeValue } from '../kv/kv-value.ts';
import type { CheckpointSnapshot } from './checkpoint-snapshot.ts';

/** Marks a savepoint file so that a stray msgpack file is not mistaken for one. */
const FORMAT = 'actorflow-savepoint-v1';

/** Writes `checkpoint` as a savepoint under `directory`; returns the savepoint's path. */
export async function writeSavepoint(directory: string, checkpoint: CheckpointSnapshot): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `savepoint-${checkpoint.jobId}-${checkpoint.checkpointId}-${Date.now().toString(36)}.msgpack`);
  // Written under a temporary name and renamed, so a crash never leaves a half savepoint behind.
  const temporary = path + '.inprogress';
  await writeFile(temporary, encodeValue({ format: FORMAT, checkpoint }));
  await rename(temporary, path);
  return path;
}

/** Reads a savepoint written by `writeSavepoint`, with a clear error for anything else. */
export async function readSavepoint(path: string): Promise<CheckpointSnapshot> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read savepoint ${path}: ${(error as Error).message}`);
  }
  let content: { format?: unknown; checkpoint?: CheckpointSnapshot };
  try {
    content = decodeValue(bytes) as typeof content;
  } catch (error) {
    throw new Error(`savepoint ${path} is corrupt: ${(error as Error).message}`);
  }
  if (content?.format !== FORMAT || typeof content.checkpoint?.operators !== 'object') {
    throw new Error(`${path} is not a savepoint (expected format ${FORMAT})`);
  }
  return content.checkpoint;
}
