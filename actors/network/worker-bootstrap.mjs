// Entry of every worker thread: on Node, registers the TypeScript loader first when the module
// named in workerData.entry is TypeScript (worker threads do not inherit it), then imports it. The
// installed package's compiled JavaScript needs no loader.
//
// Messages the parent posts before the module listens are held here and handed, in order, to the
// first 'message' listener it registers on parentPort: Deno drops a message that reaches
// parentPort while nobody listens, and loading the module (compiling it, on a cold cache) takes
// long enough for the parent's first messages to arrive in that window.
import { parentPort, workerData } from 'node:worker_threads';

if (parentPort) holdEarlyMessages(parentPort);

if (typeof globalThis.Deno === 'undefined' && /\.[cm]?tsx?$/.test(workerData.entry)) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);

function holdEarlyMessages(port) {
  const early = [];
  const hold = (message) => early.push(message);
  port.on('message', hold);
  const patched = ['on', 'addListener', 'once'];
  const own = patched.map((name) => [name, Object.getOwnPropertyDescriptor(port, name)]);
  for (const method of patched) {
    const original = port[method];
    port[method] = function (event, listener) {
      const result = original.call(this, event, listener);
      if (event === 'message') {
        for (const [name, descriptor] of own) {
          if (descriptor) Object.defineProperty(port, name, descriptor);
          else delete port[name];
        }
        port.off('message', hold);
        // Before any later message: those arrive as tasks, after this microtask.
        queueMicrotask(() => { for (const message of early.splice(0)) listener(message); });
      }
      return result;
    };
  }
}
