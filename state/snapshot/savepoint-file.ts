// Savepoint files: a completed checkpoint in the canonical format written as one msgpack file in a
// directory, never deleted automatically and restorable at another parallelism (or into another
// state backend). The checkpoint is sealed with a checksum (sealed-bytes.ts): a damaged savepoint
// is refused, naming its path, instead of restoring wrong state. Files of the first format (no
// checksum) are still read. Imports only state/ and node: built-ins; never api/ or actors/.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeValue, encodeValue } from '../kv/kv-value.ts';
import type { CheckpointSnapshot } from './checkpoint-snapshot.ts';
import { seal, unseal } from './sealed-bytes.ts';

/** Marks a savepoint file so that a stray msgpack file is not mistaken for one (v2: checksummed). */
const FORMAT = 'actorflow-savepoint-v2';
/** The first format: the checkpoint unsealed, readable but not verifiable. */
const FORMAT_V1 = 'actorflow-savepoint-v1';
/** What the checksum of a savepoint's checkpoint is bound to. */
const SEAL_CONTEXT = 'savepoint';

/** Writes `checkpoint` as a savepoint under `directory`; returns the savepoint's path. */
export async function writeSavepoint(directory: string, checkpoint: CheckpointSnapshot): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `savepoint-${checkpoint.jobId}-${checkpoint.checkpointId}-${Date.now().toString(36)}.msgpack`);
  // Written under a temporary name and renamed, so a crash never leaves a half savepoint behind.
  const temporary = path + '.inprogress';
  await writeFile(temporary, encodeValue({ format: FORMAT, checkpoint: seal(SEAL_CONTEXT, encodeValue(checkpoint)) }));
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
  let content: { format?: unknown; checkpoint?: unknown };
  try {
    content = decodeValue(bytes) as typeof content;
  } catch (error) {
    throw new Error(`savepoint ${path} is corrupt: ${(error as Error).message}`);
  }
  if (content === null || typeof content !== 'object' || (content.format !== FORMAT && content.format !== FORMAT_V1)) {
    throw new Error(`${path} is not a savepoint (expected format ${FORMAT})`);
  }
  let checkpoint = content.checkpoint;
  if (content.format === FORMAT) {
    try {
      checkpoint = decodeValue(unseal(SEAL_CONTEXT, checkpoint));
    } catch (error) {
      throw new Error(`savepoint ${path} is corrupt: ${(error as Error).message}`);
    }
  }
  if (!isCheckpoint(checkpoint)) throw new Error(`savepoint ${path} is corrupt: it holds no checkpoint in the canonical format`);
  return checkpoint;
}

function isCheckpoint(value: unknown): value is CheckpointSnapshot {
  const c = value as CheckpointSnapshot | null | undefined;
  return typeof c === 'object' && c !== null && typeof c.operators === 'object' && c.operators !== null &&
    typeof c.checkpointId === 'number' && typeof c.jobId === 'string';
}
