// The HA store: where JobManager candidates keep the leader lease and the jobs (JobStore), and
// where TaskManagers and clients look the leader up. It is a directory every process reaches
// (the KV file `ha.kv` in it) or a KV Connect URL. Imports the KV adapter and the lease.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openKvStore, type VersionedKvStore } from '../../state/kv/kv-store.ts';
import { currentLeader } from './leader-lease.ts';

/** Whether an HA store is a KV Connect URL rather than a directory. */
export function isRemoteHaStore(storage: string): boolean { return /^https?:\/\//.test(storage); }

/** Opens the KV of the HA store `storage` (creating the directory). */
export async function openHaStore(storage: string): Promise<VersionedKvStore> {
  if (isRemoteHaStore(storage)) return openKvStore(storage);
  mkdirSync(storage, { recursive: true });
  return openKvStore(join(storage, 'ha.kv'));
}

/** The RPC address (`host:port`) of the JobManager the HA store names as leader now, if any. */
export async function findLeader(kv: VersionedKvStore, now = Date.now()): Promise<string | undefined> {
  return (await currentLeader(kv, now))?.address;
}
