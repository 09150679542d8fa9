// The messages between a JobManager process and its TaskManager processes: what a TaskManager's
// task executor accepts (deployments, cancellation, splits, checkpoint control), what its subtasks
// report to their JobMaster (state changes, source readers, checkpoint acknowledgements), and the
// deployment descriptor. Everything is plain msgpack data: a subtask is named by job id, attempt,
// vertex index and subtask index; a job's code travels as the key of its bundle in the JobManager's
// blob store. Imports only types and the codec's registry.
import type { BarrierEvent } from '../../api/stream-elements.ts';
import type { SubtaskState } from '../runtime/subtask.machine.ts';
import type { SubtaskMetricsSnapshot } from '../observability/subtask-metrics.ts';
import type { MetricValues } from '../observability/process-metrics.ts';
import { registerMessageTypes } from '../network/codec.ts';
import type { BatchSliceCommand } from './batch-messages.protocol.ts';

/** Options a job was submitted with (the job loader's JobSubmitOptions). */
export interface SubmitOptions {
  readonly name: string;
  readonly parallelism?: number;
  readonly fromSavepoint?: string;
  readonly allowNonRestoredState?: boolean;
}

/** Names one subtask attempt across processes. */
export interface SubtaskId {
  readonly jobId: string;
  readonly attempt: number;
  /** Index of the vertex in the job graph's `vertices`. */
  readonly vertex: number;
  readonly subtask: number;
}

/** Where one channel's other end is: 'local' (the same TaskManager) or a system address. */
export type ChannelPeer = string;

/** One input channel of a subtask. */
export interface InputChannelDescriptor {
  /** Index of the edge in the job graph's `edges`. */
  readonly edge: number;
  readonly sourceSubtask: number;
  /** The sender's system address, or 'local'. */
  readonly sender: ChannelPeer;
}

/** The channels of one outgoing edge, in receiver order. */
export interface OutputEdgeDescriptor {
  readonly edge: number;
  readonly channels: ReadonlyArray<{ readonly targetSubtask: number; readonly receiver: ChannelPeer }>;
}

/** Everything a TaskManager needs to run one subtask attempt. */
export interface DeploymentDescriptor extends SubtaskId {
  readonly blobKey: string;
  readonly submitOptions: SubmitOptions;
  /** The qualified path of the job's JobMaster actor (reports go there). */
  readonly jobMaster: string;
  readonly inputs: readonly InputChannelDescriptor[];
  readonly outputs: readonly OutputEdgeDescriptor[];
  readonly credits: number;
  readonly batchSize: number;
  /** Checkpoint storage every process of the cluster reaches (KV file or KV Connect URL). */
  readonly checkpointStorage?: string;
  /** The state backend by name, when the JobManager chose it (a job's own object is rebuilt from its code). */
  readonly stateBackend?: 'kv' | 'memory';
  /**
   * The JobManager leadership that runs the job (high availability): its subtasks' checkpoint
   * state goes under keys of this epoch, apart from what attempts of other leaderships write.
   */
  readonly storageEpoch?: number;
  /** What the attempt restores: a checkpoint of the job's storage (and the epoch whose keys hold it), or a savepoint path. */
  readonly restore?: { readonly checkpointId: number; readonly epoch?: number } | { readonly path: string };
  /**
   * The subtask's pipelined region, when its JobMaster restarts regions on their own: the ids of
   * its channels carry it (every subtask of a region runs the same attempt, and no channel leaves
   * a region), so that a region's next attempt replaces the channels of that region only.
   */
  readonly region?: number;
  /**
   * The deployment restarts the subtask's region: on its TaskManager only that region's older
   * attempts go. Any other deployment replaces every older attempt of the job there.
   */
  readonly regionRestart?: boolean;
}

/**
 * The prefix of every channel id of one attempt of a job under the JobManager leadership of
 * `epoch` (its storageEpoch): a new leader numbers attempts from 0 again, so the epoch keeps its
 * channels apart from those of attempts a deposed leader may still run.
 */
