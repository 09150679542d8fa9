import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnWorker } from '../../../actors/network/spawn-worker.ts';

test('a TypeScript worker thread receives transferred buffers and answers', async () => {
  const worker = spawnWorker(new URL('./fixtures/sum-worker.ts', import.meta.url), { tag: 'tm-1' });
  const values = Float64Array.from({ length: 1000 }, (_, i) => i);
  const answer = new Promise<{ sum: number; tag: string; receivedBytes: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  worker.postMessage({ buffer: values.buffer }, [values.buffer]);
  assert.is(values.byteLength, 0, 'the buffer was transferred, not copied');
  const reply = await answer;
  assert.equal(reply, { sum: (999 * 1000) / 2, tag: 'tm-1', receivedBytes: 8000 });
  await worker.terminate();
});

test('messages posted before the worker module listens reach its first listener, in order', async () => {
  const posted = new SharedArrayBuffer(4);
  const worker = spawnWorker(new URL('./fixtures/late-listener-worker.ts', import.meta.url), { posted });
  const echoes: unknown[] = [];
  const allEchoed = new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => { echoes.push(m); if (echoes.length === 3) resolve(); });
    worker.once('error', reject);
  });
  for (const n of [1, 2, 3]) worker.postMessage({ n });
  Atomics.store(new Int32Array(posted), 0, 1);
  Atomics.notify(new Int32Array(posted), 0);
  await allEchoed;
  assert.equal(echoes, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  await worker.terminate();
});

test.run();
