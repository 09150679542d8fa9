// JobManagerLink: a TaskManager's registration with its JobManager: connect, register, heartbeat,
// and reconnect after a loss (cancelling its subtasks first). The JobManager's answer carries
// the epoch of its leadership, noted in the TaskManager's EpochFence; a JobManager whose epoch
// is older than one already seen (a deposed leader) is not registered with. With an HA store the
// link also reads the leader lease on every heartbeat: a newer epoch there means another
// JobManager took over while the one registered with may still be alive, so the TaskManager
// stops following it (its commands are refused from then on, its subtasks released) and
// registers with the new leader, as Flink's TaskExecutor does on a leader change. Heartbeats
// carry the TaskManager's process metrics (the JobManager serves them at /taskmanagers/:id/metrics).
// Imports actors/core and actors/cluster.
import type { Clock } from '../../api/time/clock.ts';
import type { ActorRef } from '../core/actor-ref.ts';
import type { ActorSystem } from '../core/actor-system.ts';
import type { ClusterResourceManagerMessage } from './cluster-messages.protocol.ts';
import type { EpochFence } from './epoch-fence.ts';
import { processMetrics } from '../observability/process-metrics.ts';
import { logger, type Logger } from '../observability/logger.ts';
import type { TaskExecutor } from './task-executor.ts';

/** Where the JobManager is: its RPC host and port, and its epoch when the HA store names it. */
export interface JobManagerLocation { readonly host: string; readonly port: number; readonly epoch?: number }

/** What a link needs of its TaskManager. */
export interface JobManagerLinkOptions {
  readonly id: string;
  /** Finds the JobManager to register with (the fixed address, or the HA store's leader). */
  readonly jobmanager: () => Promise<JobManagerLocation>;
  /** With an HA store: the epoch of the lease there now (undefined: no unexpired lease). */
  readonly leaderEpoch?: () => Promise<number | undefined>;
  readonly slots: number;
  readonly secret?: string;
  readonly clock: Clock;
  readonly fence: EpochFence;
  /** What heartbeats report of the process (default processMetrics: memory and actors). */
  readonly processMetrics?: () => Record<string, number>;
}

/** The TaskManager's registration with the JobManager. */
export class JobManagerLink {
  private registered = false;
  private closed = false;
  private unanswered = 0;
  private reconnecting = false;
  private polling = false;
  private resourceManager: ActorRef<ClusterResourceManagerMessage> | undefined;
  /** The epoch of the JobManager registered with (0 without high availability). */
  private epoch = 0;
  /** The JobManager's system address once connected. */
  jobManagerAddress: string | undefined;
  /** The `host:port` registered with last (or being tried). */
  target = '';
  /** The task executor actor (set once spawned): registered with the JobManager, watches it. */
  self!: ActorRef;
  private readonly log: Logger;

  constructor(
    private readonly system: ActorSystem,
    private readonly executor: () => TaskExecutor,
    private readonly options: JobManagerLinkOptions,
    readonly heartbeatIntervalMs: number,
  ) {
    this.log = logger('jobmanager-link', { taskManagerId: options.id });
  }

  /** Connects and registers once; rejects on failure (also when the JobManager's epoch is older than one seen). */
  async register(): Promise<void> {
    const { secret, id, slots, fence } = this.options;
    const { host, port, epoch: leaseEpoch } = await this.options.jobmanager();
    this.target = `${host}:${port}`;
    if (leaseEpoch !== undefined) fence.observe(leaseEpoch);
    const address = await this.system.connect(host, port, secret !== undefined ? { secret } : {});
    this.jobManagerAddress = address;
    const rm = this.system.resolve(`${address}/user/jobmanager/resourcemanager`) as ActorRef<ClusterResourceManagerMessage>;
    const reply = await rm.ask<{ registered: boolean; epoch?: number }>({ type: 'resourcemanager.register-remote', taskManagerId: id, address: this.system.address!, slots, ref: this.self }, 10_000);
    const epoch = reply.epoch ?? 0;
    if (epoch < fence.highest) {
      throw new Error(`the JobManager at ${this.target} leads epoch ${epoch}, older than epoch ${fence.highest} this TaskManager follows (a deposed leader)`);
    }
    fence.observe(epoch);
    this.epoch = epoch;
    this.resourceManager = rm;
    this.registered = true;
    this.unanswered = 0;
    this.self.tell({ type: 'taskexecutor.watch-jobmanager', ref: rm });
    this.log.info(`registered with the JobManager at ${this.target} (epoch ${epoch}, ${slots} slots)`, { jobmanager: this.target, epoch, slots });
  }