export function attemptPrefix(jobId: string, epoch: number, attempt: number): string {
  return `${jobId}/${epoch}.${attempt}/`;
}

/**
 * The prefix of the channel ids of one attempt of pipelined region `region` (the attempt's prefix
 * itself for a job whose regions do not restart on their own).
 */
export function regionPrefix(jobId: string, epoch: number, attempt: number, region: number | undefined): string {
  return `${attemptPrefix(jobId, epoch, attempt)}${region !== undefined ? `r${region}/` : ''}`;
}

/** The channel id both ends of a channel agree on (the data plane's naming). */
export function channelId(d: Pick<DeploymentDescriptor, 'jobId' | 'storageEpoch' | 'attempt' | 'region'>, edge: number, sourceSubtask: number, targetSubtask: number): string {
  return `${regionPrefix(d.jobId, d.storageEpoch ?? 0, d.attempt, d.region)}${edge}/${sourceSubtask}->${targetSubtask}`;
}

/** The JobManager's commands to a TaskManager's task executor, before the epoch is added. */
export type UnfencedCommand =
  | { readonly type: 'taskexecutor.deploy'; readonly descriptor: DeploymentDescriptor }
  | { readonly type: 'taskexecutor.cancel-task'; readonly id: SubtaskId }
  | { readonly type: 'taskexecutor.add-splits'; readonly id: SubtaskId; readonly splits: unknown[] }
  | { readonly type: 'taskexecutor.no-more-splits'; readonly id: SubtaskId }
  | { readonly type: 'taskexecutor.trigger-checkpoint'; readonly id: SubtaskId; readonly barrier: BarrierEvent }
  /** The subtask answers with `jobmaster.checkpoint-notified` once its operators acted on it. */
  | { readonly type: 'taskexecutor.checkpoint-complete'; readonly id: SubtaskId; readonly checkpointId: number }
  | { readonly type: 'taskexecutor.checkpoint-aborted'; readonly id: SubtaskId; readonly checkpointId: number }
  /** The job released its slots here: forget its subtasks, bundle and storage. */
  | { readonly type: 'taskexecutor.release-job'; readonly jobId: string }
  /** Slices of batch stages (batch-messages.protocol.ts). */
  | BatchSliceCommand;

/**
 * A command as sent: with the epoch of the JobManager's leadership (its fencing token; 0 or
 * absent without high availability). A TaskManager that has seen a newer epoch refuses it.
 */
export type TaskExecutorCommand = UnfencedCommand & { readonly epoch?: number };

/** What a TaskManager's task executor actor accepts. */
export type TaskExecutorMessage =
  | TaskExecutorCommand
  /** Replies `[{ jobId, name, state }]`. */
  | { readonly type: 'taskexecutor.list-subtasks' }
  /** Replies the TaskManager's ActorSystemSnapshot (at most `maxActors` actors listed). */
  | { readonly type: 'taskexecutor.actor-tree'; readonly maxActors?: number }
  /** Time to heartbeat the ResourceManager (or to reconnect to the JobManager). */
  | { readonly type: 'taskexecutor.heartbeat-tick' }
  | { readonly type: 'actor.terminated'; readonly ref: unknown; readonly reason: string; readonly error?: string };

