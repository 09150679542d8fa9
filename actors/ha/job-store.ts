// JobStore: what a JobManager keeps in the HA store (a KV file or a KV Connect URL shared by all
// JobManager candidates) so that a new leader can recover the jobs of the one it replaces: each
// submitted job's id, name, submit options and the key of its bundle, its last known status, and
// the bundles themselves (chunked by the KV adapter). A job is recovered unless its stored status
// is terminal. A job's record carries the epoch of the leadership that runs it: the leader that
// recovers it claims it, and a status written under an older epoch (a deposed leader that still
// runs) is refused, so that it cannot end a job the new leader recovered. Imports the KV adapter
// and the checkpoint fence's error.
import type { KvKey, VersionedKvStore } from '../../state/kv/kv-store.ts';
import { FencedOffError } from './checkpoint-fence.ts';

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

/** Jobs and their bundles in the HA store. */
export class JobStore {
  constructor(private readonly kv: VersionedKvStore, private readonly prefix: KvKey = JOB_STORE_PREFIX) {}

  /** Records a submitted job (with its bundle) before it starts. */
  async add(job: StoredJob, bundle: Uint8Array): Promise<void> {
    await this.kv.set([...this.prefix, 'bundle', job.bundleKey], bundle);
    await this.kv.set([...this.prefix, 'job', job.jobId], job);
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

  /** Compare-and-set of a job's record: `change` returns the new record, or undefined for none. */
  private async update(jobId: string, epoch: number | undefined, what: string, change: (job: StoredJob) => StoredJob | undefined): Promise<void> {
    const key = [...this.prefix, 'job', jobId];
    for (;;) {
      const current = await this.kv.getVersioned(key);
      const job = current?.value as StoredJob | undefined;
      if (current === undefined || job === undefined) return;
      if (epoch !== undefined && (job.epoch ?? 0) > epoch) throw new FencedOffError(jobId, epoch, job.epoch!, what);
      const next = change(job);
      if (next === undefined) return;
      if (await this.kv.compareAndSet(key, current.version, next) !== null) return;
    }
  }
}
