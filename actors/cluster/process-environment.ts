// ProcessEnvironment: what a JobManager or TaskManager process runs on when it is not the host's
// own: its clock, its network, its HA store (already open), where job modules come from, and its
// randomness. A simulation runs several such processes in one thread on virtual time through it;
// without one a process uses the wall clock, node:net, the HA store it opens itself and shipped
// bundles. The JobModuleSource seam also lets a process run jobs built in it (no bundle shipped).
// Imports api/ and state/ types, actors/network's seam and actors/deploy.
import type { Clock } from '../../api/time/clock.ts';
import type { Host } from '../core/host.ts';
import type { VersionedKvStore } from '../../state/kv/kv-store.ts';
import { checkBundle } from '../deploy/bundle-check.ts';
import { loadJobModule, type JobModule } from '../deploy/job-loader.ts';
import type { Network } from '../network/transport.ts';

/** Where a process's job modules come from: bundle bytes are checked, then loaded into a module. */
export interface JobModuleSource {
  /** Refuses (throws) a bundle before any of it runs. */
  check(bundle: Uint8Array, maxBytes: number): Promise<void>;
  /** The module of a checked bundle (`key`: its content key). */
  load(bundle: Uint8Array, key: string): Promise<JobModule>;
}

/** Shipped bundles: checked without running them, then imported (the default). */
export const shippedBundles: JobModuleSource = { check: checkBundle, load: loadJobModule };

/** Infrastructure of a process that does not run on the host's own (see the header). */
export interface ProcessEnvironment {
  /** Every timer and reading of time of the process. */
  readonly clock: Clock;
  /**
   * Event-loop turns, slice deadlines and randomness of its actors and subtasks (default the
   * platform's with `clock`); a simulation passes one that yields by rounds, not by real time.
   */
  readonly host?: Host;
  /** Its sockets (and the entropy of its handshakes). */
  readonly network: Network;
  /** Random bytes for ids (candidate ids, TaskManager ids). */
  readonly randomBytes: (n: number) => Uint8Array;
  /** The HA store, open already (used instead of opening `ha.storage` / `haStorage`). */
  readonly haStore?: VersionedKvStore;
  /** Where job modules come from (default shipped bundles). */
  readonly jobs?: JobModuleSource;
  /** Checkpoint storage of jobs that name none, passed to their state backend (default a KV file under the data dir). */
  readonly checkpointStorage?: string;
  /** What a TaskManager reports of its process with its heartbeats (default processMetrics: memory and actors). */
  readonly processMetrics?: () => Record<string, number>;
}

/** `n` random bytes as lowercase hex. */
export function hexOf(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
