// startJobManager: a JobManager process (Flink's standalone JobManager). An actor system named
// `jobmanager` listens on the RPC port (authenticated with ACTORFLOW_CLUSTER_SECRET or the given
// secret; loopback only without one); its top actor `/user/jobmanager` supervises the
// ResourceManager (TaskManager registry, heartbeats, failure detection) and the Dispatcher (one
// JobMaster actor per job, deploying onto TaskManager processes), answers `jobmanager.info` with
// the REST URL and serves job bundles from the blob store to TaskManagers. The ClusterService over
// all of it is served by the REST server on the REST port, which with a cluster secret answers
// only requests bearing the token derived from it, and without one binds loopback only.
//
// With `ha`, several JobManagers share an HA store (a directory every one of them reaches, or a
// KV Connect URL) and race for the leader lease in it. The leader publishes its RPC address
// there (TaskManagers started with the same store find it), records the jobs it accepts, and
// stops its jobs without ending them when it loses the lease or shuts down; a standby answers
// REST but refuses submissions until it wins the lease, then recovers every job that had not
// ended from its latest completed checkpoint. The lease's epoch is the fencing token: every
// command to a TaskManager carries it, and the leader's job statuses and checkpoint completions
// are fenced by it in the HA store, so that a deposed leader that still runs changes nothing.
// Given a ProcessEnvironment (a simulation), it runs on that clock, network, HA store and job
// source instead, and serves no REST (the ClusterService is called in-process).
//
//   const jm = await startJobManager({ port: 6123, restPort: 8081 });
//   // TaskManagers: startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 })
//   const jobId = await jm.service.submitJob(await bundleJob('job.ts'), { name: 'job' });
//   await jm.close();
//
// Imports actors/core, actors/deploy, actors/rest, actors/runtime and actors/cluster.
import { randomBytes } from 'node:crypto';
import { hexOf, type ProcessEnvironment } from './process-environment.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../api/time/clock.ts';
import { ActorSystem, defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import { BlobStore } from '../deploy/blob-store.ts';
import { CheckpointFence } from '../ha/checkpoint-fence.ts';
import { JobStore } from '../ha/job-store.ts';
import { findLeader, isRemoteHaStore, openHaStore } from '../ha/ha-store.ts';
import { LeaderLease } from '../ha/leader-lease.ts';
import type { VersionedKvStore } from '../../state/kv/kv-store.ts';
import type { ClusterService } from '../rest/cluster-service.ts';
import { clusterSecretOf } from '../rest/rest-auth.ts';
import { DEFAULT_MAX_BUNDLE_BYTES, startRestServer } from '../rest/rest-server.ts';
import { dispatcherBehavior, JobGraphStore } from '../runtime/cluster-actors.ts';
import type { DispatcherMessage } from '../runtime/cluster.protocol.ts';
import { Dispatcher } from '../runtime/dispatcher.ts';
import { ResourceManager } from '../runtime/resource-manager.ts';
import type { ClusterResourceManagerMessage, JobManagerMessage } from './cluster-messages.protocol.ts';
import { clusterResourceManagerBehavior } from './cluster-resource-manager.ts';
import { JobManagerService } from './job-manager-service.ts';
import { RemoteDeployer, type RemoteJobInfo } from './remote-deployer.ts';
import { clusterBatchDeployerFor } from './cluster-batch-deployer.ts';
import { errorFields, logger } from '../observability/logger.ts';

const log = logger('jobmanager');

/** How a JobManager process is started. */
export interface JobManagerOptions {
  /** The interface to bind RPC and REST to (default 127.0.0.1; others need a secret). */
  readonly host?: string;
  /** The RPC port TaskManagers and clients connect to (0 picks one). */
  readonly port: number;
  /** The REST port (0 picks one). */
  readonly restPort: number;
  /** The interface to serve REST on (default `host`; anything but loopback needs a secret). */
  readonly restHost?: string;
  /** The largest job bundle accepted over REST (default 64 MiB); larger ones are answered 413. */
  readonly maxBundleBytes?: number;
  /** The cluster secret (default env ACTORFLOW_CLUSTER_SECRET). */
  readonly secret?: string;
  /** Where bundles and default checkpoint storage live (default os.tmpdir()/actorflow-jobmanager-<port>). */
  readonly dataDir?: string;
  /** A TaskManager silent for this long is lost (default 10 s). */
  readonly heartbeatTimeoutMs?: number;
  /** How long a job waits for slots (default 5 min, Flink's slot request timeout). */
  readonly slotRequestTimeoutMs?: number;
  /** High availability: the leader lease and the jobs live in this shared store. */
  readonly ha?: HighAvailabilityOptions;
  /** Runs on this clock, network, HA store and job source, without a REST server (a simulation). */
  readonly environment?: ProcessEnvironment;
}

/** Where JobManager candidates share their lease and jobs. */
export interface HighAvailabilityOptions {
  /**
   * A directory every JobManager reaches (the lease and jobs in `ha.kv`; checkpoints of jobs that
   * name no storage and job bundles under it), or a KV Connect URL (the lease, the jobs with their
   * bundles, and checkpoints of jobs that name no storage).
   */
  readonly storage: string;
  /** How long the leader's lease lasts unrenewed: a standby takes over this long after a crash (default 15 s). */
  readonly leaseMs?: number;
  /**
   * The clock of the lease's renewals and expiry (default the system clock). Tests hold one still
   * to make a leader that stops renewing without noticing, as a paused process would.
   */
  readonly leaseClock?: Clock;
}

/** A running JobManager. */
export interface RunningJobManager {
  /** `host:port` of the RPC endpoint (what `--jobmanager` takes). */
  readonly rpcAddress: string;
  /** `http://host:port` of the REST API. */
  readonly restUrl: string;
  /** The ClusterService the REST API serves (in-process clients may call it directly). */
  readonly service: ClusterService;
  /** Its Dispatcher: the JobMasters of the jobs it runs (in-process observers such as a simulation read their status). */
  readonly dispatcher: Dispatcher;
  /** Where submitted bundles are kept (what TaskManagers fetch); its usage shows what submissions left. */
  readonly blobs: BlobStore;
  /** Cancels running jobs, stops the REST server and the actor system. */
  close(): Promise<void>;
  /** The cluster is shutting down: TaskManagers that go away from now on are expected (logged at info). */
  beginShutdown(): void;
  /** With HA: resolves when this JobManager first leads (recovered jobs have been resubmitted). */
  readonly leading: Promise<void>;
  /** With HA: resolves with the reason when this JobManager lost the leadership it held. */
  readonly leadershipLost: Promise<string>;
}

/**
 * Batches of this many records at most travel between subtasks. Across threads and processes
 * each batch is one message, whose fixed cost (a postMessage, a frame, a credit round) 512-record
 * batches paid often enough to cost W1 at parallelism 2 about a fifth of its throughput.
 */
const BATCH_SIZE = 2048;
/** Batches a receiving subtask buffers per channel. */
const CHANNEL_CREDITS = 8;

/** The top actor of a JobManager process: supervises the ResourceManager and the Dispatcher. */
function jobManagerProcessBehavior(
  children: { resourceManager: ActorBehavior<any, ClusterResourceManagerMessage>; dispatcher: ActorBehavior<any, DispatcherMessage> },
  spawned: (refs: { dispatcher: ActorRef<DispatcherMessage> }) => void,
  answers: { restUrl: () => string; blobs: BlobStore },
): ActorBehavior<null, JobManagerMessage> {
  return defineActor<null, JobManagerMessage>({
    init(ctx) {
      ctx.spawn(children.resourceManager, 'resourcemanager');
      spawned({ dispatcher: ctx.spawn(children.dispatcher, 'dispatcher') });
      return null;
    },
    async receive(_state, msg, ctx) {
      switch (msg.type) {
        case 'jobmanager.info': ctx.reply({ restUrl: answers.restUrl() }); return;
        case 'jobmanager.fetch-blob': {
          // null when unknown: the asking TaskManager fails the deployment with a clear error.
          ctx.reply((await answers.blobs.get(msg.key)) ?? null);
          return;
        }
      }
    },
    supervisorStrategy: { kind: 'one-for-one', maxRestarts: 3, withinMs: 60_000 },
  });
}

/** Starts a JobManager process's roles in this process; resolves once RPC and REST listen. */
export async function startJobManager(options: JobManagerOptions): Promise<RunningJobManager> {
  const host = options.host ?? '127.0.0.1';
  const restHost = options.restHost ?? host;
  const secret = clusterSecretOf(options.secret);
  const maxBundleBytes = options.maxBundleBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  // Bad options are refused before anything listens.
  if (options.slotRequestTimeoutMs !== undefined) ResourceManager.checkSlotRequestTimeout(options.slotRequestTimeoutMs);
  const environment = options.environment;
  const clock = environment?.clock ?? systemClock;
  const system = ActorSystem.create('jobmanager', { clock, ...(environment?.host ? { host: environment.host } : {}) });
  if (environment) system.remoteTransport().useNetwork(environment.network, { clock });
  let listened;
  try {
    listened = await system.listen(options.port, { host, ...(options.secret !== undefined ? { secret: options.secret } : {}) });
  } catch (error) {
    await system.terminate();
    throw new Error(`JobManager cannot listen on ${host}:${options.port}: ${(error as Error).message}`, { cause: error });
  }
  const ownHaStore = environment?.haStore === undefined;
  const haDir = options.ha !== undefined && ownHaStore && !isRemoteHaStore(options.ha.storage) ? options.ha.storage : undefined;
  const dataDir = options.dataDir ?? haDir ?? join(tmpdir(), `actorflow-jobmanager-${listened.port}`);
  const blobs = options.dataDir !== undefined || haDir !== undefined ? BlobStore.inDirectory(join(dataDir, 'blobs')) : BlobStore.inMemory();
  let haKv: VersionedKvStore | undefined;
  if (options.ha) {
    try {
      haKv = environment?.haStore ?? await openHaStore(options.ha.storage);
    } catch (error) {
      await system.terminate();
      throw new Error(`JobManager cannot open the HA store ${options.ha.storage}: ${(error as Error).message}`, { cause: error });
    }
  }
  const jobStore = haKv ? new JobStore(haKv) : undefined;
  let lease: LeaderLease | undefined;
  /** The epoch of this JobManager's leadership, sent with its commands and its HA writes (0 without HA). */
  const fencingToken = (): number => lease?.fencingToken ?? 0;
  /** With HA: whether this JobManager leads now (without HA it always does). */
  let leads = options.ha === undefined;
  const resourceManager = new ResourceManager(clock, options.slotRequestTimeoutMs ?? 300_000, true);
  const jobInfos = new Map<string, Omit<RemoteJobInfo, 'resourceManager'>>();
  const dispatcher = new Dispatcher(resourceManager, {
    clock, batchSize: BATCH_SIZE, channelCredits: CHANNEL_CREDITS,
    createDeployer: (context) => {
      const info = jobInfos.get(context.jobId);
      if (!info) throw new Error(`job ${context.jobId} was not submitted through this JobManager`);
      return clusterBatchDeployerFor(context, { ...info, resourceManager }, (path) => system.resolve(path)) ?? new RemoteDeployer(context, { ...info, resourceManager });
    },
  });
  const store = new JobGraphStore();
  let restUrl = '';
  let currentDispatcher: ActorRef<DispatcherMessage> | undefined;
  await new Promise<void>((resolve) => {
    system.spawn(jobManagerProcessBehavior({
      resourceManager: clusterResourceManagerBehavior(resourceManager, { heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000, fencingToken }),
      dispatcher: dispatcherBehavior(dispatcher, store),
    }, (refs) => { currentDispatcher = refs.dispatcher; resolve(); }, { restUrl: () => restUrl, blobs }), 'jobmanager');
  });
  const service = new JobManagerService({
    dispatcher, dispatcherRef: () => currentDispatcher!, resourceManager, store, blobs, jobInfos, dataDir, maxBundleBytes, system,
    jobMasterPath: (jobId) => `${listened.address}/user/jobmanager/dispatcher/jobmaster-${jobId}`,
    ...(jobStore ? {
      ha: { jobs: jobStore, checkpoints: new CheckpointFence(haKv!), isLeader: () => leads, epoch: fencingToken, leader: () => findLeader(haKv!, clock.now()) },
    } : {}),
    // Machines that share no disk share the remote HA store: checkpoints go there too.
    ...(environment?.checkpointStorage !== undefined ? { checkpointStore: environment.checkpointStorage }
      : options.ha && ownHaStore && isRemoteHaStore(options.ha.storage) ? { checkpointStore: options.ha.storage } : {}),
    ...(environment?.jobs ? { jobs: environment.jobs } : {}),
    now: () => clock.now(),
    ...(environment?.host ? { random: environment.host.random } : {}),
  });
  let rest: { url: string; close(): Promise<void> };
  try {
    rest = environment
      ? { url: '', close: async () => {} }
      : await startRestServer(service, { host: restHost, port: options.restPort, maxBundleBytes, ...(secret !== undefined ? { secret } : {}) });
  } catch (error) {
    await system.terminate();
    haKv?.close();
    throw new Error(`JobManager cannot serve REST on ${restHost}:${options.restPort}: ${(error as Error).message}`, { cause: error });
  }
  restUrl = rest.url;
  const rpcAddress = `${listened.host}:${listened.port}`;

  let markLeading = (): void => {};
  let markLost = (_reason: string): void => {};
  const leading = new Promise<void>((resolve) => { markLeading = resolve; });
  const leadershipLost = new Promise<string>((resolve) => { markLost = resolve; });
  /** Stops this JobManager's jobs without ending them: their statuses stay open for the next leader. */
  const suspendJobs = async (): Promise<void> => {
    leads = false;
    await dispatcher.cancelAll().catch(() => {});
  };
  if (haKv && jobStore) {
    lease = new LeaderLease({
      kv: haKv, clock: options.ha!.leaseClock ?? clock, candidateId: `jobmanager-${rpcAddress}-${hexOf(environment?.randomBytes(4) ?? randomBytes(4))}`, address: rpcAddress,
      ...(options.ha!.leaseMs !== undefined ? { leaseMs: options.ha!.leaseMs } : {}),
      onGranted: (epoch) => {
        leads = true;
        log.info(`leadership granted (epoch ${epoch}): recovering the jobs that have not ended`, { epoch, rpcAddress });
        void (async () => {
          for (const job of await jobStore.recoverable()) {
            try {
              await service.recoverJob(job);
            } catch (error) {
              log.error(`job ${job.jobId} (${job.name}) cannot be recovered: ${(error as Error).message}`, { jobId: job.jobId, jobName: job.name, ...errorFields(error) });
              await jobStore.setStatus(job.jobId, 'FAILED', epoch).catch(() => {});
            }
          }
        })().catch((error: unknown) => log.error(`recovering jobs failed: ${(error as Error).message}`, errorFields(error))).finally(markLeading);
      },
      onRevoked: (epoch, why) => {
        if (why === 'released') { log.info(`leadership released (epoch ${epoch})`, { epoch }); return; }
        log.warn(`leadership lost (epoch ${epoch}): ${why === 'expired' ? 'the lease expired before it could be renewed' : 'another JobManager took the lease'}; suspending this JobManager's jobs`, { epoch, reason: why });
        void suspendJobs();
        markLost(why === 'expired' ? 'the leader lease expired before it could be renewed' : 'another JobManager took the leader lease');
      },
      onError: (error) => log.warn(`leader lease round failed: ${(error as Error).message}`, errorFields(error)),
    });
    lease.start();
  } else {
    markLeading();
  }

  let closing: Promise<void> | undefined;
  return {
    rpcAddress,
    restUrl: rest.url,
    service,
    dispatcher,
    blobs,
    leading,
    leadershipLost,
    beginShutdown: () => resourceManager.beginShutdown(),
    close: () => {
      resourceManager.beginShutdown();
      closing ??= (async () => {
        // With HA the jobs are suspended, not ended, before the lease is handed over.
        if (lease) await suspendJobs(); else await dispatcher.cancelAll().catch(() => {});
        await lease?.stop(true).catch(() => {});
        await rest.close();
        await system.terminate();
        if (ownHaStore) haKv?.close();
      })();
      return closing;
    },
  };
}
