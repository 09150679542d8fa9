// Entry of a TaskManager worker thread of a LocalCluster: starts a TaskManager that registers
// with the JobManager named in workerData, tells the parent when it registered, and closes on
// the parent's `close` message. Imports actors/cluster.
import { parentPort, workerData } from 'node:worker_threads';
import { startTaskManager } from './task-manager-process.ts';

const { jobmanager, slots } = (workerData as { data: { jobmanager: string; slots: number } }).data;
try {
  const taskManager = await startTaskManager({ jobmanager, slots });
  parentPort!.on('message', (msg: { type?: string }) => {
    if (msg?.type !== 'close') return;
    void taskManager.close().finally(() => parentPort!.close());
  });
  parentPort!.postMessage({ type: 'registered', id: taskManager.id });
} catch (error) {
  parentPort!.postMessage({ type: 'failed', error: (error as Error)?.message ?? String(error) });
}
