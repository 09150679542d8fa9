// High availability over a KV Connect URL (machines that share no disk): the HA store opened
// from a URL by two JobManager candidates, each through its own client of the test server. The
// leader lease passes the same suite as over a KV file; jobs and their bundles survive in the
// server; and a leader deposed after its lease expired (ManualClock) can neither complete a
// checkpoint the new leader recovers from nor end a job the new leader claimed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import { CheckpointFence, FencedOffError } from '../../../actors/ha/checkpoint-fence.ts';
import { findLeader, isRemoteHaStore, openHaStore } from '../../../actors/ha/ha-store.ts';
import { JobStore, type StoredJob } from '../../../actors/ha/job-store.ts';
import { LeaderLease } from '../../../actors/ha/leader-lease.ts';
import type { VersionedKvStore } from '../../../state/kv/kv-store.ts';
import { kvConnectServers } from '../../support/kv-connect-server.ts';
import { runLeaderLeaseContract } from './leader-lease.contract.ts';

const servers = kvConnectServers('ha-store-test-token');
/** A server over a fresh database, closed after the last test. */
const server = servers.start;

/** Two clients of one fresh database, as two JobManager processes open it. */
async function sharedKv(): Promise<[VersionedKvStore, VersionedKvStore]> {
  const { url } = await server();
  assert.ok(isRemoteHaStore(url));
  return [await openHaStore(url), await openHaStore(url)];
}

runLeaderLeaseContract(test, sharedKv);

const job = (jobId: string, submittedAt: number, epoch?: number): StoredJob => ({
  jobId, name: `job ${jobId}`, bundleKey: `bundle-${jobId}`, options: { name: `job ${jobId}`, parallelism: 2 }, submittedAt, status: 'RUNNING',
  ...(epoch !== undefined ? { epoch } : {}),
});

test('jobs, their bundles and statuses written by one JobManager are read by another', async () => {
  const [kv1, kv2] = await sharedKv();
  try {
    const first = new JobStore(kv1);
    const bundle = new Uint8Array(200_000).map((_, i) => i % 251);
    await first.add(job('a', 1), bundle);
    await first.add(job('b', 2), new Uint8Array([1, 2, 3]));
    await first.setStatus('b', 'FINISHED');
    const second = new JobStore(kv2);
    assert.equal((await second.list()).map((j) => [j.jobId, j.status]), [['a', 'RUNNING'], ['b', 'FINISHED']]);
    assert.equal((await second.recoverable()).map((j) => j.jobId), ['a']);
    assert.equal(await second.bundle('bundle-a'), bundle);
  } finally { kv1.close(); kv2.close(); }
});

test('after the leader\'s lease expired, the standby leads with the next epoch and the deposed leader is fenced off', async () => {
  const { url } = await server();
  const [kvA, kvB] = [await openHaStore(url), await openHaStore(url)];
  const clock = new ManualClock(0);
  const leaseOf = (id: string, kv: VersionedKvStore): LeaderLease =>
    new LeaderLease({ kv, clock, candidateId: id, address: `${id}:6123`, leaseMs: 3000, renewEveryMs: 1000 });
  const a = leaseOf('a', kvA), b = leaseOf('b', kvB);
  try {
    a.start();
    await a.settled();
    b.start();
    await b.settled();
    assert.ok(a.isLeader && !b.isLeader);
    assert.is(await findLeader(kvB, clock.now()), 'a:6123');

    // The leader runs a job: it records it, claims it and completes checkpoint 1.
    const jobsA = new JobStore(kvA), fenceA = new CheckpointFence(kvA);
    await jobsA.add(job('j', 1, a.epoch), new Uint8Array([7]));
    await fenceA.claim('j', a.epoch);
    await fenceA.commit('j', a.fencingToken, 1);

    // It stops renewing (paused, not dead): the standby waits until the lease expired, then leads.
    await a.stop(false);
    const expiresAt = (await b.current())!.expiresAt;
    const advance = async (to: number): Promise<void> => {
      while (clock.now() < to) { clock.advance(Math.min(250, to - clock.now())); await b.settled(); }
    };
    await advance(expiresAt - 1);
    assert.not.ok(b.isLeader, 'not before the lease expired');
    await advance(expiresAt + 1000);
    assert.ok(b.isLeader);
    assert.is(b.epoch, 2);
    assert.is(await findLeader(kvA, clock.now()), 'b:6123');

    // The new leader claims the job; the checkpoint the old one completed still counts.
    const jobsB = new JobStore(kvB), fenceB = new CheckpointFence(kvB);
    await jobsB.claim('j', b.epoch);
    await fenceB.claim('j', b.epoch);
    assert.equal(await fenceB.read('j'), await fenceA.read('j'));
    assert.is((await fenceB.read('j')).accepted.length, 1);

    // The deposed leader, still running, tries to complete checkpoint 2 and to end the job.
    const refused = await fenceA.commit('j', a.fencingToken, 2).then(() => undefined, (e: unknown) => e);
    assert.instance(refused, FencedOffError);
    assert.match((refused as Error).message, /checkpoint 2 of job j was refused: .*epoch 1.* superseded by epoch 2/);
    assert.is((await fenceB.read('j')).accepted.length, 1, 'the refused checkpoint does not count');
    const ended = await jobsA.setStatus('j', 'CANCELED', a.fencingToken).then(() => undefined, (e: unknown) => e);
    assert.instance(ended, FencedOffError);
    assert.equal((await jobsB.recoverable()).map((j) => [j.jobId, j.epoch]), [['j', 2]]);

    await fenceB.commit('j', b.fencingToken, 2);
    assert.equal(await fenceA.read('j'), await fenceB.read('j'));
    assert.equal(await fenceA.read('j').then((r) => [r.epoch, r.accepted.length]), [2, 2], 'the new leader\'s checkpoint counts');
  } finally {
    await b.stop();
    kvA.close(); kvB.close();
  }
});

test.after(servers.closeAll);

test.run();
