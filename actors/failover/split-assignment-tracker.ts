// SplitAssignmentTracker: the splits the enumerators handed to source readers that no completed
// checkpoint covers yet (Flink's SplitAssignmentTracker). When a region restarts, a reader in it
// restores the splits it held at the latest completed checkpoint; the splits assigned to it after
// that checkpoint go back to its enumerator (addSplitsBack) and are assigned again when the new
// reader registers. Imports api/ types only.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceSplit } from '../../api/sources/source.ts';

interface Assignment {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly split: SourceSplit;
  /** The first checkpoint whose snapshot includes the assignment (unset until one is triggered). */
  checkpointId?: number;
}

/** Tracks split assignments not yet covered by a completed checkpoint. */
export class SplitAssignmentTracker {
  private assignments: Assignment[] = [];

  /** The enumerator of `vertex` assigned `split` to reader `subtaskIndex`. */
  recordAssignment(vertex: JobVertex, subtaskIndex: number, split: SourceSplit): void {
    this.assignments.push({ vertex, subtaskIndex, split });
  }

  /** The enumerators were snapshotted for checkpoint `checkpointId`: assignments so far are in it. */
  onCheckpoint(checkpointId: number): void {
    for (const a of this.assignments) if (a.checkpointId === undefined) a.checkpointId = checkpointId;
  }

  /** Checkpoint `checkpointId` completed (and is what a region restores): its assignments are covered. */
  onCheckpointComplete(checkpointId: number): void {
    this.assignments = this.assignments.filter((a) => a.checkpointId === undefined || a.checkpointId > checkpointId);
  }

  /** Removes and returns the splits assigned to reader `subtaskIndex` of `vertex` that no completed checkpoint covers. */
  takeUncovered(vertex: JobVertex, subtaskIndex: number): SourceSplit[] {
    const mine = this.assignments.filter((a) => a.vertex === vertex && a.subtaskIndex === subtaskIndex);
    this.assignments = this.assignments.filter((a) => !(a.vertex === vertex && a.subtaskIndex === subtaskIndex));
    return mine.map((a) => a.split);
  }

  /** Forgets everything (a full restart restores the enumerators themselves). */
  clear(): void { this.assignments = []; }
}
