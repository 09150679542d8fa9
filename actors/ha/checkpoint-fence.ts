// CheckpointFence: which completed checkpoints of a job count, decided under the JobManager
// leader's fencing token (Flink's leader-fenced CompletedCheckpointStore of Kubernetes HA). Each
// job has one record in the HA store, `{ epoch, accepted }`: the epoch of the leadership that
// runs the job, and the ids of the checkpoints it completed. A leader claims the record (raising
// its epoch) before it reads the job's latest checkpoint, and completes a checkpoint by adding
// its id with compare-and-set, refused when the record names a newer epoch. So a deposed leader
// that still runs (paused, partitioned) cannot make a checkpoint the new leader recovers from:
// either its write is linearized before the claim (and the new leader sees it), or it is refused.
// The checkpoint storage is another KV than the lease, and the KV adapter checks one key per
// atomic, so the fence is this record, not an atomic check of the lease itself.
// FencedCheckpointStorage applies the fence to a job's CheckpointStorage in the JobManager.
// Imports the KV adapter and state/ checkpoint types; nothing from the actor core.
import type { CheckpointMetadataInput, CheckpointStorage, ReadFilter } from '../../state/checkpoint/checkpoint-storage.ts';
import { CheckpointCorruptedError } from '../../state/checkpoint/checkpoint-storage.ts';
import type { KvKey, VersionedKvStore } from '../../state/kv/kv-store.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import type { SubtaskSnapshot, SubtaskWriteResult } from '../../state/snapshot/subtask-snapshot.ts';
import { createStateBackend, type CheckpointStorageOptions, type StateBackend } from '../../state/snapshot/state-backend.ts';

/** The default KV prefix of the per-job checkpoint records. */
export const CHECKPOINT_FENCE_PREFIX: KvKey = ['actorflow', 'ha', 'checkpoints'];

/** Completed checkpoint ids a record keeps (more than any job retains). */
const KEEP_ACCEPTED = 64;
/** Compare-and-set rounds before giving up on a contended record. */
const MAX_ROUNDS = 20;

interface FenceRecord { readonly epoch: number; readonly accepted: readonly number[] }

/** A write refused because a JobManager with a newer epoch leads the job. */
export class FencedOffError extends Error {
  constructor(readonly jobId: string, readonly epoch: number, readonly current: number, what: string) {
    super(`${what} of job ${jobId} was refused: this JobManager's leadership (epoch ${epoch}) was superseded by epoch ${current}`);
    this.name = 'FencedOffError';
  }
}

/** The per-job checkpoint records in the HA store. */
export class CheckpointFence {
  constructor(private readonly kv: VersionedKvStore, private readonly prefix: KvKey = CHECKPOINT_FENCE_PREFIX) {}

  /** Takes `jobId` over for `epoch` (kept accepted ids); throws FencedOffError when a newer epoch holds it. */
  async claim(jobId: string, epoch: number): Promise<void> {
    await this.update(jobId, epoch, 'taking over', (r) => r);
  }

  /** Makes checkpoint `checkpointId` count, unless a newer epoch claimed the job (FencedOffError). */
  async commit(jobId: string, epoch: number, checkpointId: number): Promise<void> {
    await this.update(jobId, epoch, `completing checkpoint ${checkpointId}`, (r) => [...r.filter((id) => id !== checkpointId), checkpointId].slice(-KEEP_ACCEPTED));
  }

  /** The checkpoint ids completed under the fence, and the epoch that holds the job (0: none). */
  async read(jobId: string): Promise<{ epoch: number; accepted: number[] }> {
    const record = recordOf(await this.kv.get(this.key(jobId)));
    return { epoch: record?.epoch ?? 0, accepted: [...(record?.accepted ?? [])] };
  }

