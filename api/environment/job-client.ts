// JobClient and the job's externally visible status and result (Flink's JobClient, JobStatus,
// JobExecutionResult). Imports nothing.

/** Flink's JobStatus. */
export type JobStatus =
  | 'CREATED' | 'RUNNING' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'FINISHED'
  | 'RESTARTING' | 'SUSPENDED' | 'RECONCILING';

/** What a finished job reports. */
export interface JobExecutionResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly netRuntimeMs: number;
  readonly accumulators: Record<string, unknown>;
}

/** How to execute: a name, and optionally a savepoint to restore from. */
export interface ExecuteOptions {
  name?: string;
  fromSavepoint?: string;
  allowNonRestoredState?: boolean;
}

/** A handle on a submitted job. */
export interface JobClient {
  readonly jobId: string;
  getJobStatus(): Promise<JobStatus>;
  /** Cancels the job; resolves when every subtask has stopped. */
  cancel(): Promise<void>;
  triggerSavepoint(directory?: string): Promise<string>;
  stopWithSavepoint(directory?: string, drain?: boolean): Promise<string>;
  /** Resolves when the job finishes; rejects when it fails or is cancelled. */
  getJobExecutionResult(): Promise<JobExecutionResult>;
}

/** The error of a job that was cancelled (getJobExecutionResult / execute reject with it). */
export class JobCancellationError extends Error {
  override readonly name = 'JobCancellationError';
  constructor(readonly jobId: string) { super(`job ${jobId} was cancelled`); }
}

/** The error of a job that failed; `cause` is the original (user) error. */
export class JobExecutionError extends Error {
  override readonly name = 'JobExecutionError';
  constructor(readonly jobId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
