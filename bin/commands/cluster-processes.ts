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

/** `jobmanager [--port 6123] [--rest-port 8081] [--host H] [--data-dir D]` */
export async function jobManagerCommand(options: { port: number; restPort: number; host?: string; dataDir?: string }): Promise<number> {
  const jm = await startJobManager({ port: options.port, restPort: options.restPort, host: options.host, dataDir: options.dataDir });
  console.log(`JobManager listening on ${jm.rpcAddress}, REST at ${jm.restUrl}`);
  const signal = await untilSignal();
  console.error(`JobManager: ${signal}, shutting down`);
  await jm.close();
  return 0;
}

/** `taskmanager --jobmanager HOST:PORT [--slots N] [--host H]` */
export async function taskManagerCommand(options: { jobmanager: string; slots: number; host?: string }): Promise<number> {
  parseHostPort(options.jobmanager);
  const tm = await startTaskManager({ jobmanager: options.jobmanager, slots: options.slots, host: options.host });
  console.log(`TaskManager ${tm.id} registered with ${options.jobmanager} (${options.slots} slots)`);
  const signal = await untilSignal();
  console.error(`TaskManager ${tm.id}: ${signal}, shutting down`);
  await tm.close();
  return 0;
}
