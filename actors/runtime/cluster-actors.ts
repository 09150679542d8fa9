// The mini cluster's roles as supervised actors, each a thin shell over its plain class: the
// JobManager (supervising the ResourceManager and the Dispatcher, which supervises one JobMaster
// per job) and the TaskManagers. Actors route control messages and own lifecycles; the logic
// stays in Dispatcher, JobMaster, ResourceManager and TaskManager. Records never pass through an
// actor: subtasks exchange batches over channels. Imports actors/core and actors/runtime.
import { defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { JobStatus } from '../../api/environment/job-client.ts';
import type { DispatcherMessage, JobMasterMessage, ResourceManagerMessage, TaskManagerMessage } from './cluster.protocol.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { JobMaster } from './job-master.ts';
import type { ResourceManager } from './resource-manager.ts';
import type { TaskManager } from './task-manager.ts';

/** Job graphs by job id, handed from the client to the Dispatcher (Flink's blob server). */
export class JobGraphStore {
  private readonly graphs = new Map<string, JobGraph>();
  put(jobId: string, graph: JobGraph): void { this.graphs.set(jobId, graph); }
  take(jobId: string): JobGraph {
    const graph = this.graphs.get(jobId);
    if (!graph) throw new Error(`no job graph stored for job ${jobId}`);
    this.graphs.delete(jobId);
    return graph;
  }
}

/** A TaskManager actor: registers with the ResourceManager at start, reports its subtasks. */
export function taskManagerBehavior(tm: TaskManager, resourceManager: ActorRef<ResourceManagerMessage>): ActorBehavior<TaskManager, TaskManagerMessage> {
  return defineActor<TaskManager, TaskManagerMessage>({
    init() {
      resourceManager.tell({ type: 'resourcemanager.register-task-manager', taskManagerId: tm.id });
      return tm;
    },
    receive(state, msg, ctx) {
      if (msg.type === 'taskmanager.list-subtasks') {
        ctx.reply(state.runningTasks().map((t) => ({ jobId: t.deployment.jobId, name: t.name, state: t.state })));
      }
    },
  });
}

/** The ResourceManager actor: TaskManagers register through it; it reports the slot pool. */
export function resourceManagerBehavior(rm: ResourceManager, taskManagers: ReadonlyMap<string, TaskManager>): ActorBehavior<ResourceManager, ResourceManagerMessage> {
  return defineActor<ResourceManager, ResourceManagerMessage>({
    init: () => rm,
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'resourcemanager.register-task-manager': {
          const tm = taskManagers.get(msg.taskManagerId);
          if (tm) state.registerTaskManager(tm);
          return;
        }
        case 'resourcemanager.slot-report':
          ctx.reply({ free: state.freeSlots().length, total: state.totalSlots(), taskManagers: state.registeredTaskManagers().length });
      }
    },
  });
}

/** A JobMaster actor: one per job, child of the Dispatcher; stops itself when the job ends. */
export function jobMasterBehavior(jobMaster: JobMaster): ActorBehavior<JobMaster, JobMasterMessage> {
  return defineActor<JobMaster, JobMasterMessage>({
    init(ctx) {
      void jobMaster.terminated.then(() => ctx.self.tell({ type: 'jobmaster.terminated' }));
      return jobMaster;
    },
    async receive(state, msg, ctx) {
      switch (msg.type) {
        case 'jobmaster.status': ctx.reply(state.getStatus()); return;
        case 'jobmaster.cancel': await state.cancel(); ctx.reply(state.getStatus()); return;
        case 'jobmaster.terminated': void ctx.stop(ctx.self); return;
        default: state.deliverTaskReport(msg); return;
      }
    },
  });
}

interface DispatcherState { readonly dispatcher: Dispatcher; readonly jobMasters: Map<string, ActorRef<JobMasterMessage>> }

/** The Dispatcher actor: accepts jobs, spawns their JobMaster actors, answers for them. */
export function dispatcherBehavior(dispatcher: Dispatcher, store: JobGraphStore): ActorBehavior<DispatcherState, DispatcherMessage> {
  return defineActor<DispatcherState, DispatcherMessage>({
    init: () => ({ dispatcher, jobMasters: new Map() }),
    async receive(state, msg, ctx) {
      switch (msg.type) {
        case 'dispatcher.submit-job': {
          const jobMaster = state.dispatcher.startJob(msg.jobId, store.take(msg.jobId));
          const ref = ctx.spawn(jobMasterBehavior(jobMaster), `jobmaster-${msg.jobId}`);
          state.jobMasters.set(msg.jobId, ref);
          ctx.reply({ jobId: msg.jobId });
          return;
        }
        case 'dispatcher.job-status': {
          const job = state.dispatcher.getJob(msg.jobId);
          ctx.reply(job ? job.getStatus() : undefined);
          return;
        }
        case 'dispatcher.cancel-job': {
          const job = state.dispatcher.getJob(msg.jobId);
          if (job) await job.cancel();
          ctx.reply((job?.getStatus() ?? undefined) as JobStatus | undefined);
          return;
        }
        case 'dispatcher.list-jobs': ctx.reply(state.dispatcher.listJobs()); return;
        case 'actor.terminated': return;
      }
    },
  });
}

/** The JobManager actor: supervises the ResourceManager and the Dispatcher. */
export function jobManagerBehavior(
  children: { resourceManager: ActorBehavior<ResourceManager, ResourceManagerMessage>; dispatcher: ActorBehavior<DispatcherState, DispatcherMessage> },
  spawned: (refs: { resourceManager: ActorRef<ResourceManagerMessage>; dispatcher: ActorRef<DispatcherMessage> }) => void,
): ActorBehavior<null, never> {
  return defineActor<null, never>({
    init(ctx) {
      const resourceManager = ctx.spawn(children.resourceManager, 'resourcemanager');
      const dispatcher = ctx.spawn(children.dispatcher, 'dispatcher');
      spawned({ resourceManager, dispatcher });
      return null;
    },
    receive: () => undefined,
    supervisorStrategy: { kind: 'one-for-one', maxRestarts: 3, withinMs: 60_000 },
  });
}
