// The cluster's ResourceManager actor: TaskManager processes register through it (address,
// slots, the ref of their task executor) and heartbeat to it. It watches each TaskManager (a
// killed process is noticed at once: its connection is lost) and expects a heartbeat within the
// heartbeat timeout; a lost TaskManager is unregistered, so its slots go away and the jobs that
// held some fail over (ResourceManager.unregisterTaskManager). A TaskManager registering again
// under the same id (it reconnected) counts as lost first: its old subtasks are gone. Heartbeats
// are answered with whether the TaskManager is still known, so one declared lost while still
// connected stops its subtasks and registers again. The registration's answer carries the
// JobManager's fencing token, as every command to the TaskManager does.
// Imports actors/core and actors/runtime.
import { defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import type { ResourceManager } from '../runtime/resource-manager.ts';
import type { ClusterResourceManagerMessage, TaskExecutorMessage } from './cluster-messages.protocol.ts';
import { RemoteTaskManager } from './remote-task-manager.ts';

/** Failure detection settings. */
export interface HeartbeatOptions {
  /** A TaskManager that sent no heartbeat for this long is lost (default 10 s). */
  readonly heartbeatTimeoutMs: number;
  /** The epoch of the JobManager's leadership, sent with every command (default 0: no high availability). */
  readonly fencingToken?: () => number;
}

interface State { readonly rm: ResourceManager; readonly byPath: Map<string, string> }

/** The ResourceManager actor of a JobManager process. */
export function clusterResourceManagerBehavior(rm: ResourceManager, options: HeartbeatOptions): ActorBehavior<State, ClusterResourceManagerMessage> {
  return defineActor<State, ClusterResourceManagerMessage>({
    init(ctx) {
      const every = Math.max(10, Math.min(1000, Math.floor(options.heartbeatTimeoutMs / 4)));
      ctx.scheduleRepeatedly(every, { type: 'resourcemanager.check-heartbeats' });
      return { rm, byPath: new Map() };
    },
    receive(state, msg, ctx) {
      const now = ctx.system.clock.now();
      switch (msg.type) {
        case 'resourcemanager.register-remote': {
          const ref = msg.ref as ActorRef<TaskExecutorMessage>;
          if (state.rm.isRegistered(msg.taskManagerId)) state.rm.unregisterTaskManager(msg.taskManagerId, 'it registered again (reconnected)');
          state.byPath.set(ref.path, msg.taskManagerId);
          ctx.watch(ref);
          const epoch = options.fencingToken ?? (() => 0);
          state.rm.registerTaskManager(new RemoteTaskManager(msg.taskManagerId, msg.address, msg.slots, ref, now, epoch));
          ctx.reply({ registered: true, epoch: epoch() });
          return;
        }
        case 'resourcemanager.heartbeat': {
          const tm = state.rm.isRegistered(msg.taskManagerId) ? state.rm.getTaskManager(msg.taskManagerId) : undefined;
          if (tm instanceof RemoteTaskManager) {
            tm.lastHeartbeat = now;
            if (msg.metrics) tm.metrics = msg.metrics;
          }
          // A TaskManager declared lost learns it here: it cancels its subtasks and registers again.
          ctx.reply({ known: tm !== undefined });
          return;
        }
        case 'resourcemanager.check-heartbeats':
          for (const tm of state.rm.registeredTaskManagers()) {
            if (tm instanceof RemoteTaskManager && now - tm.lastHeartbeat > options.heartbeatTimeoutMs) {
              state.rm.unregisterTaskManager(tm.id, `no heartbeat for ${now - tm.lastHeartbeat} ms (timeout ${options.heartbeatTimeoutMs} ms)`);
            }
          }
          return;
        case 'resourcemanager.slot-report':
          ctx.reply({ free: state.rm.freeSlots().length, total: state.rm.totalSlots(), taskManagers: state.rm.registeredTaskManagers().length });
          return;
        case 'actor.terminated': {
          const path = (msg.ref as ActorRef).path;
          const id = state.byPath.get(path);
          if (id === undefined) return;
          state.byPath.delete(path);
          const tm = state.rm.isRegistered(id) ? state.rm.getTaskManager(id) : undefined;
          // Only the registration this ref belongs to (a re-registered TaskManager has a new one).
          if (tm instanceof RemoteTaskManager && tm.ref.path === path) {
            state.rm.unregisterTaskManager(id, msg.reason === 'connection-lost' ? `its connection was lost${msg.error ? ` (${msg.error})` : ''}` : `its task executor ${msg.reason}`);
          }
          return;
        }
      }
    },
  });
}
