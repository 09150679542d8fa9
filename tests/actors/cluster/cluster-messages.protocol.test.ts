// Channel naming across JobManager leaderships: a new leader numbers attempts from 0 again, so
// the channels of its attempt 0 must not be those of a deposed leader's attempt 0, which may
// still run on a TaskManager that follows it (over a real data plane pair on loopback TCP). A
// job whose regions restart on their own names each region's channels apart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ActorSystem } from '../../../actors/index.ts';
import { attemptPrefix, channelId, regionPrefix } from '../../../actors/cluster/cluster-messages.protocol.ts';
import { DataPlane } from '../../../actors/network/data/data-plane.ts';

/** Resolves once `condition` holds; fails after `ms` of real time (awaiting I/O, not sleeping). */
async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

test('the same attempt of a job under two leaderships has other channel ids and prefixes', () => {
  const old = channelId({ jobId: 'job', storageEpoch: 1, attempt: 0 }, 0, 1, 2);
  const current = channelId({ jobId: 'job', storageEpoch: 2, attempt: 0 }, 0, 1, 2);
  assert.is.not(old, current);
  assert.ok(old.startsWith(attemptPrefix('job', 1, 0)));
  assert.not.ok(current.startsWith(attemptPrefix('job', 1, 0)));
  // Without high availability the epoch is 0.
  assert.is(channelId({ jobId: 'job', attempt: 3 }, 0, 1, 2), `${attemptPrefix('job', 0, 3)}0/1->2`);
  // Attempt 1 is no prefix of attempt 10.
  assert.not.ok(channelId({ jobId: 'job', storageEpoch: 1, attempt: 10 }, 0, 0, 0).startsWith(attemptPrefix('job', 1, 1)));
});

test('the channels of a region carry it: a region\'s prefix is in its attempt\'s and names no other region', () => {
  const id = channelId({ jobId: 'job', storageEpoch: 1, attempt: 2, region: 1 }, 0, 3, 3);
  assert.is(id, `${regionPrefix('job', 1, 2, 1)}0/3->3`);
  assert.ok(id.startsWith(attemptPrefix('job', 1, 2)), 'dropping an attempt drops its regions');
  assert.not.ok(channelId({ jobId: 'job', storageEpoch: 1, attempt: 2, region: 10 }, 0, 3, 3).startsWith(regionPrefix('job', 1, 2, 1)));
  assert.is(regionPrefix('job', 1, 2, undefined), attemptPrefix('job', 1, 2), 'without regions, the attempt');
});

test("a deposed leadership's sender cannot feed the new leadership's receiver of the same attempt", async () => {
  const a = ActorSystem.create('tm-a');
  const b = ActorSystem.create('tm-b');
  const addrA = (await a.listen(0)).address;
  const addrB = (await b.listen(0)).address;
  const pa = DataPlane.of(a), pb = DataPlane.of(b);
  const oldId = channelId({ jobId: 'job', storageEpoch: 1, attempt: 0 }, 0, 0, 0);
  const newId = channelId({ jobId: 'job', storageEpoch: 2, attempt: 0 }, 0, 0, 0);
  const oldSender = pa.openSender(oldId, addrB, 'deposed');
  pb.openReceiver(oldId, addrA, 4, 'deposed');
  await waitFor(() => oldSender.hasCredit(), 'credit for the deposed sender');
  // The TaskManager of the receiver drops the deposed leadership's attempt, the new one deploys.
  pb.closeChannels(attemptPrefix('job', 1, 0));
  const current = pb.openReceiver(newId, addrA, 4, 'current');
  const newSender = pa.openSender(newId, addrB, 'current');
  await waitFor(() => newSender.hasCredit(), 'credit for the current sender');
  oldSender.push({ kind: 'watermark', timestamp: 1 });
  newSender.push({ kind: 'watermark', timestamp: 2 });
  await waitFor(() => current.size === 1, 'the current channel');
  await waitFor(() => pb.droppedFrames === 1, "the deposed sender's frame to be dropped");
  assert.equal(current.poll(), { kind: 'watermark', timestamp: 2 });
  await a.terminate();
  await b.terminate();
});

test.run();
