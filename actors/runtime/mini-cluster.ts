// MiniCluster: the embedded cluster in one process: an actor system holding the JobManager actor
// (ResourceManager and Dispatcher, which spawns a JobMaster actor per job) and `taskManagers`
// TaskManager actors with `slotsPerTaskManager` slots each. Clients talk to the Dispatcher
// actor; env.execute() runs jobs on one of these. Imports api/, actors/core and actors/runtime.
import { ActorSystem, type ActorRef } from '../index.ts';
import type { JobClient, JobStatus } from '../../api/environment/job-client.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { Clock } from '../../api/time/clock.ts';
import {
  dispatcherBehavior, JobGraphStore, jobManagerBehavior, resourceManagerBehavior, taskManagerBehavior,
} from './cluster-actors.ts';
import type { DispatcherMessage, ResourceManagerMessage } from './cluster.protocol.ts';
import { Dispatcher, newJobId } from './dispatcher.ts';
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

let clusterCounter = 0;

/** JobManager and TaskManagers in one process. */
export class MiniCluster {
  readonly system: ActorSystem;
  readonly resourceManager: ResourceManager;
  readonly dispatcher: Dispatcher;
  readonly taskManagers: TaskManager[];
  private readonly store = new JobGraphStore();
  private refs!: { resourceManager: ActorRef<ResourceManagerMessage>; dispatcher: ActorRef<DispatcherMessage> };
  private closed = false;
  /** Resolves once the JobManager actor has started its children and the TaskManagers are spawned. */
  readonly ready: Promise<void>;

  constructor(readonly config: MiniClusterConfig) {
    this.system = ActorSystem.create(`minicluster-${clusterCounter++}`, { clock: config.clock });
    this.resourceManager = new ResourceManager(config.clock, config.slotRequestTimeoutMs);
    this.dispatcher = new Dispatcher(this.resourceManager, { clock: config.clock, batchSize: config.batchSize, channelCredits: config.channelCredits });
    this.taskManagers = Array.from({ length: config.taskManagers }, (_, i) => new TaskManager(`taskmanager-${i}`, config.slotsPerTaskManager));
    const byId = new Map(this.taskManagers.map((tm) => [tm.id, tm]));
    this.ready = new Promise((resolve) => {
      this.system.spawn(jobManagerBehavior({
        resourceManager: resourceManagerBehavior(this.resourceManager, byId),
        dispatcher: dispatcherBehavior(this.dispatcher, this.store),
      }, (refs) => {
        const first = this.refs === undefined;
        this.refs = refs;
        if (!first) return;
        for (const tm of this.taskManagers) this.system.spawn(taskManagerBehavior(tm, refs.resourceManager), tm.id);
        resolve();
      }), 'jobmanager');
    });
  }

  /** The Dispatcher actor (clients' entry point). */
  get dispatcherRef(): ActorRef<DispatcherMessage> { return this.refs.dispatcher; }

  /** Submits a job through the Dispatcher actor; resolves once it is accepted. */
  async submitJob(graph: JobGraph): Promise<{ client: JobClient; jobMaster: JobMaster }> {
    await this.ready;
    const jobId = newJobId();
    this.store.put(jobId, graph);
    await this.refs.dispatcher.ask({ type: 'dispatcher.submit-job', jobId });
    const jobMaster = this.dispatcher.getJob(jobId)!;
    const dispatcher = this.refs.dispatcher;
    // After the cluster shut down (the embedded executor closes it when the job ends) the
    // JobMaster's final status is still known locally.
    const client: JobClient = {
      jobId,
      getJobStatus: async (): Promise<JobStatus> => (this.closed ? jobMaster.getStatus() : dispatcher.ask<JobStatus>({ type: 'dispatcher.job-status', jobId })),
      cancel: async (): Promise<void> => { if (!this.closed) await dispatcher.ask({ type: 'dispatcher.cancel-job', jobId }, 60_000); await jobMaster.terminated; },
      triggerSavepoint: (directory?: string) => jobMaster.triggerSavepoint(directory),
      stopWithSavepoint: (directory?: string, drain?: boolean) => jobMaster.stopWithSavepoint(directory, drain),
      getJobExecutionResult: () => jobMaster.result,
    };
    return { client, jobMaster };
  }

  /** Cancels running jobs and stops the actors. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.dispatcher.cancelAll();
    this.closed = true;
    await this.system.terminate();
  }
}
