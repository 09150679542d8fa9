// TaskManager: a worker of the mini cluster: offers `numberOfSlots` slots and runs the subtasks
// deployed into them on its own cooperative scheduler. Subtasks of one job that share a slot
// (Flink's slot sharing) run side by side in it. Also the seam between a JobMaster and the
// subtasks it manages: TaskHandle (a StreamTask here, a proxy of a subtask on a TaskManager in
// another process) and TaskManagerGateway (what the ResourceManager keeps per TaskManager).
// Imports api/ types and actors/runtime only.
import type { JobVertex } from '../../api/graph/job-graph.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { StreamTask } from './stream-task.ts';
import type { SubtaskState } from './subtask.machine.ts';
import { TaskScheduler } from './task-scheduler.ts';
import { realHost, type Host } from '../core/host.ts';

/** A subtask as its JobMaster sees it: a StreamTask in this process, or a proxy of a remote one. */
export interface TaskHandle {
  /** `vertex name (index/parallelism)`. */
  readonly name: string;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  /** The lifecycle state (as last reported, for a remote subtask). */
  readonly state: SubtaskState;
  /** Stops the subtask; resolves when it is cancelled (or can no longer be reached). */
  cancel(): Promise<void>;
  /** Hands splits to the source reader. */
  addSplits(splits: SourceSplit[]): void;
  /** No more splits will come. */
  notifyNoMoreSplits(): void;
  /** Accumulators of the chain (a remote subtask reports them when it finishes). */
  accumulators(): Map<string, unknown>;
}

/** What the ResourceManager keeps of one TaskManager: its slots (in this process or remote). */
export interface TaskManagerGateway {
  readonly id: string;
  readonly slots: Slot[];
  /** Where the TaskManager is reached (`local` for one in this process). */
  readonly address: string;
  /** Forgets (and for a remote TaskManager: releases) everything of `jobId`. */
  releaseJob(jobId: string): void;
}

/** One slot of a TaskManager. */
export interface Slot {
  readonly taskManagerId: string;
  readonly index: number;
  /** The job holding the slot, if any. */
  allocatedTo: string | undefined;
}

/** A worker with slots. */
export class TaskManager implements TaskManagerGateway {
  readonly slots: Slot[];
  readonly address = 'local';
  /** Runs this TaskManager's subtasks fairly on the calling thread. */
  readonly scheduler: TaskScheduler;
  private readonly tasks = new Set<StreamTask>();

  constructor(readonly id: string, numberOfSlots: number, host: Host = realHost) {
    this.scheduler = new TaskScheduler(undefined, undefined, host, `tasks:${id}`);
    this.slots = Array.from({ length: numberOfSlots }, (_, index) => ({ taskManagerId: id, index, allocatedTo: undefined }));
  }

  /** Starts `task` in `slot` (the slot must be allocated to the task's job). */
  deploy(task: StreamTask, slot: Slot): Promise<void> {
    if (slot.taskManagerId !== this.id) throw new Error(`slot ${slot.taskManagerId}#${slot.index} is not a slot of ${this.id}`);
    if (slot.allocatedTo !== task.deployment.jobId) throw new Error(`slot ${this.id}#${slot.index} is not allocated to job ${task.deployment.jobId}`);
    this.tasks.add(task);
    return task.start();
  }

  /** Forgets finished, failed or cancelled subtasks of `jobId`. */
  releaseJob(jobId: string): void {
    for (const t of this.tasks) if (t.deployment.jobId === jobId) this.tasks.delete(t);
  }

  /** Subtasks currently deployed here. */
  runningTasks(): StreamTask[] { return [...this.tasks]; }
}