  /** Registers, retrying with backoff until `timeoutMs` passed. */
  async registerWithin(timeoutMs: number): Promise<void> {
    const clock = this.options.clock;
    const deadline = clock.now() + timeoutMs;
    let delay = 100;
    for (;;) {
      try {
        await this.register();
        return;
      } catch (error) {
        if (this.closed) throw new Error('the TaskManager was closed while registering');
        if (clock.now() + delay > deadline) {
          throw new Error(`TaskManager ${this.options.id} could not register with the JobManager${this.target ? ` at ${this.target}` : ''}: ${(error as Error).message}`, { cause: error });
        }
        await new Promise<void>((resolve) => clock.schedule(delay, resolve));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /**
   * Sends a heartbeat. The answer says whether the JobManager still knows this TaskManager; one
   * declared lost (heartbeats too late) stops its subtasks and registers again. Unanswered
   * heartbeats for ten intervals (at least 10 s) count as a lost JobManager. With an HA store the
   * lease is read too (see the header).
   */
  heartbeat(): void {
    if (!this.registered || this.closed) return;
    this.pollLeader();
    const rm = this.resourceManager!;
    const timeout = Math.max(10_000, this.heartbeatIntervalMs * 10);
    const metrics = { ...(this.options.processMetrics?.() ?? processMetrics(this.system)), numRunningTasks: this.executor().runningTasks().length, 'Status.Slots.Total': this.options.slots };
    rm.ask<{ known: boolean }>({ type: 'resourcemanager.heartbeat', taskManagerId: this.options.id, metrics }, timeout).then((reply) => {
      this.unanswered = 0;
      if (!reply.known && rm === this.resourceManager) this.lost('the JobManager declared this TaskManager lost');
    }, () => {
      if (rm === this.resourceManager && ++this.unanswered * this.heartbeatIntervalMs >= timeout) this.lost('the JobManager does not answer heartbeats');
    });
  }

  /**
   * The JobManager is gone: cancel every subtask, then reconnect and register again. `ref`: the
   * watched ResourceManager that terminated (one of a JobManager left behind is ignored).
   */
  lost(reason: string, ref?: ActorRef): void {
    if (this.closed || !this.registered) return;
    if (ref !== undefined && ref.path !== this.resourceManager?.path) return;
    this.registered = false;
    this.log.warn(`lost the JobManager at ${this.target}: ${reason}; cancelling this TaskManager's subtasks and registering again`, { jobmanager: this.target, reason });
    void this.executor().cancelAll();
    void this.reconnect();
  }

  close(): void { this.closed = true; }

  /** Reads the lease; a newer epoch than the registered one: follow the new leader. */
  private pollLeader(): void {
    const read = this.options.leaderEpoch;
    if (read === undefined || this.polling) return;
    this.polling = true;
    read().then((epoch) => {
      if (epoch === undefined || epoch <= this.epoch || !this.registered) return;
      this.options.fence.observe(epoch);
      this.lost(`the JobManager of epoch ${epoch} leads now`);
    }, () => { /* the store is unreachable: heartbeats still tell whether the JobManager is */ }).finally(() => { this.polling = false; });
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const clock = this.options.clock;
    let delay = 100;
    try {
      while (!this.closed && !this.registered) {
        await new Promise<void>((resolve) => clock.schedule(delay, resolve));
        if (this.closed) return;
        try { await this.register(); } catch { delay = Math.min(delay * 2, 5000); }
      }
    } finally {
      this.reconnecting = false;
    }
  }
}
