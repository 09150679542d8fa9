// Which completed checkpoint a failed-over job restores. The newest one, normally. When the newest
// is damaged (its seals refuse it), recovery may fall back to an older retained checkpoint only
// if nothing outside the job acted on the damaged one's completion: a sink that commits on
// checkpoint completion (a TwoPhaseCommitSink: FileSink, the exactly-once collect, PostgreSQL and
// NATS sinks, filesystem SQL tables) made that checkpoint's output visible, and restoring an older
// checkpoint would replay and commit it again. Such a job fails instead, naming the damaged
// checkpoint and the sinks, as Flink fails a restore from a checkpoint it cannot read; the user
// restores the older checkpoint knowingly (from the checkpoint storage, as a savepoint).
// Jobs without committing sinks fall back as before: their output is at-least-once across
// failures anyway. Imports api/ and state/.
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { CheckpointCorruptedError, type CheckpointStorage } from '../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';

/** Recovery would fall back past a damaged checkpoint whose completion sinks already committed. */
export class CheckpointFallbackRefusedError extends Error {
  constructor(
    readonly damaged: CheckpointCorruptedError,
    readonly sinks: readonly string[],
    readonly olderCheckpointId: number | undefined,
    storagePath: string | undefined,
  ) {
    const older = olderCheckpointId === undefined
      ? 'no older checkpoint can be read either'
      : `restoring the older checkpoint ${olderCheckpointId} would write that output again`;
    const how = olderCheckpointId === undefined ? ''
      : `; to accept the repeated output, submit the job again restoring from its checkpoint storage${storagePath ? ` ${storagePath}` : ''} (fromSavepoint), which uses checkpoint ${olderCheckpointId}`;
    super(`${damaged.message}. Not falling back: ${sinks.map((s) => `'${s}'`).join(', ')} committed output when checkpoint ${damaged.checkpointId} completed, and ${older}${how}`);
    this.name = 'CheckpointFallbackRefusedError';
  }
}

/** Names of the job's operators that commit output on checkpoint completion. */
export function committingSinks(graph: JobGraph): string[] {
  const names: string[] = [];
  for (const vertex of graph.vertices) {
    for (const node of vertex.nodes) if (node.commitsOnCheckpoint) names.push(node.uid ?? node.name);
  }
  return names;
}

/**
 * The newest completed checkpoint of `storage` for recovering `graph`'s job: falls back past
 * damaged ones only when the job has no committing sink (see the header); otherwise a damaged
 * newest checkpoint throws CheckpointFallbackRefusedError.
 */
export async function readRecoveryCheckpoint(
  storage: CheckpointStorage, graph: JobGraph, storagePath?: string,
): Promise<CheckpointSnapshot | undefined> {
  const sinks = committingSinks(graph);
  if (sinks.length === 0) return storage.readLatestCompleted({ fallbackOnCorruption: true });
  try {
    return await storage.readLatestCompleted({ fallbackOnCorruption: false });
  } catch (error) {
    if (!(error instanceof CheckpointCorruptedError)) throw error;
    const older = await storage.readLatestCompleted({ fallbackOnCorruption: true }).catch(() => undefined);
    throw new CheckpointFallbackRefusedError(error, sinks, older?.checkpointId, storagePath);
  }
}
