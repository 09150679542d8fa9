// The JobManager leader lease over one real KV file shared by two stores (as two JobManager
// processes would share it), driven by a ManualClock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../api/time/clock.ts';
import { openKvStore, type VersionedKvStore } from '../../../state/kv/kv-store.ts';
import { LeaderLease } from '../../../actors/ha/leader-lease.ts';
import { runLeaderLeaseContract } from './leader-lease.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-lease-'));
let files = 0;

/** Two stores over one fresh KV file. */
async function sharedKv(): Promise<[VersionedKvStore, VersionedKvStore]> {
  const path = join(dir, `lease-${files++}.db`);
  return [await openKvStore(path), await openKvStore(path)];
}

runLeaderLeaseContract(test, sharedKv);

test('renewEveryMs must be shorter than the lease', async () => {
  const [kv, kv2] = await sharedKv();
  assert.throws(() => new LeaderLease({ kv, clock: new ManualClock(), candidateId: 'x', address: 'a', leaseMs: 1000, renewEveryMs: 1000 }), /shorter than leaseMs/);
  kv.close(); kv2.close();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
