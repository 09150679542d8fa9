// LocalCluster: Flink's local multi-core deployment: a JobManager in the calling thread and N
// TaskManagers in worker threads of this process, each with its own actor system, scheduler and
// event loop, connected over loopback exactly like the processes of a standalone cluster (jobs
// reach them as shipped bundles), except that the data channels between two TaskManager threads
// travel over a MessagePort pair as transferred buffers instead of TCP. This is how
// one machine's cores all work on one job. Imports actors/cluster and actors/network.
import { MessageChannel, type Worker } from 'node:worker_threads';
import { spawnWorker } from '../network/spawn-worker.ts';
import { currentLogLevel, logger } from '../observability/logger.ts';
import { startJobManager, type RunningJobManager } from './job-manager-process.ts';

/** How a local cluster is shaped. */
export interface LocalClusterOptions {
  /** TaskManagers, one worker thread each (default: 2). */
  readonly taskManagers?: number;
  /** Slots per TaskManager (default 1). */
  readonly slotsPerTaskManager?: number;
  /** Where the JobManager keeps blobs and default checkpoint storage. */
  readonly dataDir?: string;
  /** How long a job waits for slots before it fails (default 5 min, Flink's slot request timeout). */
  readonly slotRequestTimeoutMs?: number;
}

/** A running local cluster. */
export interface LocalCluster {
  readonly jobManager: RunningJobManager;
  /** Stops the TaskManager workers, then the JobManager. */
  close(): Promise<void>;
}

const log = logger('local-cluster');
const workerEntry = new URL('./task-manager-worker.ts', import.meta.url);

/** Starts the JobManager here and the TaskManagers in worker threads; resolves when all registered. */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const count = options.taskManagers ?? 2;
  const slots = options.slotsPerTaskManager ?? 1;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`a local cluster needs at least one TaskManager, got ${count}`);
  const jobManager = await startJobManager({ port: 0, restPort: 0, dataDir: options.dataDir, slotRequestTimeoutMs: options.slotRequestTimeoutMs });
  const workers: Worker[] = [];
  const addresses: string[] = [];
  try {
    await Promise.all(Array.from({ length: count }, (_, index) => {
      const worker = spawnWorker(workerEntry, { jobmanager: jobManager.rpcAddress, slots, logLevel: currentLogLevel() });
      workers.push(worker);
      return new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`a TaskManager worker exited with code ${code} before registering`)));
        worker.on('message', (msg: { type?: string; error?: string; address?: string }) => {
          if (msg?.type === 'registered') { addresses[index] = msg.address!; resolve(); }
          else if (msg?.type === 'failed') reject(new Error(`a TaskManager worker failed to start: ${msg.error}`));
        });
      });
    }));
    await connectPeers(workers, addresses);
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    await jobManager.close();
    throw error;
  }
  return {
    jobManager,
    async close(): Promise<void> {
      jobManager.beginShutdown();
      await Promise.all(workers.map((worker) => closeWorker(worker)));
      await jobManager.close();
    },
  };
}

/** How long a TaskManager thread may take to close before it is terminated as it is. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Asks a TaskManager thread to close (it ends itself then) and terminates it only if it did not
 * end within a grace period (stuck in user code); resolves when it exited.
 */
function closeWorker(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    worker.removeAllListeners('exit');
    const grace = setTimeout(() => {
      log.warn('a TaskManager thread did not close in time; terminating it', { graceMs: CLOSE_GRACE_MS });
      void worker.terminate();
    }, CLOSE_GRACE_MS);
    worker.once('exit', () => { clearTimeout(grace); resolve(); });
    worker.on('message', (msg: { type?: string; error?: string }) => {
      if (msg?.type === 'close-failed') log.warn('a TaskManager thread failed to close cleanly', { error: msg.error });
    });
    worker.postMessage({ type: 'close' });
  });
}

/**
 * Gives every pair of TaskManager threads a MessageChannel for their data channels (batches are
 * transferred, not sent over loopback TCP); resolves once every thread attached its ports.
 */
async function connectPeers(workers: Worker[], addresses: string[]): Promise<void> {
  const attached = workers.map((worker) => new Promise<void>((resolve) => {
    let expected = workers.length - 1;
    if (expected === 0) { resolve(); return; }
    const onMessage = (msg: { type?: string }): void => {
      if (msg?.type !== 'peer-port-attached' || --expected > 0) return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
  }));
  for (let i = 0; i < workers.length; i++) {
    for (let j = i + 1; j < workers.length; j++) {
      const { port1, port2 } = new MessageChannel();
      workers[i].postMessage({ type: 'peer-port', address: addresses[j], port: port1 }, [port1]);
      workers[j].postMessage({ type: 'peer-port', address: addresses[i], port: port2 }, [port2]);
    }
  }
  await Promise.all(attached);
}

