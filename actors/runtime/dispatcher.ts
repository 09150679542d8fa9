// Dispatcher: accepts job submissions, gives each job an id and a JobMaster, and answers for the
// jobs it knows (status, cancel, result). Imports api/ and actors/runtime.
import type { JobClient, JobStatus } from '../../api/environment/job-client.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { JobMaster, type JobMasterOptions } from './job-master.ts';
import type { ResourceManager } from './resource-manager.ts';

let jobCounter = 0;

/** A fresh job id: 32 hex digits, like Flink's JobID. */
export function newJobId(): string {
  const random = (): string => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  const count = (jobCounter++).toString(16).padStart(8, '0');
  return random() + random() + random() + count;
}

/** Accepts jobs and keeps their JobMasters. */
export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();

  constructor(private readonly resourceManager: ResourceManager, private readonly options: JobMasterOptions) {}

  /** Starts `graph` as a new job; the returned client follows it. */
  submitJob(graph: JobGraph): { client: JobClient; jobMaster: JobMaster } {
    const jobId = newJobId();
    const jobMaster = new JobMaster(jobId, graph, this.resourceManager, this.options);
    this.jobs.set(jobId, jobMaster);
    void jobMaster.start();
    const client: JobClient = {
      jobId,
      getJobStatus: async (): Promise<JobStatus> => jobMaster.getStatus(),
      cancel: () => jobMaster.cancel(),
      triggerSavepoint: () => Promise.reject(new Error(`job ${jobId}: savepoints need checkpointing support, which this runtime does not provide yet`)),
      stopWithSavepoint: () => Promise.reject(new Error(`job ${jobId}: stop-with-savepoint needs checkpointing support, which this runtime does not provide yet`)),
      getJobExecutionResult: () => jobMaster.result,
    };
    return { client, jobMaster };
  }

  getJob(jobId: string): JobMaster | undefined { return this.jobs.get(jobId); }

  listJobs(): Array<{ jobId: string; name: string; status: JobStatus }> {
    return [...this.jobs.values()].map((j) => ({ jobId: j.jobId, name: j.graph.jobName, status: j.getStatus() }));
  }

  /** Cancels every job that is still running. */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.cancel()));
  }
}
