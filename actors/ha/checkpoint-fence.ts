// CheckpointFence: which completed checkpoints of a job count, decided under the JobManager
// leader's fencing token (Flink's leader-fenced CompletedCheckpointStore of Kubernetes HA). Each
// job has one record in the HA store, `{ epoch, accepted }`: the epoch of the leadership that
// runs the job, and the checkpoints it completed, each with the epoch whose storage keys hold it.
// A leader claims the record (raising its epoch) before it reads the job's latest checkpoint, and
// completes a checkpoint by adding it with compare-and-set, refused when the record names a newer
// epoch. So a deposed leader that still runs (paused, partitioned) cannot make a checkpoint the
// new leader recovers from: either its write is linearized before the claim (and the new leader
// sees it), or it is refused.
// FencedCheckpointStorage applies the fence to a job's CheckpointStorage in the JobManager. The
// storage it wraps is scoped to the leadership's epoch (KvCheckpointStorage), and so are the
// TaskManagers' subtask writes (the deployment names the epoch): a deposed leader's attempt,
// still running somewhere, writes and discards only keys of its own epoch, never those of a
// checkpoint the new leader completes. The only keys of an older epoch a new leader uses are
// those of the checkpoint it recovered from, which the deposed leader never discards: it
// discards a checkpoint only once a newer one of its own was accepted, and after the claim none is.
// The new leader discards it, from the older epoch's keys, once checkpoints of its own subsume it
// (actors/checkpoint/recovered-checkpoint.ts): a newer epoch may discard an older one's, never
// the reverse.
// Imports the KV adapter and state/ checkpoint types; nothing from the actor core.
import type { CheckpointMetadataInput, CheckpointStorage, ReadFilter } from '../../state/checkpoint/checkpoint-storage.ts';
import { CheckpointCorruptedError, CheckpointNotFoundError } from '../../state/checkpoint/checkpoint-storage.ts';
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

/** A checkpoint the fence accepted: its id, and the epoch whose storage keys hold it. */
export interface AcceptedCheckpoint { readonly checkpointId: number; readonly epoch: number }

