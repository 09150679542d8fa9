// EmbeddedExecutor: what env.execute() uses by default: a MiniCluster per job, shaped by the
// environment's config (Flink's local environment sizes slots to the job when not told), shut
// down when the job ends. Imports api/ and actors/runtime.
import type { EnvironmentConfig } from '../../api/environment/environment-config.ts';
import type { PipelineExecutor } from '../../api/environment/executor-registry.ts';
import type { JobClient } from '../../api/environment/job-client.ts';
import { requiredSlots, type JobGraph } from '../../api/graph/job-graph.ts';
import type { JobMaster } from './job-master.ts';
import { MiniCluster } from './mini-cluster.ts';

/** Runs each job on its own embedded mini cluster. */
export class EmbeddedExecutor implements PipelineExecutor {
  /** The JobMaster of the most recently submitted job (tests inspect its subtasks and channels). */
  lastJobMaster: JobMaster | undefined;

  async execute(jobGraph: JobGraph, config: EnvironmentConfig): Promise<JobClient> {
    const slots = config.slotsPerTaskManager ?? Math.max(1, Math.ceil(requiredSlots(jobGraph) / config.taskManagers));
    const cluster = new MiniCluster({
      taskManagers: config.taskManagers, slotsPerTaskManager: slots, clock: config.clock,
      slotRequestTimeoutMs: config.slotRequestTimeoutMs, batchSize: config.batchSize, channelCredits: config.channelCredits,
    });
    const { client, jobMaster } = await cluster.submitJob(jobGraph);
    this.lastJobMaster = jobMaster;
    void jobMaster.terminated.then(() => cluster.close());
    return client;
  }
}

/** The executor registered as 'embedded'. */
export const embeddedExecutor = new EmbeddedExecutor();
