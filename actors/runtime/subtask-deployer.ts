// SubtaskDeployer: how a JobMaster gets its subtasks running, in this process (LocalDeployer) or on
// TaskManager processes (the cluster's RemoteDeployer). A deployer creates every subtask of an
// attempt, or only the subtasks of one pipelined region as their next attempt (region failover:
// no channel leaves a region, so the region's new subtasks meet only each other while the other
// regions keep running), and hands back their TaskHandles; what the subtasks report reaches the
// JobMaster through its JobTaskListener. Imports api/ types and actors/ (runtime, checkpoint,
// failover) types only.
import type { JobGraph, JobVertex } from '../../api/graph/job-graph.ts';
import type { Clock } from '../../api/time/clock.ts';
import type { JobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import type { PipelinedRegions, SubtaskRef } from '../failover/pipelined-regions.ts';
import type { SubtaskState } from './subtask.machine.ts';
import type { Slot, TaskHandle } from './task-manager.ts';

/** Where subtask `index` of `vertex` runs. */
export type SlotAssignment = (vertex: JobVertex, index: number) => Slot;

/** What the subtasks of a job report to their JobMaster (StreamTasks, or proxies of remote ones). */
export interface JobTaskListener {
  onStateChange(task: TaskHandle, state: SubtaskState, error?: unknown): void;
  onReaderRegistered(task: TaskHandle): void;
  onSplitRequest(task: TaskHandle): void;
}

/** Data plane settings of a job's subtasks. */
export interface DeployOptions {
  readonly clock: Clock;
  readonly batchSize: number;
  readonly channelCredits: number;
}

/** What a SubtaskDeployer works with. */
export interface DeployContext {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly listener: JobTaskListener;
  readonly checkpointing: JobCheckpointing;
  readonly options: DeployOptions;
  /** The pipelined regions the JobMaster restarts on their own (region strategy, two or more regions). */
  readonly regions?: PipelinedRegions;
}

/** Deploys a job's subtasks into their slots. */
export interface SubtaskDeployer {
  /** Deploys every subtask of attempt `attemptNumber`; returns their handles by vertex. */
  deployAttempt(attemptNumber: number, slotOf: SlotAssignment): Map<JobVertex, TaskHandle[]>;
  /**
   * Deploys the subtasks of one pipelined region anew, `region[k]` as attempt `attempts[k]`, after
   * their previous attempts were cancelled; returns their handles in the order of `region`.
   */
  deployRegion(region: readonly SubtaskRef[], attempts: readonly number[], slotOf: SlotAssignment): TaskHandle[];
  /**
   * Starts deployed subtasks that do not start by themselves (those in this process), once the
   * JobMaster has set up the enumerators their source readers register with.
   */
  start(tasks: Iterable<TaskHandle>): void;
  /** TaskManager `id` was lost: the subtasks on it can no longer be reached. */
  onTaskManagerLost(taskManagerId: string): void;
  /** A report of one of the job's remote subtasks (state change, reader, checkpoint ack), as a message. */
  onReport(report: { readonly type: string }): void;
  /** The job is terminal. */
  close(): void;
}

/** Every subtask of `graph`, by vertex (topological) then subtaskIndex. */
export function allSubtasks(graph: JobGraph): SubtaskRef[] {
  return graph.vertices.flatMap((vertex) => Array.from({ length: vertex.parallelism }, (_, subtaskIndex) => ({ vertex, subtaskIndex })));
}

/** `handles` (in the order of `subtasks`) by vertex: the shape deployAttempt returns. */
export function byVertex(subtasks: readonly SubtaskRef[], handles: readonly TaskHandle[]): Map<JobVertex, TaskHandle[]> {
  const out = new Map<JobVertex, TaskHandle[]>();
  subtasks.forEach(({ vertex, subtaskIndex }, k) => {
    let tasks = out.get(vertex);
    if (tasks === undefined) { tasks = []; out.set(vertex, tasks); }
    tasks[subtaskIndex] = handles[k];
  });
  return out;
}