/** What the subtasks on a TaskManager report to their JobMaster actor. */
export type TaskReport =
  /** A finished subtask's report carries its final metrics. */
  | { readonly type: 'jobmaster.task-state'; readonly id: SubtaskId; readonly state: SubtaskState; readonly error?: string; readonly accumulators?: Record<string, unknown>; readonly metrics?: SubtaskMetricsSnapshot }
  | { readonly type: 'jobmaster.reader-registered'; readonly id: SubtaskId }
  | { readonly type: 'jobmaster.split-request'; readonly id: SubtaskId }
  /** `alignmentMs`: between the first and the last barrier at the subtask's input (none for a source). */
  | { readonly type: 'jobmaster.checkpoint-ack'; readonly id: SubtaskId; readonly checkpointId: number; readonly bytes: number; readonly alignmentMs?: number }
  | { readonly type: 'jobmaster.checkpoint-decline'; readonly id: SubtaskId; readonly checkpointId: number; readonly reason: string }
  | { readonly type: 'jobmaster.awaiting-final'; readonly id: SubtaskId }
  /** The subtask's operators acted on the completion of `checkpointId` (two-phase commit done). */
  | { readonly type: 'jobmaster.checkpoint-notified'; readonly id: SubtaskId; readonly checkpointId: number; readonly awaitingFinal: boolean }
  /** A running subtask's metrics, sent with every heartbeat of its TaskManager (about once a second). */
  | { readonly type: 'jobmaster.task-metrics'; readonly id: SubtaskId; readonly metrics: SubtaskMetricsSnapshot };

/** The TaskReport types (the JobMaster actor routes these to the job's deployer). */
export const TASK_REPORT_TYPES: ReadonlySet<string> = new Set([
  'jobmaster.task-state', 'jobmaster.reader-registered', 'jobmaster.split-request',
  'jobmaster.checkpoint-ack', 'jobmaster.checkpoint-decline', 'jobmaster.awaiting-final', 'jobmaster.checkpoint-notified',
  'jobmaster.task-metrics',
]);

/** What the JobManager process's top actor (`/user/jobmanager`) answers. */
export type JobManagerMessage =
  /** Replies `{ restUrl }`. */
  | { readonly type: 'jobmanager.info' }
  /** Replies the bytes of the bundle stored under `key` (a TaskManager fetches each job's code once). */
  | { readonly type: 'jobmanager.fetch-blob'; readonly key: string };

/** What the cluster's ResourceManager actor accepts from TaskManager processes. */
export type ClusterResourceManagerMessage =
  /**
   * Replies `{ registered: true, epoch }` (epoch: the JobManager's fencing token, 0 without high
   * availability); `ref` is the TaskManager's task executor actor.
   */
  | { readonly type: 'resourcemanager.register-remote'; readonly taskManagerId: string; readonly address: string; readonly slots: number; readonly ref: unknown }
  /**
   * Asked: replies `{ known }` (false: the TaskManager was declared lost and must register again).
   * Carries the TaskManager's process metrics (memory, actor system, running subtasks).
   */
  | { readonly type: 'resourcemanager.heartbeat'; readonly taskManagerId: string; readonly metrics?: MetricValues }
  | { readonly type: 'resourcemanager.check-heartbeats' }
  /** Replies `{ free, total, taskManagers }`. */
  | { readonly type: 'resourcemanager.slot-report' }
  | { readonly type: 'actor.terminated'; readonly ref: unknown; readonly reason: string; readonly error?: string };

registerMessageTypes('actorflow.taskexecutor', [
  'taskexecutor.deploy', 'taskexecutor.cancel-task', 'taskexecutor.add-splits', 'taskexecutor.no-more-splits',
  'taskexecutor.trigger-checkpoint', 'taskexecutor.checkpoint-complete', 'taskexecutor.checkpoint-aborted',
  'taskexecutor.release-job', 'taskexecutor.list-subtasks', 'taskexecutor.heartbeat-tick', 'taskexecutor.actor-tree',
]);
registerMessageTypes('actorflow.jobmaster', [...TASK_REPORT_TYPES]);
registerMessageTypes('actorflow.jobmanager', ['jobmanager.info', 'jobmanager.fetch-blob']);
registerMessageTypes('actorflow.resourcemanager', [
  'resourcemanager.register-remote', 'resourcemanager.heartbeat', 'resourcemanager.check-heartbeats', 'resourcemanager.slot-report',
]);
