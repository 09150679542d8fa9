// The JobManager leader lease over one database shared by two stores (as two JobManager
// processes share it), driven by a ManualClock. `runLeaderLeaseContract(test, sharedKv)`
// registers the suite; the caller runs it over a KV file or a KV Connect URL.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../api/time/clock.ts';
import type { VersionedKvStore } from '../../../state/kv/kv-store.ts';
import { LeaderLease, type LeaderLeaseOptions } from '../../../actors/ha/leader-lease.ts';
import { Random, testSeed } from '../../support/random.ts';

const LEASE_MS = 3000;
const RENEW_MS = 1000;

interface Candidate { lease: LeaderLease; events: string[] }

function candidate(id: string, kv: VersionedKvStore, clock: ManualClock, extra: Partial<LeaderLeaseOptions> = {}): Candidate {
  const events: string[] = [];
  const lease = new LeaderLease({
    kv, clock, candidateId: id, address: `actorflow://jm@${id}:6123`, leaseMs: LEASE_MS, renewEveryMs: RENEW_MS,
    onGranted: (epoch) => events.push(`granted ${epoch}`),
    onRevoked: (epoch, why) => events.push(`revoked ${epoch} ${why}`),
    ...extra,
  });
  return { lease, events };
}

/** Advances the clock in renewal-sized steps, letting every KV round finish after each. */
async function step(clock: ManualClock, leases: LeaderLease[], ms: number, by = RENEW_MS / 2): Promise<void> {
  for (let done = 0; done < ms; done += by) {
    clock.advance(Math.min(by, ms - done));
    for (const l of leases) await l.settled();
  }
}

