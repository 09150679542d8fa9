// startTaskManager: a TaskManager process (Flink's TaskExecutor). An actor system listening on an
// ephemeral port (peers open data channels to it) runs the task executor actor
// `/user/taskmanager`, which routes the JobManager's commands to a TaskExecutor. The process
// registers with the JobManager's ResourceManager (its id, address and slots), heartbeats to it,
// and watches it: when the JobManager connection is lost it cancels its subtasks and reconnects
// and registers again with backoff. Started with an HA store instead of an address, it looks the
// leader up in the store before every registration, so that it follows a standby that took over.
// Every command of the JobManager carries the epoch of its leadership: the task executor actor
// refuses one older than the newest epoch seen (a deposed JobManager that still runs), and a
// newer epoch releases the jobs older ones deployed (EpochFence, JobManagerLink).
// It logs such refusals through the project logger and prints nothing (the CLI prints the ready line).
// Its partition service actor (`/user/batchpartitions`) streams the batch partitions it holds to
// the other TaskManagers (partition-service.ts).
// Given a ProcessEnvironment (a simulation), it runs on that clock, network, HA store and job source.
//
//   const tm = await startTaskManager({ jobmanager: '127.0.0.1:6123', slots: 2 });
//   ...
//   await tm.close();
//
// Imports actors/core and actors/cluster.
import { randomBytes } from 'node:crypto';
import { hexOf, type ProcessEnvironment } from './process-environment.ts';
import { systemClock } from '../../api/time/clock.ts';
import { ActorSystem, defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import type { VersionedKvStore } from '../../state/kv/kv-store.ts';
import { DataPlane } from '../network/data/data-plane.ts';
import type { DataPort } from '../network/data/port-link.ts';
import { openHaStore } from '../ha/ha-store.ts';
import { currentLeader } from '../ha/leader-lease.ts';
import type { SourceSplit } from '../../api/sources/source.ts';
import type { JobManagerMessage, TaskExecutorCommand, TaskExecutorMessage } from './cluster-messages.protocol.ts';
import { EpochFence } from './epoch-fence.ts';
import { JobManagerLink, type JobManagerLocation } from './job-manager-link.ts';
import { errorChain, TaskExecutor } from './task-executor.ts';
import { PARTITION_SERVICE } from './batch-messages.protocol.ts';
import { partitionServiceBehavior } from './partition-service.ts';
import { logger } from '../observability/logger.ts';

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
  /** Where refused commands of a deposed JobManager are reported (default: the log, at warn). */
  readonly log?: (message: string) => void;
  /** Runs on this clock, network, HA store and job source (a simulation). */
  readonly environment?: ProcessEnvironment;
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

/** What a command is about, for a refusal. */
function describe(msg: TaskExecutorCommand): string {
  const id = 'id' in msg ? msg.id : msg.type === 'taskexecutor.deploy' || msg.type === 'taskexecutor.deploy-slice' ? msg.descriptor : undefined;
  if (id !== undefined && 'stage' in id) return `${msg.type} (job ${id.jobId} stage ${id.stage} slice ${id.slice} attempt ${id.attempt})`;
  return `${msg.type} (${id ? `job ${id.jobId} attempt ${id.attempt} subtask ${id.vertex}/${id.subtask}` : `job ${(msg as { jobId: string }).jobId}`})`;
}

/** The task executor actor: routes the JobManager's commands that pass the fence to the TaskExecutor. */
function taskExecutorBehavior(executor: TaskExecutor, link: JobManagerLink, fence: EpochFence): ActorBehavior<null, TaskExecutorMessage | LocalMessage> {
  return defineActor<null, TaskExecutorMessage | LocalMessage>({
    init(ctx) {
      ctx.scheduleRepeatedly(link.heartbeatIntervalMs, { type: 'taskexecutor.heartbeat-tick' });
      return null;
    },
    receive(_state, msg, ctx) {
      switch (msg.type) {
        case 'taskexecutor.list-subtasks': ctx.reply(executor.runningTasks()); return;
        // A malformed limit lists every actor rather than throwing (a throw would stop this actor).
        case 'taskexecutor.actor-tree': ctx.reply(ctx.system.snapshot(Number(msg.maxActors) >= 0 ? { maxActors: Number(msg.maxActors) } : {})); return;
        case 'taskexecutor.heartbeat-tick': link.heartbeat(); executor.reportMetrics(); return;
        case 'taskexecutor.watch-jobmanager': ctx.watch(msg.ref); return;
        case 'actor.terminated':
          link.lost(`the JobManager ${msg.reason === 'connection-lost' ? 'connection was lost' : msg.reason}`, msg.ref as ActorRef);
          return;
      }
      if (!fence.admit(describe(msg), msg.epoch)) {
        // As Flink fails the RPC: the deposed JobMaster learns its deployment did not happen.
        if (msg.type === 'taskexecutor.deploy') {
          const { descriptor: d } = msg;
          (ctx.system.resolve(d.jobMaster) as ActorRef).tell({
            type: 'jobmaster.task-state', id: { jobId: d.jobId, attempt: d.attempt, vertex: d.vertex, subtask: d.subtask }, state: 'failed',
            error: `the TaskManager refused the deployment: the JobManager of epoch ${fence.highest} leads now, not this one (epoch ${msg.epoch ?? 0})`,
          });
        }
        return;
      }
      switch (msg.type) {
        case 'taskexecutor.deploy': executor.deploy(msg.descriptor, msg.epoch ?? 0); return;
        case 'taskexecutor.cancel-task': executor.cancel(msg.id); return;
        case 'taskexecutor.add-splits': executor.addSplits(msg.id, msg.splits as SourceSplit[]); return;
        case 'taskexecutor.no-more-splits': executor.notifyNoMoreSplits(msg.id); return;
        case 'taskexecutor.trigger-checkpoint': executor.triggerCheckpoint(msg.id, msg.barrier); return;
        case 'taskexecutor.checkpoint-complete': executor.checkpointComplete(msg.id, msg.checkpointId); return;
        case 'taskexecutor.checkpoint-aborted': executor.checkpointAborted(msg.id, msg.checkpointId); return;
        case 'taskexecutor.release-job': void executor.releaseJob(msg.jobId); return;
        case 'taskexecutor.deploy-slice': executor.deploySlice(msg.descriptor, msg.epoch ?? 0); return;
        case 'taskexecutor.cancel-slice': executor.batch.cancel(msg.id); return;
        case 'taskexecutor.slice-add-splits': executor.batch.addSplits(msg.id, msg.vertex, msg.splits as SourceSplit[]); return;
        case 'taskexecutor.slice-no-more-splits': executor.batch.notifyNoMoreSplits(msg.id, msg.vertex); return;
      }
    },
  });
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
  const environment = options.environment;
  const clock = environment?.clock ?? systemClock;
  let haKv: VersionedKvStore | undefined = environment?.haStore;
  const jobmanager = async (): Promise<JobManagerLocation> => {
    if (fixed) return fixed;
    haKv ??= await openHaStore(options.haStorage!);
    const leader = await currentLeader(haKv, clock.now());
    if (leader === undefined) throw new Error(`no JobManager leads in the HA store ${options.haStorage} now`);
    return { ...parseHostPort(leader.address), epoch: leader.epoch };
  };
  const leaderEpoch = async (): Promise<number | undefined> => {
    haKv ??= await openHaStore(options.haStorage!);
    return (await currentLeader(haKv, clock.now()))?.epoch;
  };
  if (!(Number.isInteger(options.slots) && options.slots >= 1)) throw new Error(`a TaskManager needs at least one slot, got ${options.slots}`);
  const id = options.id ?? `taskmanager-${hexOf(environment?.randomBytes(4) ?? randomBytes(4))}`;
  const system = ActorSystem.create(id, { clock, ...(environment?.host ? { host: environment.host } : {}) });
  if (environment) system.remoteTransport().useNetwork(environment.network, { clock });
  const secret = options.secret;
  try {
    await system.listen(0, { host: options.host ?? '127.0.0.1', ...(secret !== undefined ? { secret } : {}) });
  } catch (error) {
    await system.terminate();
    throw new Error(`TaskManager ${id} cannot listen: ${(error as Error).message}`, { cause: error });
  }
  let executor!: TaskExecutor;
  const tmLog = logger('taskmanager', { taskManagerId: id });
  const log = options.log ?? ((message: string) => tmLog.warn(message));
  const fence = new EpochFence({
    onNewerEpoch: (epoch, previous) => {
      void executor.releaseJobsBefore(epoch).catch((error: unknown) => log(`TaskManager ${id}: releasing the jobs of JobManager epoch ${previous} failed: ${errorChain(error)}`));
    },
    onRefused: (message) => log(`TaskManager ${id} ${message}`),
  });
  const link = new JobManagerLink(system, () => executor, {
    id, jobmanager, slots: options.slots, clock, fence,
    ...(environment?.processMetrics ? { processMetrics: environment.processMetrics } : {}),
    ...(options.haStorage !== undefined ? { leaderEpoch } : {}),
    ...(secret !== undefined ? { secret } : {}),
  }, options.heartbeatIntervalMs ?? 1000);
  executor = new TaskExecutor({
    system, clock,
    ...(environment?.host ? { host: environment.host } : {}),
    ...(environment?.jobs ? { jobs: environment.jobs } : {}),
    fetchBundle: async (key) => {
      const jm = system.resolve(`${link.jobManagerAddress}/user/jobmanager`) as ActorRef<JobManagerMessage>;
      const bytes = await jm.ask<Uint8Array | null>({ type: 'jobmanager.fetch-blob', key }, 60_000);
      if (!bytes) throw new Error(`the JobManager has no job bundle ${key}`);
      return bytes;
    },
  });
  link.self = system.spawn(taskExecutorBehavior(executor, link, fence), 'taskmanager');
  // Other TaskManagers fetch the batch partitions of this one from it.
  system.spawn(partitionServiceBehavior(executor.batch.partitions), PARTITION_SERVICE);
  try {
    await link.registerWithin(options.registrationTimeoutMs ?? 30_000);
  } catch (error) {
    link.close();
    await system.terminate();
    if (!environment?.haStore) haKv?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const stop = (abrupt: boolean): Promise<void> => {
    closing ??= (async () => {
      link.close();
      if (abrupt) await system.terminate();
      await executor.cancelAll().catch(() => {});
      await system.terminate();
      if (!environment?.haStore) haKv?.close();
    })();
    return closing;
  };
  return {
    id, address: system.address!, jobmanager: link.target, close: () => stop(false), kill: () => stop(true),
    attachPeerPort: (peerAddress, port) => DataPlane.of(system).attachPort(peerAddress, port),
  };
}
