// createSimulatedCluster under the simulation kernel: the kernel's clock, PRNG, trace and turns
// drive the HA cluster; a keyed-count job with a TaskManager killed mid-run finishes exactly-once,
// also with the kernel's checkpoint storage failing writes for a while, and the same seed gives the
// same trace hash.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SimKernel } from '../../../testing/sim-kernel.ts';
import { SimRandom } from '../../../testing/sim-random.ts';
import { Trace } from '../../../testing/trace.ts';
import { SimStorage } from '../../../testing/sim-storage.ts';
import { CollectingStore, createSimulatedCluster, expectedKeyedCounts, keyedCountJob, multisetDifference } from '../../../testing/cluster/index.ts';
import { testSeed } from '../../support/random.ts';

const seed = testSeed('simulated-cluster-kernel');

/** One run under the kernel; returns the trace's hash and the committed records. */
async function runOnKernel(s: number, failingStorage = false): Promise<{ hash: string; committed: Array<[number, number]>; status: string; failedWrites: number }> {
  const kernel = new SimKernel(new SimRandom(s), new Trace());
  const storage = new SimStorage(kernel, kernel.random.fork());
  const cluster = createSimulatedCluster({
    clock: kernel.clock, random: () => kernel.random.next(), trace: (e) => kernel.note(e), turns: kernel.host, checkpointStore: storage,
  });
  const store = new CollectingStore<[number, number]>();
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => { kernel.clock.schedule(ms, resolve); });
  const status = await kernel.drive((async () => {
    await cluster.start();
    const jobId = await cluster.submit('keyed-count', keyedCountJob(store, { records: 1500, keys: 5, ratePerSecond: 500 }), { parallelism: 2 });
    await sleep(1500);
    if (failingStorage) {
      storage.failWrites(0.3);
      await sleep(1000);
      storage.failWrites(0);
    }
    cluster.kill('taskmanager-1');
    for (let waited = 0; waited < 60_000; waited += 50) {
      const job = await cluster.job(jobId);
      if (job && ['FINISHED', 'FAILED', 'CANCELED'].includes(job.status)) { await cluster.close(); return job.status; }
      await sleep(50);
    }
    return 'TIMEOUT';
  })());
  return { hash: kernel.trace.digest(), committed: store.committed, status, failedWrites: storage.failedWrites };
}

test('the cluster runs under the kernel: a TaskManager kill, exactly-once output, the same hash for the same seed', async () => {
  const first = await runOnKernel(seed);
  assert.is(first.status, 'FINISHED');
  assert.is(multisetDifference(first.committed, expectedKeyedCounts(1500, 5)), undefined, `seed ${seed}`);
  const second = await runOnKernel(seed);
  assert.is(second.hash, first.hash, `seed ${seed}: the same seed gives the same trace`);
  console.log(`trace ${first.hash.slice(0, 16)} (seed ${seed})`);
});

test('checkpoint writes failing for a while (the kernel\'s SimStorage) and a TaskManager kill: still exactly-once', async () => {
  const run = await runOnKernel(seed, true);
  assert.is(run.status, 'FINISHED');
  assert.ok(run.failedWrites > 0, 'some writes failed');
  assert.is(multisetDifference(run.committed, expectedKeyedCounts(1500, 5)), undefined, `seed ${seed}`);
});

test.run();
