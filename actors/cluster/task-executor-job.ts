// TaskExecutorJob: what a TaskManager process keeps per job while it runs some of its subtasks:
// the job's graph (the bundle fetched from the JobManager once, loaded and built as every process
// of the cluster builds it), the state backend and checkpoint storage its subtasks write to (the
// storage every process of the cluster reaches), and the snapshots attempts restore (each read once
// from the storage, or from the savepoint path). Under high availability the storage writes the
// keys of the JobManager leadership that deployed the job (its storageEpoch), so that what an
// attempt of a deposed leader still writes never mixes into the new leader's checkpoints.
// Imports api/ types, state/ and actors/deploy.
import type { JobGraph } from '../../api/graph/job-graph.ts';
import type { CheckpointMetadataInput, CheckpointStorage, ReadFilter } from '../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../state/snapshot/checkpoint-snapshot.ts';
import type { SubtaskSnapshot, SubtaskWriteResult } from '../../state/snapshot/subtask-snapshot.ts';
import { createStateBackend, type StateBackend } from '../../state/snapshot/state-backend.ts';
import { readRestorePoint } from '../checkpoint/restore-point.ts';
import { buildJobGraph } from '../deploy/job-loader.ts';
import { shippedBundles, type JobModuleSource } from './process-environment.ts';
import type { DeploymentDescriptor } from './cluster-messages.protocol.ts';

/** Fetches a job bundle from the JobManager's blob store. */
export type BundleFetcher = (key: string) => Promise<Uint8Array>;

/** One job's resources on a TaskManager. */
export class TaskExecutorJob {
  /** The job's graph, built from its bundle. */
  readonly graph: Promise<JobGraph>;
  private checkpointing: CheckpointHandles | undefined;
  private readonly restores = new Map<string, Promise<CheckpointSnapshot>>();
  private closed = false;
  /** The leadership whose storage keys the job's subtasks write (0 without high availability). */
  readonly storageEpoch: number;

  constructor(readonly jobId: string, first: DeploymentDescriptor, fetch: BundleFetcher, jobs: JobModuleSource = shippedBundles) {
    this.storageEpoch = first.storageEpoch ?? 0;
    this.graph = (async () => {
      const bundle = await fetch(first.blobKey);
      const module = await jobs.load(bundle, first.blobKey);
      const graph = await buildJobGraph(module, first.submitOptions);
      const ft = graph.config.faultTolerance as Record<string, unknown>;
      // The JobManager's choices for the cluster (shared storage) override the job's defaults.
      if (first.checkpointStorage !== undefined) ft.checkpointStorage = first.checkpointStorage;
      if (first.stateBackend !== undefined) ft.stateBackend = first.stateBackend;
      return graph;
    })();
    this.graph.catch(() => {});
  }

  /** Whether the job takes periodic checkpoints. */
  static checkpointingEnabled(graph: JobGraph): boolean {
    return graph.config.faultTolerance.checkpointing !== undefined;
  }

  /**
   * The job's state backend and checkpoint storage in this process, usable at once: the storage
   * opens on first use (a KV file is checked by a trial open in a child process, about 0.1 s of
   * CPU) and its calls wait for it, so that deploying a subtask does not. A job without periodic
   * checkpoints opens it only for a savepoint. `opened()` opens it now and rejects with the
   * reason it cannot be used.
   */
  checkpointHandles(graph: JobGraph): CheckpointHandles {
    if (this.checkpointing === undefined) {
      const ft = graph.config.faultTolerance as { stateBackend?: 'memory' | 'kv' | StateBackend; checkpointStorage?: string };
      // The JobManager names the storage every process reaches, also for a job without periodic
      // checkpoints: its savepoints are written there.
      const backend = createStateBackend(ft.stateBackend ?? 'memory');
      let opening: Promise<CheckpointStorage> | undefined;
      const open = (): Promise<CheckpointStorage> => {
        opening ??= backend.createCheckpointStorage({ jobId: this.jobId, path: ft.checkpointStorage, epoch: this.storageEpoch }).then(async (inner) => {
          // Released while it opened: closed here, once (close() skips a storage that never opened).
          if (this.closed) {
            await inner.close();
            throw new Error(`job ${this.jobId} was released on this TaskManager while its checkpoint storage opened`);
          }
          return inner;
        });
        return opening;
      };
      this.checkpointing = {
        backend,
        storage: new SubtaskOrderedStorage(this.jobId, this.storageEpoch, open),
        opened: () => open().then(() => undefined),
        isOpening: () => opening !== undefined,
      };
    }
    return this.checkpointing;
  }

