// startJobManager: a JobManager process (Flink's standalone JobManager). An actor system named
// `jobmanager` listens on the RPC port (authenticated with ACTORFLOW_CLUSTER_SECRET or the given
// secret; loopback only without one); its top actor `/user/jobmanager` supervises the
// ResourceManager (TaskManager registry, heartbeats, failure detection) and the Dispatcher (one
// JobMaster actor per job, deploying onto TaskManager processes), answers `jobmanager.info` with
// the REST URL and serves job bundles from the blob store to TaskManagers. The ClusterService over
// all of it is served by the REST server on the REST port.
//
//   const jm = await startJobManager({ port: 6123, restPort: 8081 });
//   // TaskManagers: startTaskManager({ jobmanager: jm.rpcAddress, slots: 2 })
//   const jobId = await jm.service.submitJob(await bundleJob('job.ts'), { name: 'job' });
//   await jm.close();
//
// Imports actors/core, actors/deploy, actors/rest, actors/runtime and actors/cluster.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../api/time/clock.ts';
import { ActorSystem, defineActor, type ActorBehavior, type ActorRef } from '../index.ts';
import { BlobStore } from '../deploy/blob-store.ts';
import type { ClusterService } from '../rest/cluster-service.ts';
import { startRestServer } from '../rest/rest-server.ts';
import { dispatcherBehavior, JobGraphStore } from '../runtime/cluster-actors.ts';
import type { DispatcherMessage } from '../runtime/cluster.protocol.ts';
import { Dispatcher } from '../runtime/dispatcher.ts';
import { ResourceManager } from '../runtime/resource-manager.ts';
import type { ClusterResourceManagerMessage, JobManagerMessage } from './cluster-messages.protocol.ts';
import { clusterResourceManagerBehavior } from './cluster-resource-manager.ts';
import { JobManagerService } from './job-manager-service.ts';
import { RemoteDeployer, type RemoteJobInfo } from './remote-deployer.ts';

/** How a JobManager process is started. */
export interface JobManagerOptions {
  /** The interface to bind RPC and REST to (default 127.0.0.1; others need a secret). */
  readonly host?: string;
  /** The RPC port TaskManagers and clients connect to (0 picks one). */
  readonly port: number;
  /** The REST port (0 picks one). */
  readonly restPort: number;
  /** The cluster secret (default env ACTORFLOW_CLUSTER_SECRET). */
  readonly secret?: string;
  /** Where bundles and default checkpoint storage live (default os.tmpdir()/actorflow-jobmanager-<port>). */
  readonly dataDir?: string;
  /** A TaskManager silent for this long is lost (default 10 s). */
  readonly heartbeatTimeoutMs?: number;
  /** How long a job waits for slots (default 5 min, Flink's slot request timeout). */
  readonly slotRequestTimeoutMs?: number;
}

/** A running JobManager. */
export interface RunningJobManager {
  /** `host:port` of the RPC endpoint (what `--jobmanager` takes). */
  readonly rpcAddress: string;
  /** `http://host:port` of the REST API. */
  readonly restUrl: string;
  /** The ClusterService the REST API serves (in-process clients may call it directly). */
  readonly service: ClusterService;
  /** Cancels running jobs, stops the REST server and the actor system. */
  close(): Promise<void>;
}

/** Batches of this many records at most travel between subtasks. */
const BATCH_SIZE = 512;
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
  const clock = systemClock;
  const system = ActorSystem.create('jobmanager', { clock });
  let listened;
  try {
    listened = await system.listen(options.port, { host, ...(options.secret !== undefined ? { secret: options.secret } : {}) });
  } catch (error) {
    await system.terminate();
    throw new Error(`JobManager cannot listen on ${host}:${options.port}: ${(error as Error).message}`, { cause: error });
  }
  const dataDir = options.dataDir ?? join(tmpdir(), `actorflow-jobmanager-${listened.port}`);
  const blobs = options.dataDir !== undefined ? BlobStore.inDirectory(join(dataDir, 'blobs')) : BlobStore.inMemory();
  const resourceManager = new ResourceManager(clock, options.slotRequestTimeoutMs ?? 300_000, true);
  const jobInfos = new Map<string, Omit<RemoteJobInfo, 'resourceManager'>>();
  const dispatcher = new Dispatcher(resourceManager, {
    clock, batchSize: BATCH_SIZE, channelCredits: CHANNEL_CREDITS,
    createDeployer: (context) => {
      const info = jobInfos.get(context.jobId);
      if (!info) throw new Error(`job ${context.jobId} was not submitted through this JobManager`);
      return new RemoteDeployer(context, { ...info, resourceManager });
    },
  });
  const store = new JobGraphStore();
  let restUrl = '';
  let currentDispatcher: ActorRef<DispatcherMessage> | undefined;
  await new Promise<void>((resolve) => {
    system.spawn(jobManagerProcessBehavior({
      resourceManager: clusterResourceManagerBehavior(resourceManager, { heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 10_000 }),
      dispatcher: dispatcherBehavior(dispatcher, store),
    }, (refs) => { currentDispatcher = refs.dispatcher; resolve(); }, { restUrl: () => restUrl, blobs }), 'jobmanager');
  });
  const service = new JobManagerService({
    dispatcher, dispatcherRef: () => currentDispatcher!, resourceManager, store, blobs, jobInfos, dataDir,
    jobMasterPath: (jobId) => `${listened.address}/user/jobmanager/dispatcher/jobmaster-${jobId}`,
  });
  let rest;
  try {
    rest = await startRestServer(service, { host, port: options.restPort });
  } catch (error) {
    await system.terminate();
    throw new Error(`JobManager cannot serve REST on ${host}:${options.restPort}: ${(error as Error).message}`, { cause: error });
  }
  restUrl = rest.url;
  let closing: Promise<void> | undefined;
  return {
    rpcAddress: `${listened.host}:${listened.port}`,
    restUrl: rest.url,
    service,
    close: () => {
      closing ??= (async () => {
        await dispatcher.cancelAll().catch(() => {});
        await rest.close();
        await system.terminate();
      })();
      return closing;
    },
  };
}
