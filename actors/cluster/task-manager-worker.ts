// Entry of a TaskManager worker thread of a LocalCluster: starts a TaskManager that registers
// with the JobManager named in workerData, tells the parent when it registered (with its address),
// takes the MessagePorts the parent hands it for its data channels to the other TaskManager
// threads, and closes on the parent's `close` message. Imports actors/cluster.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { startTaskManager } from './task-manager-process.ts';

const { jobmanager, slots } = (workerData as { data: { jobmanager: string; slots: number } }).data;
try {
  const taskManager = await startTaskManager({ jobmanager, slots });
  parentPort!.on('message', (msg: { type?: string; address?: string; port?: MessagePort }) => {
    if (msg?.type === 'peer-port') {
      taskManager.attachPeerPort(msg.address!, msg.port!);
      parentPort!.postMessage({ type: 'peer-port-attached', address: msg.address });
      return;
    }
    if (msg?.type !== 'close') return;
    void taskManager.close().finally(() => parentPort!.close());
  });
  parentPort!.postMessage({ type: 'registered', id: taskManager.id, address: taskManager.address });
} catch (error) {
  parentPort!.postMessage({ type: 'failed', error: (error as Error)?.message ?? String(error) });
}
