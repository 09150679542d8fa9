// Dispatcher: accepts jobs: gives each one a JobMaster and keeps them, answering for the jobs it
// knows (status, list, cancel). The Dispatcher actor (cluster-actors.ts) is its shell.
// Imports api/ and actors/runtime.
import type { JobStatus } from '../../api/environment/job-client.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import { JobMaster, type JobMasterOptions } from './job-master.ts';
import type { ResourceManager } from './resource-manager.ts';

let jobCounter = 0;

/**
 * A fresh job id: 32 hex digits, like Flink's JobID. Given `random` (a simulation's seeded one),
 * the id depends on nothing else, so that a replayed run names its jobs alike.
 */
export function newJobId(random?: () => number): string {
  const hex = (r: () => number): string => Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  if (random !== undefined) return hex(random) + hex(random) + hex(random) + hex(random);
  const count = (jobCounter++).toString(16).padStart(8, '0');
  return hex(Math.random) + hex(Math.random) + hex(Math.random) + count;
}

/** Accepts jobs and keeps their JobMasters. */
export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();

  constructor(private readonly resourceManager: ResourceManager, private readonly options: JobMasterOptions) {}

  /** Creates the JobMaster of job `jobId` and starts scheduling it. */
  startJob(jobId: string, graph: JobGraph): JobMaster {
    if (this.jobs.has(jobId)) throw new Error(`job ${jobId} was already submitted`);
    const jobMaster = new JobMaster(jobId, graph, this.resourceManager, this.options);
    this.jobs.set(jobId, jobMaster);
    void jobMaster.start();
    return jobMaster;
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
