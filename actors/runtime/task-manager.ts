// TaskManager: a worker of the mini cluster: offers `numberOfSlots` slots and runs the subtasks
// deployed into them on its own cooperative scheduler. Subtasks of one job that share a slot
// (Flink's slot sharing) run side by side in it. Imports actors/runtime only.
import type { StreamTask } from './stream-task.ts';
import { TaskScheduler } from './task-scheduler.ts';

/** One slot of a TaskManager. */
export interface Slot {
  readonly taskManagerId: string;
  readonly index: number;
  /** The job holding the slot, if any. */
  allocatedTo: string | undefined;
}

/** A worker with slots. */
export class TaskManager {
  readonly slots: Slot[];
  /** Runs this TaskManager's subtasks fairly on the calling thread. */
  readonly scheduler = new TaskScheduler();
  private readonly tasks = new Set<StreamTask>();

  constructor(readonly id: string, numberOfSlots: number) {
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
