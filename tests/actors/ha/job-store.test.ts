// JobStore: jobs and bundles survive in the KV file a new leader opens; terminal jobs are not
// recovered; writes with an epoch are fenced by the leader lease in the same KV.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import { FencedOffError } from '../../../actors/ha/checkpoint-fence.ts';
import { JobStore, type StoredJob } from '../../../actors/ha/job-store.ts';
import { JOBMANAGER_LEASE_KEY } from '../../../actors/ha/leader-lease.ts';

test('a second store on the same KV file sees the jobs, their bundles and statuses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'actorflow-jobstore-'));
  const path = join(dir, 'ha.kv');
  try {
    const kv1 = await openKvStore(path);
    const store = new JobStore(kv1);
    const bundle = new Uint8Array(200_000).map((_, i) => i % 251);
    await store.add({ jobId: 'a', name: 'first', bundleKey: 'k1', options: { name: 'first', parallelism: 2 }, submittedAt: 1, status: 'RUNNING' }, bundle);
    await store.add({ jobId: 'b', name: 'second', bundleKey: 'k2', options: { name: 'second' }, submittedAt: 2, status: 'RUNNING' }, new Uint8Array([1, 2, 3]));
    await store.setStatus('b', 'FINISHED');
    await store.setStatus('unknown', 'FAILED');
    kv1.close();

    const kv2 = await openKvStore(path);
    const again = new JobStore(kv2);
    assert.equal((await again.list()).map((j) => [j.jobId, j.status]), [['a', 'RUNNING'], ['b', 'FINISHED']]);
    assert.equal((await again.recoverable()).map((j) => j.jobId), ['a']);
    assert.equal((await again.get('a'))?.options, { name: 'first', parallelism: 2 });
    assert.equal(await again.bundle('k1'), bundle);
    assert.is(await again.bundle('nope'), undefined);
    kv2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function refusal(write: Promise<unknown>): Promise<Error> {
  try { await write; } catch (error) { return error as Error; }
  throw new Error('the write was not refused');
}

test('once the lease names a newer epoch, a deposed leader can neither add a job nor change one the new leader has not claimed', async () => {
  const kv = await openKvStore();
  try {
    const store = new JobStore(kv);
    const job = (jobId: string, epoch: number): StoredJob => ({ jobId, name: jobId, bundleKey: `k-${jobId}`, options: { name: jobId }, submittedAt: 1, status: 'RUNNING', epoch });
    const lease = (epoch: number) => kv.set(JOBMANAGER_LEASE_KEY, { leaderId: `jm-${epoch}`, address: 'x:1', expiresAt: 0, epoch });
    const bigBundle = new Uint8Array(150_000).fill(9);
    await lease(1);
    await store.add(job('a', 1), bigBundle);
    assert.equal(await store.bundle('k-a'), bigBundle);

    // Epoch 2 took the lease; the deposed leader (epoch 1) has not noticed and still writes.
    await lease(2);
    const added = await refusal(store.add(job('b', 1), bigBundle));
    assert.instance(added, FencedOffError);
    assert.match(added.message, /recording the job of job b was refused: .*epoch 1.* superseded by epoch 2/);
    assert.is(await store.get('b'), undefined);
    assert.is(await store.bundle('k-b'), undefined, 'nor its bundle');
    // Job a is still of epoch 1 (the new leader has not claimed it yet): its end is refused all the same.
    assert.instance(await refusal(store.setStatus('a', 'CANCELED', 1)), FencedOffError);
    assert.instance(await refusal(store.claim('a', 1)), FencedOffError);
    assert.is((await store.get('a'))?.status, 'RUNNING');
    assert.equal((await store.recoverable()).map((j) => j.jobId), ['a'], 'the new leader recovers it');

    await store.claim('a', 2);
    await store.add(job('c', 2), new Uint8Array([1]));
    await store.setStatus('a', 'FINISHED', 2);
    assert.equal((await store.list()).map((j) => [j.jobId, j.status, j.epoch]), [['a', 'FINISHED', 2], ['c', 'RUNNING', 2]]);
  } finally {
    kv.close();
  }
});

test.run();
