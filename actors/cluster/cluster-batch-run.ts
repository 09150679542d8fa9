// What can be seen of a cluster batch run while and after it runs: where each slice attempt ran
// and how it ended, the partitions lost and recomputed, what was fetched across TaskManagers and
// spilled; and the observers of the runs of this process (tests, tools), which hear of each run,
// each stage that completes (and may hold the scheduling of further slices back meanwhile: tests
// kill a TaskManager there) and each lost TaskManager a run handled. Imports api/graph types only.
import type { BatchPlan } from '../../api/graph/batch-stages.ts';

/** Where one slice attempt ran and how it ended (tests, logs). */
export interface SliceRun {
  readonly stage: number;
  readonly slice: number;
  readonly attempt: number;
  readonly taskManagerId: string;
  outcome: 'running' | 'finished' | 'failed' | 'canceled' | 'lost';
}

/** What a cluster batch run measured. */
export interface ClusterBatchStats {
  /** Every slice attempt deployed, in order. */
  readonly runs: SliceRun[];
  /** Slices whose finished output was lost with its TaskManager and recomputed. */
  partitionsLost: number;
  /** Slice attempts that failed (or were lost) and ran again. */
  sliceRestarts: number;
  /** Records fetched from other TaskManagers, and their chunks. */
  remoteRecords: number;
  remoteChunks: number;
  /** Chunks of partitions that spilled to disk, over the TaskManagers. */
  chunksSpilled: number;
}

/** What observers see of a run. */
export interface ClusterBatchRun {
  readonly jobId: string;
  readonly plan: BatchPlan;
  readonly stats: ClusterBatchStats;
}

/** Watches cluster batch runs in this process (tests, tools). */
export interface ClusterBatchObserver {
  started?(run: ClusterBatchRun): void;
  /** Every slice of `stage` has finished; no slice is deployed until the returned promise settles. */
  stageCompleted?(run: ClusterBatchRun, stage: number): void | Promise<void>;
  /** The run handled the loss of TaskManager `taskManagerId` (what it held is marked for recomputing). */
  taskManagerLost?(run: ClusterBatchRun, taskManagerId: string): void;
}

/** The observers of this process's runs (ClusterBatchScheduler tells them). */
export const clusterBatchObservers = new Set<ClusterBatchObserver>();

/** Adds an observer of the cluster batch runs of this process; returns its removal. */
export function observeClusterBatchJobs(observer: ClusterBatchObserver): () => void {
  clusterBatchObservers.add(observer);
  return () => clusterBatchObservers.delete(observer);
}
