// MiniCluster: the embedded cluster in one process: an actor system holding the JobManager actor
// (ResourceManager and Dispatcher, which spawns a JobMaster actor per job) and `taskManagers`
// TaskManager actors with `slotsPerTaskManager` slots each. Clients talk to the Dispatcher
// actor; env.execute() runs jobs on one of these. A TaskManager can be killed (as if its process
// died) and started again, which the deterministic simulation uses. Imports api/, actors/core and
// actors/runtime.
import { ActorSystem, type ActorRef } from '../index.ts';
import type { Host } from '../core/host.ts';
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
  /** Event-loop turns and randomness (the simulation's); default: the platform's, with `clock`. */
  readonly host?: Host;
}

let clusterCounter = 0;

/** JobManager and TaskManagers in one process. */
export class MiniCluster {
  readonly system: ActorSystem;
  readonly resourceManager: ResourceManager;
  readonly dispatcher: Dispatcher;
  readonly taskManagers: TaskManager[];
  private readonly byId: Map<string, TaskManager>;
  private readonly taskManagerRefs = new Map<string, ActorRef>();
  private readonly store = new JobGraphStore();
  private refs!: { resourceManager: ActorRef<ResourceManagerMessage>; dispatcher: ActorRef<DispatcherMessage> };
  private closed = false;
  /** Resolves once the JobManager actor has started its children and the TaskManagers are spawned. */
  readonly ready: Promise<void>;

  constructor(readonly config: MiniClusterConfig) {
    this.system = ActorSystem.create(`minicluster-${clusterCounter++}`, { clock: config.clock, host: config.host });
    this.resourceManager = new ResourceManager(config.clock, config.slotRequestTimeoutMs);
    this.dispatcher = new Dispatcher(this.resourceManager, { clock: config.clock, batchSize: config.batchSize, channelCredits: config.channelCredits });
    this.taskManagers = Array.from({ length: config.taskManagers }, (_, i) => new TaskManager(`taskmanager-${i}`, config.slotsPerTaskManager, config.host));
    const byId = this.byId = new Map(this.taskManagers.map((tm) => [tm.id, tm]));
    this.ready = new Promise((resolve) => {
      this.system.spawn(jobManagerBehavior({
        resourceManager: resourceManagerBehavior(this.resourceManager, byId),
        dispatcher: dispatcherBehavior(this.dispatcher, this.store),
      }, (refs) => {
        const first = this.refs === undefined;
        this.refs = refs;
        if (!first) return;
        for (const tm of this.taskManagers) this.taskManagerRefs.set(tm.id, this.system.spawn(taskManagerBehavior(tm, refs.resourceManager), tm.id));
        resolve();
      }), 'jobmanager');
    });
  }

  /** The Dispatcher actor (clients' entry point). */
  get dispatcherRef(): ActorRef<DispatcherMessage> { return this.refs.dispatcher; }

  /** Submits a job through the Dispatcher actor; resolves once it is accepted. */
  async submitJob(graph: JobGraph): Promise<{ client: JobClient; jobMaster: JobMaster }> {
    await this.ready;
    const jobId = newJobId(this.config.host?.random);
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

  /**
   * Kills TaskManager `id` as if its process died: its subtasks stop where they are (nothing of
   * theirs runs again), its slots are gone, and the jobs that held them fail over.
   */
  async killTaskManager(id: string, reason = 'killed'): Promise<void> {
    const tm = this.byId.get(id);
    if (tm === undefined) throw new Error(`unknown TaskManager ${id} (this cluster has ${[...this.byId.keys()].join(', ')})`);
    if (!this.resourceManager.isRegistered(id)) throw new Error(`TaskManager ${id} is not running`);
    tm.scheduler.halt();
    this.resourceManager.unregisterTaskManager(id, reason);
    const ref = this.taskManagerRefs.get(id);
    this.taskManagerRefs.delete(id);
    if (ref !== undefined) await this.system.stop(ref);
  }

  /** Starts a new TaskManager `id` (with fresh slots) in place of a killed one; it registers with the ResourceManager. */
  restartTaskManager(id: string): void {
    const old = this.byId.get(id);
    if (old === undefined) throw new Error(`unknown TaskManager ${id} (this cluster has ${[...this.byId.keys()].join(', ')})`);
    if (this.resourceManager.isRegistered(id) || this.taskManagerRefs.has(id)) throw new Error(`TaskManager ${id} is running: kill it first`);
    const tm = new TaskManager(id, old.slots.length, this.config.host);
    this.byId.set(id, tm);
    this.taskManagers[this.taskManagers.indexOf(old)] = tm;
    this.taskManagerRefs.set(id, this.system.spawn(taskManagerBehavior(tm, this.refs.resourceManager), id));
  }

  /** Cancels running jobs and stops the actors. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.dispatcher.cancelAll();
    this.closed = true;
    await this.system.terminate();
  }
}
