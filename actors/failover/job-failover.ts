// JobFailover: what the JobMaster does when a subtask fails or checkpointing gives up (Flink's
// full-job failover with a RestartBackoffTimeStrategy). Every subtask is cancelled, the job goes
// FAILING -> RESTARTING, waits the backoff on the job's clock, and is redeployed as the next
// attempt from the latest completed checkpoint (sources rewind to the positions in it). When the
// restart strategy gives up the job is FAILED with an error naming the root cause and the attempts
// made. Default strategy: no restart without checkpointing; with checkpointing, fixed delay with
// practically unlimited attempts (Flink's default). A redeployment may first wait for new slots
// (a TaskManager was lost). Imports api/ and actors/ (checkpoint, failover).
import { JobExecutionError, type JobStatus } from '../../api/environment/job-client.ts';
import type { RestartStrategy } from '../../api/environment/restart-strategies.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { Clock } from '../../api/time/clock.ts';
import type { JobCheckpointing } from '../checkpoint/job-checkpointing.ts';
import type { JobStatusEvent } from '../runtime/job-status.machine.ts';
import { createRestartBackoff, type RestartBackoff } from './restart-backoff.ts';

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
  /** The attempt now running (0 for the first). */
  attemptNumber = 0;
  /** Failures handled so far, with their causes (tests, the REST view). */
  readonly failures: string[] = [];

  constructor(private readonly job: RestartableJob, private readonly checkpointing: JobCheckpointing) {
    this.backoff = createRestartBackoff(restartStrategyOf(job.graph));
  }

  /** A subtask (named `where`) or the checkpointing failed with `error`. */
  onFailure(where: string, error: unknown): void {
    const job = this.job;
    if (job.getStatus() !== 'RUNNING') return; // already failing, restarting or done
    const message = error instanceof Error ? error.message : String(error);
    this.failures.push(`${where}: ${message}`);
    this.backoff.notifyFailure(job.clock.now());
    this.checkpointing.stop(`job failing: ${message}`);
    if (!this.backoff.canRestart()) {
      const attempts = this.attemptNumber + 1;
      job.failJob(new JobExecutionError(job.jobId,
        `job "${job.graph.jobName}" (${job.jobId}) failed: ${where} failed: ${message} ` +
        `(${attempts} attempt${attempts === 1 ? '' : 's'} made; ${this.backoff.describe()})`, { cause: error }));
      return;
    }
    job.transition({ type: 'job.fail' });
    void this.restart(error);
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
