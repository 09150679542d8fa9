// `actorflow jobmanager` and `actorflow taskmanager`: start a cluster process's roles, print the
// ready line, and run until SIGINT or SIGTERM, then shut down cleanly. Each resolves with the exit
// code once the process has stopped. Imports the JobManager and TaskManager process starters.
import { startJobManager } from '../../actors/cluster/job-manager-process.ts';
import { startTaskManager } from '../../actors/cluster/task-manager-process.ts';
import { parseHostPort } from './cluster-client.ts';

/** Resolves with the first of SIGINT / SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => (): void => { process.off('SIGINT', int); process.off('SIGTERM', term); resolve(signal); };
    const int = on('SIGINT'), term = on('SIGTERM');
    process.once('SIGINT', int);
    process.once('SIGTERM', term);
  });
}

/** `jobmanager [--port 6123] [--rest-port 8081] [--host H] [--rest-host H] [--max-bundle-mb 64] [--data-dir D] [--ha-storage S [--ha-lease-ms MS]] [--slot-request-timeout MS]` */
export async function jobManagerCommand(options: {
  port: number; restPort: number; host?: string; restHost?: string; maxBundleMb?: number; dataDir?: string; haStorage?: string; haLeaseMs?: number; slotRequestTimeout?: number;
}): Promise<number> {
  const ha = options.haStorage !== undefined ? { storage: options.haStorage, ...(options.haLeaseMs !== undefined ? { leaseMs: options.haLeaseMs } : {}) } : undefined;
  const jm = await startJobManager({
    port: options.port, restPort: options.restPort, host: options.host, dataDir: options.dataDir, ...(ha ? { ha } : {}),
    ...(options.restHost !== undefined ? { restHost: options.restHost } : {}),
    ...(options.maxBundleMb !== undefined ? { maxBundleBytes: options.maxBundleMb * 1024 * 1024 } : {}),
    ...(options.slotRequestTimeout !== undefined ? { slotRequestTimeoutMs: options.slotRequestTimeout } : {}),
  });
  console.log(`JobManager listening on ${jm.rpcAddress}, REST at ${jm.restUrl}`);
  if (ha) {
    console.log(`JobManager ${jm.rpcAddress} stands by for leadership (HA store ${ha.storage})`);
    void jm.leading.then(() => console.log(`JobManager ${jm.rpcAddress} is the leader`));
  }
  const outcome = await Promise.race([untilSignal(), jm.leadershipLost.then((reason) => ({ lost: reason }))]);
  if (typeof outcome === 'string') {
    console.error(`JobManager: ${outcome}, shutting down`);
    await jm.close();
    return 0;
  }
  // A JobManager that lost the lease while running cannot tell what the new leader did meanwhile:
  // it stops (its jobs were suspended, not ended) and a supervisor may start it again as a standby.
  console.error(`JobManager ${jm.rpcAddress} lost its leadership: ${outcome.lost}; shutting down`);
  await jm.close();
  return 1;
}

/** `taskmanager (--jobmanager HOST:PORT | --ha-storage S) [--slots N] [--host H]` */
export async function taskManagerCommand(options: { jobmanager?: string; haStorage?: string; slots: number; host?: string }): Promise<number> {
  if (options.jobmanager !== undefined) parseHostPort(options.jobmanager);
  const tm = await startTaskManager({
    ...(options.jobmanager !== undefined ? { jobmanager: options.jobmanager } : { haStorage: options.haStorage! }),
    slots: options.slots, host: options.host,
  });
  console.log(`TaskManager ${tm.id} registered with ${tm.jobmanager} (${options.slots} slots)`);
  const signal = await untilSignal();
  console.error(`TaskManager ${tm.id}: ${signal}, shutting down`);
  await tm.close();
  return 0;
}
