// Starts a TypeScript module in a worker thread on Node (through the loader bootstrap) and on
// Deno (natively), with the same node:worker_threads API on both. Imports node: built-ins only.
import { Worker } from 'node:worker_threads';

const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);

/** Runs `entry` (a module URL) in a new worker thread; `data` arrives as workerData.data. */
export function spawnWorker(entry: URL, data?: unknown): Worker {
  return new Worker(bootstrap, { workerData: { entry: entry.href, data } });
}
