// JobFailover: what the JobMaster does when a subtask fails or checkpointing gives up (Flink's
// full-job failover with a RestartBackoffTimeStrategy). Every subtask is cancelled, the job goes
// FAILING -> RESTARTING, waits the backoff on the job's clock, and is redeployed as the next
// attempt from the latest completed checkpoint (sources rewind to the positions in it). When the
// restart strategy gives up the job is FAILED with an error naming the root cause and the attempts
// made. Default strategy: no restart without checkpointing; with checkpointing, fixed delay with
// practically unlimited attempts (Flink's default). A redeployment may first wait for new slots
// (a TaskManager was lost).
// With the region failover strategy (Flink's RestartPipelinedRegionFailoverStrategy, the default)
// a subtask's failure restarts only its pipelined region: the job stays RUNNING, the region's
// subtasks are cancelled, the same restart strategy and backoff apply (a region restart counts as
// a failure), checkpoints are suspended meanwhile, and the region's subtasks are redeployed as
// their next attempt from the latest completed checkpoint while the other regions keep running.
// A full failover that begins meanwhile supersedes the region restarts in progress.
// Every failure goes into the job's exception history and every restart is counted (numRestarts).
// Imports api/ and actors/ (checkpoint, failover).
import { JobExecutionError, type JobStatus } from '../../api/environment/job-client.ts';
import type { RestartStrategy } from '../../api/environment/restart-strategies.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { Clock } from '../../api/time/clock.ts';
import type { JobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import type { JobStatusEvent } from '../runtime/job-status.machine.ts';
import type { TaskHandle } from '../runtime/task-manager.ts';
import { createRestartBackoff, type RestartBackoff } from './restart-backoff.ts';
import { errorFields, logger, type Logger } from '../observability/logger.ts';
import { ExceptionHistory, type FailureLocation } from '../observability/exception-history.ts';

/** Which subtasks a subtask's failure restarts (Flink's jobmanager.execution.failover-strategy). */
export type FailoverStrategy = 'region' | 'full';

/** The failover strategy of `graph` (default region, as in Flink). */
export function failoverStrategyOf(graph: JobGraph): FailoverStrategy {
  return (graph.config.faultTolerance as { failoverStrategy?: FailoverStrategy }).failoverStrategy ?? 'region';
}

/** One pipelined region being restarted, as its JobMaster cancels and redeploys it. */
export interface RegionRestart {
  /** Cancels the region's subtasks. */
  cancel(): Promise<void>;
  /** Deploys the region's subtasks anew, each as its next attempt; returns the highest attempt number. */
  redeploy(): number;
}

/** What failover needs of its JobMaster. */
export interface RestartableJob {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly clock: Clock;
  getStatus(): JobStatus;
  transition(event: JobStatusEvent): void;
  /** Cancels every subtask of the current attempt. */
  cancelAllTasks(): Promise<void>;
  /** Deploys every subtask anew as attempt `attemptNumber` (after new slots, when a TaskManager was lost). */
  redeploy(attemptNumber: number): void | Promise<void>;
  /** Fails the job for good. */
  failJob(error: JobExecutionError): void;
}

/** The restart strategy of `graph`, with Flink's defaults. */
export function restartStrategyOf(graph: JobGraph): RestartStrategy {
  const ft = graph.config.faultTolerance as { restartStrategy?: RestartStrategy; checkpointing?: unknown };
  if (ft.restartStrategy) return ft.restartStrategy;
  return ft.checkpointing ? { kind: 'fixed-delay', attempts: Number.MAX_SAFE_INTEGER, delayMs: 1000 } : { kind: 'no-restart' };
}

/** Restarts a job after failures, per its restart strategy. */
export class JobFailover {
  private readonly backoff: RestartBackoff;
  /** The attempt now running (0 for the first); with region restarts, the highest attempt of any subtask. */
  attemptNumber = 0;
  /** Full failovers begun so far: a region restart begun before the latest one is superseded by it. */
  private fullFailovers = 0;
  /** Failures handled so far, with their causes (tests, the REST view). */
  readonly failures: string[] = [];
  /** Every failure with its stack and where it happened (REST: /jobs/:jid/exceptions). */
  readonly exceptions = new ExceptionHistory();
  /** Restarts begun so far, full and of regions (Flink's numRestarts). */
  numRestarts = 0;
  private readonly log: Logger;

  constructor(private readonly job: RestartableJob, private readonly checkpointing: JobCheckpointing) {
    this.backoff = createRestartBackoff(restartStrategyOf(job.graph));
    this.log = logger('job-failover', { jobId: job.jobId, jobName: job.graph.jobName });
  }

  /** A subtask (named `where`, running at `at`) or the checkpointing failed with `error`. */
  onFailure(where: string, error: unknown, at: FailureLocation = { where }): void {
    const job = this.job;
    if (job.getStatus() !== 'RUNNING') return; // already failing, restarting or done
    const message = error instanceof Error ? error.message : String(error);
    this.failures.push(`${where}: ${message}`);
    this.exceptions.record(error, job.clock.now(), at);
    this.backoff.notifyFailure(job.clock.now());
    this.fullFailovers++;
    this.checkpointing.stop(`job failing: ${message}`);
    if (!this.backoff.canRestart()) { this.giveUp(where, message, error); return; }
    this.numRestarts++;
    this.log.warn(`${where} failed; restarting the job (attempt ${this.attemptNumber + 1}, ${this.backoff.describe()})`, { where, ...errorFields(error) });
    job.transition({ type: 'job.fail' });
    void this.restart(error);
  }

  /**
   * Subtask `where` failed with `error` and the region strategy restarts only its region. The
   * JobMaster has already stopped listening to the region's subtasks (`tasks`).
   */
  onRegionFailure(where: string, error: unknown, region: RegionRestart, tasks: Iterable<TaskHandle>, at: FailureLocation = { where }): void {
    const job = this.job;
    if (job.getStatus() !== 'RUNNING') return;
    const message = error instanceof Error ? error.message : String(error);
    this.failures.push(`${where}: ${message}`);
    this.exceptions.record(error, job.clock.now(), at);
    this.backoff.notifyFailure(job.clock.now());
    if (!this.backoff.canRestart()) { this.checkpointing.stop(`job failing: ${message}`); this.giveUp(where, message, error); return; }
    this.numRestarts++;
    this.log.warn(`${where} failed; restarting its pipelined region (${this.backoff.describe()})`, { where, ...errorFields(error) });
    this.checkpointing.suspend(`region of ${where} failing: ${message}`, tasks);
    void this.restartRegion(region, error, this.fullFailovers);
  }

  private giveUp(where: string, message: string, error: unknown): void {
    const job = this.job;
    const attempts = this.attemptNumber + 1;
    job.failJob(new JobExecutionError(job.jobId,
      `job "${job.graph.jobName}" (${job.jobId}) failed: ${where} failed: ${message} ` +
      `(${attempts} attempt${attempts === 1 ? '' : 's'} made; ${this.backoff.describe()})`, { cause: error }));
  }

  private async restartRegion(region: RegionRestart, cause: unknown, epoch: number): Promise<void> {
    const job = this.job;
    const current = (): boolean => job.getStatus() === 'RUNNING' && this.fullFailovers === epoch;
    await region.cancel();
    if (!current()) return;
    const delay = this.backoff.backoffMs();
    if (delay > 0) await new Promise<void>((resolve) => job.clock.schedule(delay, resolve));
    if (!current()) return;
    try {
      await this.checkpointing.prepareRestart();
    } catch (error) {
      if (!current()) return;
      job.failJob(new JobExecutionError(job.jobId,
        `job "${job.graph.jobName}" (${job.jobId}) cannot restart a region: ${(error as Error).message} (after: ${(cause as Error)?.message ?? String(cause)})`, { cause: error }));
      return;
    }
    if (!current()) return;
    this.attemptNumber = Math.max(this.attemptNumber, region.redeploy());
    this.checkpointing.resume();
  }

  private async restart(cause: unknown): Promise<void> {
    const job = this.job;
    await job.cancelAllTasks();
    if (job.getStatus() !== 'FAILING') return; // cancelled meanwhile
    job.transition({ type: 'job.restart' });
    const delay = this.backoff.backoffMs();
    if (delay > 0) await new Promise<void>((resolve) => job.clock.schedule(delay, resolve));
    if (job.getStatus() !== 'RESTARTING') return;
    try {
      await this.checkpointing.prepareRestart();
    } catch (error) {
      job.failJob(new JobExecutionError(job.jobId,
        `job "${job.graph.jobName}" (${job.jobId}) cannot restart: ${(error as Error).message} (after: ${(cause as Error)?.message ?? String(cause)})`, { cause: error }));
      return;
    }
    if (job.getStatus() !== 'RESTARTING') return;
    job.transition({ type: 'job.start' });
    await job.redeploy(++this.attemptNumber);
    if (job.getStatus() === 'RUNNING') this.checkpointing.start();
  }
}
