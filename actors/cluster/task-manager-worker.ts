// Entry of a TaskManager worker thread of a LocalCluster: starts a TaskManager that registers
// with the JobManager named in workerData, tells the parent when it registered (with its address),
// takes the MessagePorts the parent hands it for its data channels to the other TaskManager
// threads, and closes on the parent's `close` message: it stops the TaskManager, closes those
// ports (an open MessagePort keeps a thread alive) and ends the thread itself:
// on Node by closing parentPort (the event loop is then empty), on Deno, whose parentPort has no
// close and whose workers never end on their own, with the worker's global close(). The thread
// ends by returning rather than by being terminated: terminating it while native modules still
// tear down aborted the whole process now and then. Imports actors/cluster.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { startTaskManager } from './task-manager-process.ts';
import { configureLogging, type LogLevel } from '../observability/logger.ts';

const { jobmanager, slots, logLevel } = (workerData as { data: { jobmanager: string; slots: number; logLevel?: LogLevel } }).data;
// A thread has its own logger: it logs as a TaskManager, at the level of the process that started it.
configureLogging({ role: 'taskmanager', ...(logLevel !== undefined ? { level: logLevel } : {}) });
try {
  const taskManager = await startTaskManager({ jobmanager, slots });
  const peerPorts: MessagePort[] = [];
  parentPort!.on('message', (msg: { type?: string; address?: string; port?: MessagePort }) => {
    if (msg?.type === 'peer-port') {
      peerPorts.push(msg.port!);
      taskManager.attachPeerPort(msg.address!, msg.port!);
      parentPort!.postMessage({ type: 'peer-port-attached', address: msg.address });
      return;
    }
    if (msg?.type !== 'close') return;
    void taskManager.close()
      .catch((error: unknown) => parentPort!.postMessage({ type: 'close-failed', error: (error as Error)?.message ?? String(error) }))
      .finally(() => {
        for (const port of peerPorts) port.close();
        endThread();
      });
  });
  parentPort!.postMessage({ type: 'registered', id: taskManager.id, address: taskManager.address });
} catch (error) {
  parentPort!.postMessage({ type: 'failed', error: (error as Error)?.message ?? String(error) });
}

/** Ends this worker thread once nothing else is pending (see the header). */
function endThread(): void {
  const port = parentPort as unknown as { close?: () => void };
  if (typeof port.close === 'function') port.close();
  else (globalThis as { close?: () => void }).close?.();
}