/** Registers the lease tests over pairs of stores on one fresh database from `sharedKv`. */
export function runLeaderLeaseContract(test: Test, sharedKv: () => Promise<[VersionedKvStore, VersionedKvStore]>): void {
  /** Candidate a leading (epoch 1) on one store, candidate b started after it on the other. */
  async function leaderAndStandby(): Promise<{ kvA: VersionedKvStore; kvB: VersionedKvStore; clock: ManualClock; a: Candidate; b: Candidate }> {
    const [kvA, kvB] = await sharedKv();
    const clock = new ManualClock(0);
    const a = candidate('a', kvA, clock);
    const b = candidate('b', kvB, clock);
    a.lease.start();
    await a.lease.settled();
    b.lease.start();
    return { kvA, kvB, clock, a, b };
  }

  test('a lone candidate acquires epoch 1 and keeps it by renewing', async () => {
    const [kv, kv2] = await sharedKv();
    const clock = new ManualClock(1_000_000);
    const a = candidate('a', kv, clock);
    a.lease.start();
    await a.lease.settled();
    assert.ok(a.lease.isLeader);
    assert.is(a.lease.epoch, 1);
    assert.equal(await a.lease.current(), { leaderId: 'a', address: 'actorflow://jm@a:6123', expiresAt: 1_000_000 + LEASE_MS, epoch: 1 });
    await step(clock, [a.lease], LEASE_MS * 5);
    assert.ok(a.lease.isLeader);
    assert.equal(a.events, ['granted 1']);
    const lease = await a.lease.current();
    assert.ok(lease!.expiresAt > clock.now(), 'renewed past the original expiry');
    await a.lease.stop();
    kv.close(); kv2.close();
  });

  test('a standby waits while the leader renews and takes over only after the lease expired', async () => {
    const { kvA, kvB, clock, a, b } = await leaderAndStandby();
    await step(clock, [a.lease, b.lease], LEASE_MS * 3);
    assert.ok(a.lease.isLeader);
    assert.not.ok(b.lease.isLeader);
    const last = (await a.lease.current())!;
    await a.lease.stop(false); // crashes: the lease stays until it expires
    const crashedAt = clock.now();
    await step(clock, [b.lease], last.expiresAt - crashedAt - 1, 1);
    assert.not.ok(b.lease.isLeader, 'not before expiry');
    await step(clock, [b.lease], RENEW_MS + 1, 1);
    assert.ok(b.lease.isLeader);
    assert.is(b.lease.epoch, 2);
    assert.is((await b.lease.current())!.leaderId, 'b');
    assert.equal(b.events, ['granted 2']);
    await b.lease.stop();
    kvA.close(); kvB.close();
  });

  test('a leader that cannot renew steps down exactly at expiry; the standby then gets the next epoch', async () => {
    const [kvA, kvB] = await sharedKv();
    const clock = new ManualClock(0);
    let partitioned = false;
    const errors: unknown[] = [];
    // The leader's view of the store fails while partitioned, as an unreachable KV would.
    const flaky: VersionedKvStore = Object.assign(Object.create(kvA) as VersionedKvStore, {
      getVersioned: (key: Parameters<VersionedKvStore['getVersioned']>[0]) =>
        partitioned ? Promise.reject(new Error('KV unreachable')) : kvA.getVersioned(key),
    });
    const a = candidate('a', flaky, clock, { onError: (e) => errors.push(e) });
    const b = candidate('b', kvB, clock);
    a.lease.start();
    await a.lease.settled();
    b.lease.start();
    await step(clock, [a.lease, b.lease], RENEW_MS);
    const expiresAt = (await b.lease.current())!.expiresAt;
    partitioned = true;
    await step(clock, [a.lease, b.lease], expiresAt - clock.now() - 1, 1);
    assert.ok(a.lease.isLeader, 'still leader just before expiry');
    await step(clock, [a.lease, b.lease], 1, 1);
    assert.not.ok(a.lease.isLeader, 'stepped down at expiry');
    assert.equal(a.events, ['granted 1', 'revoked 1 expired']);
    assert.ok(errors.length > 0);
    await step(clock, [a.lease, b.lease], RENEW_MS);
    assert.ok(b.lease.isLeader);
    assert.is(b.lease.epoch, 2);
    partitioned = false;
    await step(clock, [a.lease, b.lease], RENEW_MS * 4);
    assert.not.ok(a.lease.isLeader, 'a healed leader finds the lease taken');
    assert.ok(b.lease.isLeader);
    await a.lease.stop(); await b.lease.stop();
    kvA.close(); kvB.close();
  });

  test('release on stop hands the lease over without waiting for expiry', async () => {
    const { kvA, kvB, clock, a, b } = await leaderAndStandby();
    await b.lease.settled();
    await a.lease.stop();
    assert.equal(a.events, ['granted 1', 'revoked 1 released']);
    await step(clock, [b.lease], RENEW_MS);
    assert.ok(b.lease.isLeader);
    assert.is(b.lease.epoch, 2);
    await b.lease.stop();
    kvA.close(); kvB.close();
  });

  test('two candidates racing: exactly one leader per epoch, epochs consecutive, never two leaders at once', async () => {
    const seed = testSeed('leader-lease-race');
    const random = new Random(seed);
    const [kvA, kvB] = await sharedKv();
    const clock = new ManualClock(0);
    const granted = new Map<number, string[]>();
    const holders = new Set<string>();
    let overlaps = 0;
    const make = (id: string, kv: VersionedKvStore): Candidate => candidate(id, kv, clock, {
      onGranted: (epoch) => {
        if (holders.size > 0) overlaps++;
        holders.add(id);
        granted.set(epoch, [...(granted.get(epoch) ?? []), id]);
      },
      onRevoked: () => { holders.delete(id); },
    });
    const stores: Record<string, VersionedKvStore> = { a: kvA, b: kvB };
    const live: Record<string, Candidate> = { a: make('a', kvA), b: make('b', kvB) };
    // Both start in the same instant: their first rounds race on the same (absent) version.
    live.a.lease.start();
    live.b.lease.start();
    for (let round = 0; round < 8; round++) {
      await Promise.all([live.a.lease.settled(), live.b.lease.settled()]);
      await step(clock, [live.a.lease, live.b.lease], RENEW_MS * random.int(1, 3), random.pick([1, 250, 500]));
      const leaders = Object.values(live).filter((c) => c.lease.isLeader);
      assert.ok(leaders.length <= 1, `round ${round}: ${leaders.length} leaders`);
      const leader = leaders[0];
      if (!leader) continue;
      const id = Object.keys(live).find((k) => live[k] === leader)!;
      await leader.lease.stop(random.chance(0.5)); // a clean handover or a crash
      live[id] = make(id, stores[id]); // restarted with the same id, racing the other for the next epoch
      live[id].lease.start();
      await step(clock, [live.a.lease, live.b.lease], LEASE_MS + RENEW_MS, random.pick([1, 250, 500]));
    }
    const epochs = [...granted.keys()].sort((x, y) => x - y);
    assert.ok(epochs.length >= 8, `only ${epochs.length} epochs`);
    assert.equal(epochs, Array.from({ length: epochs.length }, (_, i) => i + 1), 'epochs 1..n without gaps');
    for (const [epoch, winners] of granted) assert.is(winners.length, 1, `epoch ${epoch} granted to ${winners.join(', ')}`);
    assert.is(overlaps, 0, 'a grant while another candidate still held the lease');
    await live.a.lease.stop(); await live.b.lease.stop();
    kvA.close(); kvB.close();
  });

  test('a leader whose lease was overwritten steps down at its next renewal; the epoch keeps growing', async () => {
    const [kvA, kvB] = await sharedKv();
    const clock = new ManualClock(0);
    const a = candidate('a', kvA, clock);
    a.lease.start();
    await a.lease.settled();
    const current = (await kvB.getVersioned(['actorflow', 'ha', 'jobmanager-leader']))!;
    // An operator (or a buggy peer) forces another leader in with a higher epoch.
    const forced = { leaderId: 'z', address: 'actorflow://jm@z:6123', expiresAt: clock.now() + LEASE_MS, epoch: 5 };
    assert.ok(await kvB.compareAndSet(['actorflow', 'ha', 'jobmanager-leader'], current.version, forced));
    await step(clock, [a.lease], RENEW_MS);
    assert.not.ok(a.lease.isLeader);
    assert.equal(a.events, ['granted 1', 'revoked 1 taken']);
    await step(clock, [a.lease], LEASE_MS + RENEW_MS);
    assert.ok(a.lease.isLeader, 'the forced lease expired unrenewed');
    assert.is(a.lease.epoch, 6);
    await a.lease.stop();
    kvA.close(); kvB.close();
  });
}