  private async update(jobId: string, epoch: number, what: string, accepted: (current: readonly number[]) => readonly number[]): Promise<void> {
    const key = this.key(jobId);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.kv.getVersioned(key);
      const record = recordOf(current?.value);
      if (epoch <= 0) throw new FencedOffError(jobId, epoch, record?.epoch ?? 0, what);
      if (record !== undefined && record.epoch > epoch) throw new FencedOffError(jobId, epoch, record.epoch, what);
      const next: FenceRecord = { epoch, accepted: accepted(record?.accepted ?? []) };
      if (await this.kv.compareAndSet(key, current?.version ?? null, next) !== null) return;
    }
    throw new Error(`${what} of job ${jobId}: the HA store's record stayed contended for ${MAX_ROUNDS} rounds`);
  }

  private key(jobId: string): KvKey { return [...this.prefix, jobId]; }
}

function recordOf(value: unknown): FenceRecord | undefined {
  const r = value as FenceRecord | null | undefined;
  return r && typeof r === 'object' && typeof r.epoch === 'number' && Array.isArray(r.accepted) ? r : undefined;
}

/**
 * A job's checkpoint storage in a JobManager with high availability: a checkpoint completes only
 * once the fence accepted it (a refused one is discarded again), and the latest completed
 * checkpoint is the newest accepted one. Subtask writes and `list` (every written id, so that a
 * new leader numbers its checkpoints past them) go to the storage unchanged.
 */
export class FencedCheckpointStorage implements CheckpointStorage {
  constructor(private readonly inner: CheckpointStorage, private readonly fence: CheckpointFence, private readonly epoch: () => number) {}

  get jobId(): string { return this.inner.jobId; }

  writeSubtaskState(checkpointId: number, state: SubtaskSnapshot): Promise<SubtaskWriteResult> { return this.inner.writeSubtaskState(checkpointId, state); }

  async writeMetadata(checkpointId: number, metadata: CheckpointMetadataInput): Promise<void> {
    // Metadata first: an id the fence accepted always names a readable checkpoint.
    await this.inner.writeMetadata(checkpointId, metadata);
    try {
      await this.fence.commit(this.jobId, this.epoch(), checkpointId);
    } catch (error) {
      await this.inner.discard(checkpointId).catch(() => {});
      throw error;
    }
  }

  async readLatestCompleted(options?: { fallbackOnCorruption?: boolean }): Promise<CheckpointSnapshot | undefined> {
    const accepted = new Set((await this.fence.read(this.jobId)).accepted);
    const ids = (await this.inner.list()).filter((id) => accepted.has(id));
    for (let i = ids.length - 1; i >= 0; i--) {
      try {
        return await this.inner.readCheckpoint(ids[i]);
      } catch (error) {
        if (!options?.fallbackOnCorruption || !(error instanceof CheckpointCorruptedError)) throw error;
      }
    }
    return undefined;
  }

  readCheckpoint(checkpointId: number, filter?: ReadFilter): Promise<CheckpointSnapshot> { return this.inner.readCheckpoint(checkpointId, filter); }

  async discard(checkpointId: number): Promise<void> {
    // Best effort (not atomic): a deposed leader leaves the job's checkpoints to the new one.
    const { epoch } = await this.fence.read(this.jobId);
    if (epoch > this.epoch()) return;
    await this.inner.discard(checkpointId);
  }

  list(): Promise<number[]> { return this.inner.list(); }

  close(): Promise<void> { return this.inner.close(); }
}

/**
 * The state backend `choice` with its checkpoint storage fenced (the JobManager's side of a job;
 * TaskManagers write subtask state through the plain backend named by `choice`).
 */
export class FencedStateBackend implements StateBackend {
  private readonly inner: StateBackend;

  constructor(readonly choice: 'memory' | 'kv' | StateBackend, private readonly fence: CheckpointFence, private readonly epoch: () => number) {
    this.inner = createStateBackend(choice);
  }

  get name(): string { return this.inner.name; }
  get incremental(): boolean { return this.inner.incremental; }
  createKeyedStateBackend: StateBackend['createKeyedStateBackend'] = (options) => this.inner.createKeyedStateBackend(options);
  snapshotSubtask: StateBackend['snapshotSubtask'] = (checkpointId, parts) => this.inner.snapshotSubtask(checkpointId, parts);

  async createCheckpointStorage(options: CheckpointStorageOptions): Promise<CheckpointStorage> {
    return new FencedCheckpointStorage(await this.inner.createCheckpointStorage(options), this.fence, this.epoch);
  }
}
