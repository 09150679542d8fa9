// ClusterService: what a JobManager offers its clients (the REST server serves it, the REST client
// implements it over HTTP, the JobManager process implements it over its Dispatcher), and the two
// errors that map to HTTP statuses. The shapes follow Flink's REST API (kebab-case keys where Flink
// has them). Metrics, exception histories, Prometheus text and the actor trees come from an
// optional MetricsSource (a service without one answers 404 on those routes). Imports only types.
import type { JobExecutionResult, JobStatus } from '../../api/environment/job-client.ts';
import type { JobSubmitOptions } from '../deploy/job-loader.ts';
import type { CheckpointHistorySnapshot } from '../observability/checkpoint-history.ts';
import type { JobExceptionsSnapshot } from '../observability/exception-history.ts';
import type { MetricValues } from '../observability/process-metrics.ts';
import type { ActorSystemSnapshot } from '../core/actor-snapshot.ts';

/** How to submit a job (defined by the job loader, which applies it). */
export type { JobSubmitOptions };

/** The cluster at a glance (Flink's GET /overview). */
export interface ClusterOverview {
  taskmanagers: number;
  'slots-total': number;
  'slots-available': number;
  'jobs-running': number;
  'jobs-finished': number;
  'jobs-cancelled': number;
  'jobs-failed': number;
}

/** One line of the job list (Flink's GET /jobs/overview). */
export interface JobOverview {
  jid: string;
  name: string;
  state: JobStatus;
  'start-time': number;
  'end-time': number;
  duration: number;
}

/** One subtask of a vertex in a job's detail. */
export interface SubtaskDetail {
  subtask: number;
  /** The subtask's lifecycle state (e.g. RUNNING, FINISHED). */
  status: string;
  taskmanager: string;
  attempt: number;
}

/** One vertex (operator chain) of a job's detail. */
export interface VertexDetail {
  id: string;
  name: string;
  parallelism: number;
  subtasks: SubtaskDetail[];
}

/** A job's detail (Flink's GET /jobs/:jid). */
export interface JobDetail {
  jid: string;
  name: string;
  state: JobStatus;
  'start-time': number;
  duration: number;
  vertices: VertexDetail[];
  /** The graph's edges as Flink gives them: per vertex, the vertices it reads from and how (ship strategy). */
  plan?: JobPlan;
}

/** A job's plan (Flink's `plan` of GET /jobs/:jid): its nodes are the vertices, their inputs the edges. */
export interface JobPlan {
  nodes: { id: string; parallelism: number; description: string; inputs?: { num: number; id: string; ship_strategy: string }[] }[];
}

/**
 * A job's checkpoint statistics (Flink's GET /jobs/:jid/checkpoints). `latest` also carries the
 * newest completed checkpoint's id, duration and size at its top (the first version of this view).
 */
export interface CheckpointStats extends Partial<Omit<CheckpointHistorySnapshot, 'counts' | 'latest'>> {
  counts: { completed: number; failed: number; in_progress: number } & Partial<CheckpointHistorySnapshot['counts']>;
  latest?: { id?: number; 'end-to-end-duration'?: number; 'state-size'?: number } & Partial<CheckpointHistorySnapshot['latest']>;
}

/** Flat metric name -> value (a number; REST renders it as a string, as Flink does). */
export type { MetricValues };

/** The metrics of every subtask of one vertex. */
export interface VertexMetrics {
  readonly id: string;
  readonly name: string;
  /** Per subtask, in index order: its attempt and metrics (none yet for one not reporting yet). */
  readonly subtasks: ReadonlyArray<{ readonly subtask: number; readonly attempt: number; readonly metrics: MetricValues | undefined }>;
}

/** One TaskManager's actor system as GET /actors gives it. */
export interface TaskManagerActors {
  readonly id: string;
  /** Its system's address, for one in another process. */
  readonly address?: string;
  /** Its tree, when it answered in time. */
  readonly snapshot?: ActorSystemSnapshot;
  /** True for a TaskManager inside the JobManager's process: its actors are in the JobManager's tree. */
  readonly inJobManager?: boolean;
  /** Why there is no snapshot (it did not answer within the timeout, or the ask failed). */
  readonly error?: string;
}

/** The actor systems of a cluster (GET /actors). */
export interface ActorSystemsReport {
  /** The JobManager's own tree (absent when the service has no actor system). */
  readonly jobManager?: ActorSystemSnapshot;
  readonly taskManagers: readonly TaskManagerActors[];
  /** The ids of the TaskManagers that did not answer (each with its `error`). */
  readonly unanswered: readonly string[];
}

/** Where a JobManager's metrics come from. Unknown jobs, vertices and TaskManagers resolve undefined. */
export interface MetricsSource {
  /** Flink's per-job metrics (numRestarts, checkpoint counts and the last checkpoint's duration and size). */
  jobMetrics(jobId: string): Promise<MetricValues | undefined>;
  vertexMetrics(jobId: string, vertexId: string): Promise<VertexMetrics | undefined>;
  exceptions(jobId: string): Promise<JobExceptionsSnapshot | undefined>;
  jobManagerMetrics(): Promise<MetricValues>;
  taskManagerMetrics(taskManagerId: string): Promise<MetricValues | undefined>;
  /** Everything above in Prometheus' text format. */
  prometheus(): Promise<string>;
  /** The actor trees of the JobManager and its TaskManagers, each TaskManager asked within `timeoutMs`. */
  actorSystems?(options: { timeoutMs: number; maxActors?: number }): Promise<ActorSystemsReport>;
}

/** A terminal job's outcome (Flink's GET /jobs/:jid/execution-result). */
export interface JobResultInfo {
  jid: string;
  state: JobStatus;
  result?: JobExecutionResult;
  /** The root cause chain of a failed job. */
  error?: string;
}

/** One registered TaskManager (Flink's GET /taskmanagers). */
export interface TaskManagerInfo {
  id: string;
  address: string;
  slotsNumber: number;
  freeSlots: number;
  lastHeartbeat: number;
}

/** What a JobManager offers its clients. Unknown job ids: the lookups resolve undefined, the
 *  commands reject with an UnknownJobError. */
export interface ClusterService {
  overview(): Promise<ClusterOverview>;
  listJobs(): Promise<JobOverview[]>;
  jobDetail(jobId: string): Promise<JobDetail | undefined>;
  checkpoints(jobId: string): Promise<CheckpointStats | undefined>;
  /** Submits a job bundle; resolves with the job id. */
  submitJob(bundle: Uint8Array, options: JobSubmitOptions): Promise<string>;
  /** Resolves when the job is terminal. */
  jobResult(jobId: string): Promise<JobResultInfo>;
  cancelJob(jobId: string): Promise<void>;
  /** Resolves with the savepoint path. */
  triggerSavepoint(jobId: string, directory?: string): Promise<string>;
  /** Stops the job (with a savepoint when a directory is given); resolves with the savepoint path. */
  stopJob(jobId: string, options: { savepointDirectory?: string; drain?: boolean }): Promise<string | undefined>;
  taskManagers(): Promise<TaskManagerInfo[]>;
  /** Metrics and exception histories, when this service has them. */
  readonly metrics?: MetricsSource;
}

/** The error a ClusterService rejects with for a job id it does not know (REST maps it to 404). */
export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
  constructor(readonly jobId: string, message = `no job with id ${jobId}`) { super(message); }
}

/** The error a ClusterService rejects with for a request it cannot accept (REST maps it to 400). */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** The error of a standby JobManager asked to act as the leader (REST maps it to 503). */
export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
}