  /** The job's state backend and checkpoint storage in this process, once the storage is open. */
  async storage(): Promise<{ backend: StateBackend; storage: CheckpointStorage }> {
    const handles = this.checkpointHandles(await this.graph);
    await handles.opened();
    return handles;
  }

  /** The snapshot `restore` names (a checkpoint of the job's storage, or a savepoint path). */
  restoreSnapshot(restore: NonNullable<DeploymentDescriptor['restore']>): Promise<CheckpointSnapshot> {
    const key = 'checkpointId' in restore ? `checkpoint:${restore.epoch ?? 0}:${restore.checkpointId}` : `path:${restore.path}`;
    let snapshot = this.restores.get(key);
    if (snapshot === undefined) {
      snapshot = 'checkpointId' in restore
        ? this.storage().then(({ storage }) => storage.atEpoch!(restore.epoch ?? 0).readCheckpoint(restore.checkpointId))
        : readRestorePoint(restore.path);
      this.restores.set(key, snapshot);
      snapshot.catch(() => { if (this.restores.get(key) === snapshot) this.restores.delete(key); });
    }
    return snapshot;
  }

  /** Releases the storage. */
  async close(): Promise<void> {
    this.closed = true;
    this.restores.clear();
    const open = this.checkpointing;
    this.checkpointing = undefined;
    // A storage never opened has nothing to close (and is not opened for it).
    if (open?.isOpening()) await open.opened().then(() => open.storage.close(), () => {});
  }
}

/**
 * Checkpoint storage whose writes of one subtask's state happen one after another. An incremental
 * snapshot builds on the subtask's previous one, whose write must have finished; storage shared by
 * several processes (one KV file) can make a write slow enough for the next to overtake it.
 */
class SubtaskOrderedStorage implements CheckpointStorage {
  private readonly last = new Map<string, Promise<unknown>>();

  /** `open` opens the storage (once): every call waits for it. */
  constructor(readonly jobId: string, readonly epoch: number, private readonly open: () => Promise<CheckpointStorage>) {}

  private get inner(): Promise<CheckpointStorage> { return this.open(); }

  /** Reads another epoch's checkpoints (a storage without epochs has only epoch 0). */
  atEpoch(epoch: number): CheckpointStorage {
    if (epoch === this.epoch) return this;
    let other: Promise<CheckpointStorage> | undefined;
    return new SubtaskOrderedStorage(this.jobId, epoch, () => other ??= this.open().then((inner) => {
      if (inner.atEpoch === undefined) throw new Error(`the checkpoint storage of job ${this.jobId} has no checkpoints of JobManager epoch ${epoch}`);
      return inner.atEpoch(epoch);
    }));
  }

  writeSubtaskState(checkpointId: number, state: SubtaskSnapshot): Promise<SubtaskWriteResult> {
    const key = `${state.operatorUid}#${state.subtaskIndex}`;
    const write = (this.last.get(key) ?? Promise.resolve()).then(() => this.inner).then((inner) => inner.writeSubtaskState(checkpointId, state));
    const settled = write.catch(() => {});
    this.last.set(key, settled);
    void settled.then(() => { if (this.last.get(key) === settled) this.last.delete(key); });
    return write;
  }

  async writeMetadata(checkpointId: number, metadata: CheckpointMetadataInput): Promise<void> { return (await this.inner).writeMetadata(checkpointId, metadata); }
  async readLatestCompleted(options?: { fallbackOnCorruption?: boolean }): Promise<CheckpointSnapshot | undefined> { return (await this.inner).readLatestCompleted(options); }
  async readCheckpoint(checkpointId: number, filter?: ReadFilter): Promise<CheckpointSnapshot> { return (await this.inner).readCheckpoint(checkpointId, filter); }
  async discard(checkpointId: number): Promise<void> { return (await this.inner).discard(checkpointId); }
  async list(): Promise<number[]> { return (await this.inner).list(); }
  async close(): Promise<void> { return (await this.inner).close(); }
}

/** A job's state backend and checkpoint storage on a TaskManager (see checkpointHandles). */
interface CheckpointHandles {
  readonly backend: StateBackend;
  readonly storage: CheckpointStorage;
  /** Opens the storage (once) and settles when it is open. */
  opened(): Promise<void>;
  /** Whether it was opened (or is opening). */
  isOpening(): boolean;
}
