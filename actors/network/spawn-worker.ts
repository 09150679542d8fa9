// Starts a TypeScript module in a worker thread on Node (through the loader bootstrap) and on
// Deno (natively), with the same node:worker_threads API on both. Imports node: built-ins only.
import { Worker } from 'node:worker_threads';

const bootstrap = new URL('./worker-bootstrap.mjs', import.meta.url);

/** Whether this module runs compiled (the installed package's dist/) rather than from the sources. */
const compiled = import.meta.url.endsWith('.js');

/**
 * Runs `entry` (a module URL) in a new worker thread; `data` arrives as workerData.data. Callers
 * name the TypeScript source; compiled, the same module is the `.js` file beside it.
 */
export function spawnWorker(entry: URL, data?: unknown): Worker {
  const module = compiled ? entry.href.replace(/\.ts$/, '.js') : entry.href;
  return new Worker(bootstrap, { workerData: { entry: module, data } });
}
