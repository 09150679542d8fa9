// startTaskManager: a TaskManager process (Flink's TaskExecutor). An actor system listening on an
// ephemeral port (peers open data channels to it) runs the task executor actor
// `/user/taskmanager`, which routes the JobManager's commands to a TaskExecutor. The process
// registers with the JobManager's ResourceManager (its id, address and slots), heartbeats to it,
// and watches it: when the JobManager connection is lost it cancels its subtasks and reconnects
// and registers again with backoff. Started with an HA store instead of an address, it looks the
// leader up in the store before every registration, so that it follows a standby that took over.
// It prints nothing (the CLI prints the ready line).
//
//   const tm = await startTaskManager({ jobmanager: '127.0.0.1:6123', slots: 2 });
//   ...
//   await tm.close();
//
// Imports actors/core and actors/cluster.
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../api/time/clock.ts';
import { ActorSystem, defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import type { VersionedKvStore } from '../../state/kv/kv-store.ts';
import { DataPlane } from '../network/data/data-plane.ts';
import type { DataPort } from '../network/data/port-link.ts';
import { findLeader, openHaStore } from '../ha/ha-store.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { ClusterResourceManagerMessage, JobManagerMessage, TaskExecutorMessage } from './cluster-messages.protocol.ts';
import { TaskExecutor } from './task-executor.ts';

/** How a TaskManager process is started. */
export interface TaskManagerOptions {
  /** The JobManager's RPC address, `host:port` (or give `haStorage`). */
  readonly jobmanager?: string;
  /** The HA store of the JobManagers (see JobManagerOptions.ha): register with whichever leads. */
  readonly haStorage?: string;
  /** Slots offered (default 1). */
  readonly slots: number;
  /** The interface to listen on for peers (default 127.0.0.1; others need a secret). */
  readonly host?: string;
  /** The cluster secret (default env ACTORFLOW_CLUSTER_SECRET). */
  readonly secret?: string;
  /** Heartbeat interval (default 1 s). */
  readonly heartbeatIntervalMs?: number;
  /** The TaskManager's id (default `taskmanager-<random>`). */
  readonly id?: string;
  /** How long the first registration may take before startTaskManager rejects (default 30 s). */
  readonly registrationTimeoutMs?: number;
}

/** A running TaskManager. */
export interface RunningTaskManager {
  readonly id: string;
  /** Its system address (`actorflow://name@host:port`). */
  readonly address: string;
  /** The `host:port` of the JobManager it first registered with. */
  readonly jobmanager: string;
  /**
   * Carries the data channels to and from the TaskManager at `peerAddress` over `port` instead of
   * TCP (TaskManagers in worker threads of one process: batches travel as transferred buffers).
   */
  attachPeerPort(peerAddress: string, port: DataPort): void;
  /** Cancels its subtasks and stops (without deregistering: the JobManager notices the lost connection). */
  close(): Promise<void>;
  /**
   * Stops as a killed process would, as far as one process can: its connections drop first (the
   * JobManager sees the TaskManager lost), then its subtasks stop without reporting (tests).
   */
  kill(): Promise<void>;
}

/** Local messages of the task executor actor besides the protocol's. */
type LocalMessage = { readonly type: 'taskexecutor.watch-jobmanager'; readonly ref: ActorRef };

/** The task executor actor: routes the JobManager's commands to the TaskExecutor. */
function taskExecutorBehavior(executor: TaskExecutor, link: JobManagerLink): ActorBehavior<null, TaskExecutorMessage | LocalMessage> {
  return defineActor<null, TaskExecutorMessage | LocalMessage>({
    init(ctx) {
      ctx.scheduleRepeatedly(link.heartbeatIntervalMs, { type: 'taskexecutor.heartbeat-tick' });
      return null;
    },
    receive(_state, msg, ctx) {
      switch (msg.type) {
        case 'taskexecutor.deploy': executor.deploy(msg.descriptor); return;
        case 'taskexecutor.cancel-task': executor.cancel(msg.id); return;
        case 'taskexecutor.add-splits': executor.addSplits(msg.id, msg.splits as SourceSplit[]); return;
        case 'taskexecutor.no-more-splits': executor.notifyNoMoreSplits(msg.id); return;
        case 'taskexecutor.trigger-checkpoint': executor.triggerCheckpoint(msg.id, msg.barrier); return;
        case 'taskexecutor.checkpoint-complete': executor.checkpointComplete(msg.id, msg.checkpointId); return;
        case 'taskexecutor.checkpoint-aborted': executor.checkpointAborted(msg.id, msg.checkpointId); return;
        case 'taskexecutor.release-job': void executor.releaseJob(msg.jobId); return;
        case 'taskexecutor.list-subtasks': ctx.reply(executor.runningTasks()); return;
        case 'taskexecutor.heartbeat-tick': link.heartbeat(); return;
        case 'taskexecutor.watch-jobmanager': ctx.watch(msg.ref); return;
        case 'actor.terminated': link.lost(`the JobManager ${msg.reason === 'connection-lost' ? 'connection was lost' : msg.reason}`); return;
      }
    },
  });
}

/** Registration with the JobManager: connect, register, heartbeat, and reconnect after a loss. */
class JobManagerLink {
  private registered = false;
  private closed = false;
  private unanswered = 0;
  private reconnecting = false;
  private resourceManager: ActorRef<ClusterResourceManagerMessage> | undefined;
  /** The JobManager's system address once connected. */
  jobManagerAddress: string | undefined;
  /** The `host:port` registered with last (or being tried). */
  target = '';
  self!: ActorRef<TaskExecutorMessage | LocalMessage>;

  constructor(
    private readonly system: ActorSystem,
    private readonly executor: () => TaskExecutor,
    private readonly options: { id: string; jobmanager: () => Promise<{ host: string; port: number }>; slots: number; secret?: string; clock: Clock },
    readonly heartbeatIntervalMs: number,
  ) {}

  /** Connects and registers once; rejects on failure. */
  async register(): Promise<void> {
    const { secret, id, slots } = this.options;
    const { host, port } = await this.options.jobmanager();
    this.target = `${host}:${port}`;
    const address = await this.system.connect(host, port, secret !== undefined ? { secret } : {});
    this.jobManagerAddress = address;
    const rm = this.system.resolve(`${address}/user/jobmanager/resourcemanager`) as ActorRef<ClusterResourceManagerMessage>;
    await rm.ask({ type: 'resourcemanager.register-remote', taskManagerId: id, address: this.system.address!, slots, ref: this.self }, 10_000);
    this.resourceManager = rm;
    this.registered = true;
    this.unanswered = 0;
    this.self.tell({ type: 'taskexecutor.watch-jobmanager', ref: rm });
  }

  /** Registers, retrying with backoff until `deadline` (epoch ms). */
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
   * heartbeats for ten intervals (at least 10 s) count as a lost JobManager.
   */
  heartbeat(): void {
    if (!this.registered || this.closed) return;
    const rm = this.resourceManager!;
    const timeout = Math.max(10_000, this.heartbeatIntervalMs * 10);
    rm.ask<{ known: boolean }>({ type: 'resourcemanager.heartbeat', taskManagerId: this.options.id }, timeout).then((reply) => {
      this.unanswered = 0;
      if (!reply.known && rm === this.resourceManager) this.lost('the JobManager declared this TaskManager lost');
    }, () => {
      if (rm === this.resourceManager && ++this.unanswered * this.heartbeatIntervalMs >= timeout) this.lost('the JobManager does not answer heartbeats');
    });
  }

  /** The JobManager is gone: cancel every subtask, then reconnect and register again. */
  lost(_reason: string): void {
    if (this.closed || !this.registered) return;
    this.registered = false;
    void this.executor().cancelAll();
    void this.reconnect();
  }

  close(): void { this.closed = true; }

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

/** Parses `host:port`. */
function parseHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--jobmanager must be HOST:PORT, got "${value}"`);
  return { host: value.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/** Starts a TaskManager in this process; resolves once it is registered with the JobManager. */
export async function startTaskManager(options: TaskManagerOptions): Promise<RunningTaskManager> {
  if ((options.jobmanager === undefined) === (options.haStorage === undefined)) {
    throw new Error('a TaskManager needs either the JobManager address or the HA store, not both');
  }
  const fixed = options.jobmanager !== undefined ? parseHostPort(options.jobmanager) : undefined;
  let haKv: VersionedKvStore | undefined;
  const jobmanager = async (): Promise<{ host: string; port: number }> => {
    if (fixed) return fixed;
    haKv ??= await openHaStore(options.haStorage!);
    const leader = await findLeader(haKv);
    if (leader === undefined) throw new Error(`no JobManager leads in the HA store ${options.haStorage} now`);
    return parseHostPort(leader);
  };
  if (!(Number.isInteger(options.slots) && options.slots >= 1)) throw new Error(`a TaskManager needs at least one slot, got ${options.slots}`);
  const id = options.id ?? `taskmanager-${randomBytes(4).toString('hex')}`;
  const clock = systemClock;
  const system = ActorSystem.create(id, { clock });
  const secret = options.secret;
  try {
    await system.listen(0, { host: options.host ?? '127.0.0.1', ...(secret !== undefined ? { secret } : {}) });
  } catch (error) {
    await system.terminate();
    throw new Error(`TaskManager ${id} cannot listen: ${(error as Error).message}`, { cause: error });
  }
  let executor!: TaskExecutor;
  const link = new JobManagerLink(system, () => executor, {
    id, jobmanager, slots: options.slots, clock, ...(secret !== undefined ? { secret } : {}),
  }, options.heartbeatIntervalMs ?? 1000);
  executor = new TaskExecutor({
    system, clock,
    fetchBundle: async (key) => {
      const jm = system.resolve(`${link.jobManagerAddress}/user/jobmanager`) as ActorRef<JobManagerMessage>;
      const bytes = await jm.ask<Uint8Array | null>({ type: 'jobmanager.fetch-blob', key }, 60_000);
      if (!bytes) throw new Error(`the JobManager has no job bundle ${key}`);
      return bytes;
    },
  });
  link.self = system.spawn(taskExecutorBehavior(executor, link), 'taskmanager');
  try {
    await link.registerWithin(options.registrationTimeoutMs ?? 30_000);
  } catch (error) {
    link.close();
    await system.terminate();
    haKv?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const stop = (abrupt: boolean): Promise<void> => {
    closing ??= (async () => {
      link.close();
      if (abrupt) await system.terminate();
      await executor.cancelAll().catch(() => {});
      await system.terminate();
      haKv?.close();
    })();
    return closing;
  };
  return {
    id, address: system.address!, jobmanager: link.target, close: () => stop(false), kill: () => stop(true),
    attachPeerPort: (peerAddress, port) => DataPlane.of(system).attachPort(peerAddress, port),
  };
}
