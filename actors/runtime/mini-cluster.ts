// MiniCluster: the embedded cluster in one process: a JobManager (Dispatcher and ResourceManager)
// and `taskManagers` TaskManagers with `slotsPerTaskManager` slots each. env.execute() runs jobs
// on one of these. Imports api/ and actors/runtime.
import type { JobClient } from '../../api/environment/job-client.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { Clock } from '../../api/time/clock.ts';
import { Dispatcher } from './dispatcher.ts';
import type { JobMaster } from './job-master.ts';
import { ResourceManager } from './resource-manager.ts';
import { TaskManager } from './task-manager.ts';

/** How a mini cluster is shaped. */
export interface MiniClusterConfig {
  readonly taskManagers: number;
  readonly slotsPerTaskManager: number;
  readonly clock: Clock;
  readonly slotRequestTimeoutMs: number;
  readonly batchSize: number;
  readonly channelCredits: number;
}

/** JobManager and TaskManagers in one process. */
export class MiniCluster {
  readonly resourceManager: ResourceManager;
  readonly dispatcher: Dispatcher;
  readonly taskManagers: TaskManager[];

  constructor(readonly config: MiniClusterConfig) {
    this.resourceManager = new ResourceManager(config.clock, config.slotRequestTimeoutMs);
    this.dispatcher = new Dispatcher(this.resourceManager, { clock: config.clock, batchSize: config.batchSize, channelCredits: config.channelCredits });
    this.taskManagers = Array.from({ length: config.taskManagers }, (_, i) => new TaskManager(`taskmanager-${i}`, config.slotsPerTaskManager));
    for (const tm of this.taskManagers) this.resourceManager.registerTaskManager(tm);
  }

  /** Submits a job. */
  submitJob(graph: JobGraph): { client: JobClient; jobMaster: JobMaster } {
    return this.dispatcher.submitJob(graph);
  }

  /** Cancels running jobs. */
  async close(): Promise<void> {
    await this.dispatcher.cancelAll();
  }
}
