// Entry of every worker thread: on Node, registers the TypeScript loader first (worker threads
// do not inherit it), then imports the TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads';

if (typeof globalThis.Deno === 'undefined') {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
