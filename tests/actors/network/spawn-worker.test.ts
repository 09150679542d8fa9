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

test.run();