/** A plain id in `accepted` was written before epochs scoped the storage: its keys are those of epoch 0. */
interface FenceRecord { readonly epoch: number; readonly accepted: readonly (number | AcceptedCheckpoint)[] }

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
    await this.update(jobId, epoch, `completing checkpoint ${checkpointId}`, (r) => [...r.filter((a) => idOf(a) !== checkpointId), { checkpointId, epoch }].slice(-KEEP_ACCEPTED));
  }

  /** The checkpoints completed under the fence (oldest first), and the epoch that holds the job (0: none). */
  async read(jobId: string): Promise<{ epoch: number; accepted: AcceptedCheckpoint[] }> {
    const record = recordOf(await this.kv.get(this.key(jobId)));
    return { epoch: record?.epoch ?? 0, accepted: (record?.accepted ?? []).map((a) => (typeof a === 'number' ? { checkpointId: a, epoch: 0 } : a)) };
  }

  private async update(jobId: string, epoch: number, what: string, accepted: (current: FenceRecord['accepted']) => FenceRecord['accepted']): Promise<void> {
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

function idOf(accepted: number | AcceptedCheckpoint): number { return typeof accepted === 'number' ? accepted : accepted.checkpointId; }

function recordOf(value: unknown): FenceRecord | undefined {
  const r = value as FenceRecord | null | undefined;
  return r && typeof r === 'object' && typeof r.epoch === 'number' && Array.isArray(r.accepted) ? r : undefined;
}

/**
 * A job's checkpoint storage in a JobManager with high availability, for the leadership of
 * `epoch` (read once: a storage belongs to one leadership): it writes through the storage of that
 * epoch's keys, a checkpoint completes only once the fence accepted it (a refused one is
 * discarded again), the completed checkpoints are the accepted ones, and each is read from the
 * keys of the epoch that wrote it.
 */
export class FencedCheckpointStorage implements CheckpointStorage {
  readonly epoch: number;
  /** The wrapped storage with this epoch's keys. */
  private readonly own: CheckpointStorage;

  constructor(private readonly inner: CheckpointStorage, private readonly fence: CheckpointFence, epoch: number | (() => number)) {
    this.epoch = typeof epoch === 'function' ? epoch() : epoch;
    if (inner.atEpoch === undefined) {
      throw new Error(`the checkpoint storage of job ${inner.jobId} cannot keep the keys of JobManager leaderships apart: use the 'kv' state backend`);
    }
    this.own = inner.atEpoch(this.epoch);
  }

  get jobId(): string { return this.inner.jobId; }

  writeSubtaskState(checkpointId: number, state: SubtaskSnapshot): Promise<SubtaskWriteResult> { return this.own.writeSubtaskState(checkpointId, state); }

  async writeMetadata(checkpointId: number, metadata: CheckpointMetadataInput): Promise<void> {
    // Metadata first: an id the fence accepted always names a readable checkpoint.
    await this.own.writeMetadata(checkpointId, metadata);
    try {
      await this.fence.commit(this.jobId, this.epoch, checkpointId);
    } catch (error) {
      await this.own.discard(checkpointId).catch(() => {});
      throw error;
    }
  }

  async readLatestCompleted(options?: { fallbackOnCorruption?: boolean }): Promise<CheckpointSnapshot | undefined> {
    const { accepted } = await this.fence.read(this.jobId);
    for (let i = accepted.length - 1; i >= 0; i--) {
      try {
        return await this.atEpoch(accepted[i].epoch).readCheckpoint(accepted[i].checkpointId);
      } catch (error) {
        // Accepted, then discarded (subsumed, or a savepoint kept as a file only).
        if (error instanceof CheckpointNotFoundError) continue;
        if (!options?.fallbackOnCorruption || !(error instanceof CheckpointCorruptedError)) throw error;
      }
    }
    return undefined;
  }

  /** Reads an accepted checkpoint from the keys of the epoch that wrote it (any other: this epoch's). */
  async readCheckpoint(checkpointId: number, filter?: ReadFilter): Promise<CheckpointSnapshot> {
    const accepted = (await this.fence.read(this.jobId)).accepted.find((a) => a.checkpointId === checkpointId);
    return this.atEpoch(accepted?.epoch ?? this.epoch).readCheckpoint(checkpointId, filter);
  }

  /** Discards `checkpointId` of this epoch: never a key of another leadership (see the header). */
  discard(checkpointId: number): Promise<void> { return this.own.discard(checkpointId); }

  /** The ids of the accepted checkpoints (a new leader numbers its checkpoints past them). */
  async list(): Promise<number[]> {
    return (await this.fence.read(this.jobId)).accepted.map((a) => a.checkpointId).sort((a, b) => a - b);
  }

  /** The unfenced storage of leadership `epoch` (reads of another epoch's checkpoints). */
  atEpoch(epoch: number): CheckpointStorage { return this.inner.atEpoch!(epoch); }

  close(): Promise<void> { return this.inner.close(); }
}

/**
 * The state backend `choice` with its checkpoint storage fenced for the leadership of `epoch`
 * (the JobManager's side of a job; TaskManagers write subtask state through the plain backend
 * named by `choice`, under the keys of the epoch their deployment names).
 */
export class FencedStateBackend implements StateBackend {
  private readonly inner: StateBackend;

  constructor(readonly choice: 'memory' | 'kv' | StateBackend, private readonly fence: CheckpointFence, readonly epoch: number) {
    this.inner = createStateBackend(choice);
  }

  get name(): string { return this.inner.name; }
  get incremental(): boolean { return this.inner.incremental; }
  createKeyedStateBackend: StateBackend['createKeyedStateBackend'] = (options) => this.inner.createKeyedStateBackend(options);
  snapshotSubtask: StateBackend['snapshotSubtask'] = (checkpointId, parts) => this.inner.snapshotSubtask(checkpointId, parts);

  async createCheckpointStorage(options: CheckpointStorageOptions): Promise<CheckpointStorage> {
    const storage = await this.inner.createCheckpointStorage({ ...options, epoch: this.epoch });
    if ((storage.epoch ?? 0) !== this.epoch) {
      await storage.close();
      throw new Error(`the state backend ${this.inner.name} cannot keep the checkpoints of JobManager leaderships apart (epoch ${this.epoch}): use 'kv'`);
    }
    return new FencedCheckpointStorage(storage, this.fence, this.epoch);
  }
}
