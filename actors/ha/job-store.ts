// JobStore: what a JobManager keeps in the HA store (a KV file or a KV Connect URL shared by all
// JobManager candidates) so that a new leader can recover the jobs of the one it replaces: each
// submitted job's id, name, submit options and the key of its bundle, its last known status, and
// the bundles themselves (chunked by the KV adapter). A job is recovered unless its stored status
// is terminal. A job's record carries the epoch of the leadership that runs it: the leader that
// recovers it claims it, and a status written under an older epoch (a deposed leader that still
// runs) is refused, so that it cannot end a job the new leader recovered. Every write with an
// epoch is fenced by the leader lease too, which lives in the same KV: it commits in one atomic
// with a check that the lease still names that epoch, so a deposed leader can neither add a job
// nor change one the new leader has not claimed yet. Imports the KV adapter, the lease key and
// the checkpoint fence's error.
import type { KvCheck, KvKey, KvMutation, VersionedKvStore } from '../../state/kv/kv-store.ts';
import { FencedOffError } from './checkpoint-fence.ts';
import { JOBMANAGER_LEASE_KEY } from './leader-lease.ts';

/** The statuses after which a job is not recovered. */
const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/** A job as the HA store keeps it. */
export interface StoredJob {
  readonly jobId: string;
  readonly name: string;
  readonly bundleKey: string;
  /** The options it was submitted with (parallelism, savepoint to start from). */
  readonly options: { readonly name: string; readonly parallelism?: number; readonly fromSavepoint?: string; readonly allowNonRestoredState?: boolean };
  readonly submittedAt: number;
  /** Its last known JobStatus. */
  readonly status: string;
  /** The epoch of the leadership that runs it (absent without high availability, or before a claim). */
  readonly epoch?: number;
}

/** The default KV prefix of the job store. */
export const JOB_STORE_PREFIX: KvKey = ['actorflow', 'ha', 'jobs'];

/** Rounds of a fenced write that lost a race with a renewal of the lease before giving up. */
const MAX_ROUNDS = 20;

/** Jobs and their bundles in the HA store. */
export class JobStore {
  constructor(
    private readonly kv: VersionedKvStore,
    private readonly prefix: KvKey = JOB_STORE_PREFIX,
    /** The leader lease that fences writes with an epoch (in the same KV). */
    private readonly leaseKey: KvKey = JOBMANAGER_LEASE_KEY,
  ) {}

  /**
   * Records a submitted job (with its bundle) before it starts. With `job.epoch`, refused
   * (FencedOffError, nothing written) unless the lease names that epoch.
   */
  async add(job: StoredJob, bundle: Uint8Array): Promise<void> {
    const writes: KvMutation[] = [
      { type: 'set', key: [...this.prefix, 'bundle', job.bundleKey], value: bundle },
      { type: 'set', key: [...this.prefix, 'job', job.jobId], value: job },
    ];
    if (job.epoch === undefined) { await this.kv.atomic(writes); return; }
    await this.fenced(job.jobId, job.epoch, 'recording the job', async (lease) => (await this.kv.checkedAtomic([lease], writes)) || undefined);
  }

  /**
   * Records a new status of `jobId` (a no-op for a job it does not hold). With `epoch`, refused
   * (FencedOffError) when a leadership with a newer epoch claimed the job.
   */
  async setStatus(jobId: string, status: string, epoch?: number): Promise<void> {
    await this.update(jobId, epoch, `recording status ${status}`, (job) => (job.status === status ? undefined : { ...job, status }));
  }

  /** The leadership of `epoch` runs `jobId` from now on; FencedOffError when a newer one does. */
  async claim(jobId: string, epoch: number): Promise<void> {
    await this.update(jobId, epoch, 'taking over', (job) => (job.epoch === epoch ? undefined : { ...job, epoch }));
  }

  /** The stored job `jobId`, if any. */
  async get(jobId: string): Promise<StoredJob | undefined> {
    return (await this.kv.get([...this.prefix, 'job', jobId])) as StoredJob | undefined;
  }

  /** Every stored job, oldest submission first. */
  async list(): Promise<StoredJob[]> {
    const entries = await this.kv.list([...this.prefix, 'job']);
    return entries.map((e) => e.value as StoredJob).sort((a, b) => a.submittedAt - b.submittedAt);
  }

  /** The jobs a new leader must recover: those whose stored status is not terminal. */
  async recoverable(): Promise<StoredJob[]> {
    return (await this.list()).filter((j) => !TERMINAL.has(j.status));
  }

  /** The bundle stored under `key`, if any. */
  async bundle(key: string): Promise<Uint8Array | undefined> {
    const value = await this.kv.get([...this.prefix, 'bundle', key]);
    return value instanceof Uint8Array ? value : undefined;
  }

  /**
   * Compare-and-set of a job's record: `change` returns the new record, or undefined for none.
   * With `epoch`, refused when the record or the lease names a newer one.
   */
  private async update(jobId: string, epoch: number | undefined, what: string, change: (job: StoredJob) => StoredJob | undefined): Promise<void> {
    const key = [...this.prefix, 'job', jobId];
    const round = async (lease?: KvCheck): Promise<true | undefined> => {
      const current = await this.kv.getVersioned(key);
      const job = current?.value as StoredJob | undefined;
      if (current === undefined || job === undefined) return true;
      if (epoch !== undefined && (job.epoch ?? 0) > epoch) throw new FencedOffError(jobId, epoch, job.epoch!, what);
      const next = change(job);
      if (next === undefined) return true;
      const checks = [{ key, version: current.version }, ...(lease ? [lease] : [])];
      return (await this.kv.checkedAtomic(checks, [{ type: 'set', key, value: next }])) || undefined;
    };
    if (epoch !== undefined) { await this.fenced(jobId, epoch, what, round); return; }
    while (await round() === undefined);
  }

  /**
   * Runs `write` with the check that the lease names `epoch` (FencedOffError when it does not)
   * until it is done; `write` resolves undefined when a check failed (the lease was renewed, or
   * the record changed, in between) and the round is retried.
   */
  private async fenced(jobId: string, epoch: number, what: string, write: (lease: KvCheck) => Promise<true | undefined>): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const lease = await this.kv.getVersioned(this.leaseKey);
      const leaseEpoch = (lease?.value as { epoch?: unknown } | undefined)?.epoch;
      if (lease === undefined || leaseEpoch !== epoch) {
        throw new FencedOffError(jobId, epoch, typeof leaseEpoch === 'number' ? leaseEpoch : 0, what);
      }
      if (await write({ key: this.leaseKey, version: lease.version }) !== undefined) return;
    }
    throw new Error(`${what} of job ${jobId}: the HA store's lease or job record stayed contended for ${MAX_ROUNDS} rounds`);
  }
}
