// RemoteTaskManager: the JobManager's view of one TaskManager process: its slots (allocated by the
// ResourceManager like those of an in-process TaskManager), its address, the ref of its task
// executor actor, and when it last sent a heartbeat (with its process metrics). Every command to it goes through `send`,
// which adds the JobManager's fencing token. Imports actors/core refs and actors/runtime types.
import type { ActorRef } from '../core/actor-ref.ts';
import type { Slot, TaskManagerGateway } from '../runtime/task-manager.ts';
import type { TaskExecutorMessage, UnfencedCommand } from './cluster-messages.protocol.ts';
import type { MetricValues } from '../observability/process-metrics.ts';

/** A TaskManager in another process, as the ResourceManager keeps it. */
export class RemoteTaskManager implements TaskManagerGateway {
  readonly slots: Slot[];
  /** Epoch ms of the last heartbeat (or of the registration). */
  lastHeartbeat: number;
  /** The process metrics its last heartbeat carried (memory, actor system, running subtasks). */
  metrics: MetricValues = {};

  constructor(
    readonly id: string,
    /** The TaskManager's system address (`actorflow://name@host:port`): peers open channels to it. */
    readonly address: string,
    numberOfSlots: number,
    /** Its task executor actor. */
    readonly ref: ActorRef<TaskExecutorMessage>,
    now: number,
    /** The epoch of the JobManager's leadership (0 without high availability). */
    private readonly fencingToken: () => number = () => 0,
  ) {
    this.slots = Array.from({ length: numberOfSlots }, (_, index) => ({ taskManagerId: id, index, allocatedTo: undefined }));
    this.lastHeartbeat = now;
  }

  /** Sends a command, fenced with the JobManager's epoch. */
  send(command: UnfencedCommand): void {
    this.ref.tell({ ...command, epoch: this.fencingToken() });
  }

  /** The job gave its slots back: the TaskManager forgets its subtasks, bundle and storage. */
  releaseJob(jobId: string): void {
    this.send({ type: 'taskexecutor.release-job', jobId });
  }
}
