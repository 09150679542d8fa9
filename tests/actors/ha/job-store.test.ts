// JobStore: jobs and bundles survive in the KV file a new leader opens; terminal jobs are not
// recovered.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKvStore } from '../../../state/kv/kv-store.ts';
import { JobStore } from '../../../actors/ha/job-store.ts';

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

test.run();
