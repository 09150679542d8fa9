// RecoveredCheckpoint, through JobCheckpointing with high availability: two JobManager leaderships
// of one job share its checkpoint storage, each fenced by its epoch (FencedStateBackend, as the
// JobManager service wires it). The first completes incremental checkpoints; the second recovers
// the latest one (recoverLatest) and, once `retainedCheckpoints` checkpoints of its own completed
// (savepoints do not count), that one is gone from the first epoch's keys, data included, while
// the second's checkpoints stay whole. A job restored from a savepoint path discards nothing of
// another epoch. The job's one subtask is reached as a TaskManager's would be (a checkpoint
// handle), writing keyed state through the backend's incremental snapshots.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobGraph, JobVertex } from '../../../api/graph/job-graph.ts';
import { ManualClock } from '../../../api/time/clock.ts';
import { JobCheckpointing, type SubtaskCheckpointHandle } from '../../../actors/checkpoint/job-checkpointing.ts';
import { subtaskKey, type SubtaskCheckpointListener } from '../../../actors/checkpoint/subtask-checkpointer.ts';
import { CheckpointFence, FencedStateBackend } from '../../../actors/ha/checkpoint-fence.ts';
import { CheckpointNotFoundError, type DiscardOptions } from '../../../state/checkpoint/checkpoint-storage.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { openKvStore, type KvStore } from '../../../state/kv/kv-store.ts';
import { keyedStateOf, type CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { kvStateBackend } from '../../../state/snapshot/state-backend.ts';
import { ValueStateDescriptor } from '../../../state/state-descriptors.ts';

const JOB = 'job-1';

/** A discard some leadership started: which epoch's keys, which checkpoint, and its end. */
interface Discard { readonly epoch: number; readonly checkpointId: number; readonly done: Promise<void> }

/** KV checkpoint storage that records the discards it starts (JobCheckpointing does not wait for them). */
class TrackedStorage extends KvCheckpointStorage {
  constructor(private readonly store: KvStore, epoch: number, readonly discards: Discard[]) { super(JOB, store, false, epoch); }

  override atEpoch(epoch: number): TrackedStorage { return new TrackedStorage(this.store, epoch, this.discards); }

  override discard(checkpointId: number, options?: DiscardOptions): Promise<void> {
    const done = super.discard(checkpointId, options);
    this.discards.push({ epoch: this.epoch, checkpointId, done: done.catch(() => {}) });
    return done;
  }
}

/** The job's one subtask: each checkpoint writes key `k<id>`, snapshotted incrementally by the job's backend. */
class CountingSubtask {
  readonly keyed = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
  private readonly seen = this.keyed.getValueState(new ValueStateDescriptor<number>('seen'));
  checkpointing!: JobCheckpointing;

  /** Restores what the attempt restores, as a TaskManager's subtask reads it. */
  async restore(): Promise<void> {
    const point = this.checkpointing.restorePoint();
    if (point === undefined || !('checkpointId' in point)) return;
    const storage = this.checkpointing.checkpointStorage!;
    const snapshot = await storage.atEpoch!(point.epoch ?? 0).readCheckpoint(point.checkpointId);
    restoreSubtask(snapshot, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: this.keyed });
  }

  handle(listener: SubtaskCheckpointListener): SubtaskCheckpointHandle {
    return {
      trigger: ({ checkpointId }) => {
        this.keyed.setCurrentKey(`k${checkpointId}`);
        this.seen.update(checkpointId);
        const snapshot = this.checkpointing.stateBackend.snapshotSubtask(checkpointId, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: this.keyed });
        void this.checkpointing.checkpointStorage!.writeSubtaskState(checkpointId, snapshot).then(
          ({ bytes }) => listener.acknowledge(checkpointId, subtaskKey(1, 0), bytes),
          (error: Error) => listener.decline(checkpointId, subtaskKey(1, 0), error.message),
        );
      },
      notifyComplete: async () => {},
      notifyAborted: () => {},
      awaitingFinal: false,
      inputEnded: false,
    };
  }
}

/** The checkpoint storage and HA store two leaderships share. */
interface Shared { readonly kv: MemoryKvStore; readonly fence: CheckpointFence; readonly discards: Discard[] }

/** JobCheckpointing of the leadership of `epoch` (claimed), with its subtask running. */
async function leadership(shared: Shared, epoch: number, retainedCheckpoints: number, from: { recoverLatest?: boolean; path?: string } = {}) {
  await shared.fence.claim(JOB, epoch);
  const backend = { ...kvStateBackend(), createCheckpointStorage: async ({ epoch: e = 0 }) => new TrackedStorage(shared.kv, e, shared.discards) };
  const head = { id: 1, name: 'op', uid: 'op' };
  const vertex = { id: 1, name: 'op', parallelism: 1, maxParallelism: 8, head, nodes: [head], inputs: [], outputs: [] } as unknown as JobVertex;
  const subtask = new CountingSubtask();
  const task = { name: 'op (1/1)', vertex, subtaskIndex: 0, createCheckpointHandle: (listener: SubtaskCheckpointListener) => subtask.handle(listener) };
  const graph = {
    jobName: 'counting', vertices: [vertex], edges: [],
    config: {
      faultTolerance: {
        checkpointing: { intervalMs: 0, retainedCheckpoints }, stateBackend: new FencedStateBackend(backend, shared.fence, epoch),
        ...(from.recoverLatest ? { recoverLatest: true } : {}),
        ...(from.path ? { restore: { path: from.path, allowNonRestoredState: false } } : {}),
      },
    },
  } as unknown as JobGraph;
  const checkpointing = new JobCheckpointing({
    jobId: JOB, graph, clock: new ManualClock(),
    tasks: () => new Map([[vertex, [task as never]]]), enumerators: () => new Map(),
    onCheckpointFailure: (error) => { throw error; },
  });
  subtask.checkpointing = checkpointing;
  await checkpointing.open();
  await subtask.restore();
  checkpointing.start();
  return { checkpointing, subtask };
}

async function shared(): Promise<Shared & { close(): void }> {
  const ha = await openKvStore();
  return { kv: new MemoryKvStore(), fence: new CheckpointFence(ha), discards: [], close: () => ha.close() };
}

/** Every discard started so far has ended. */
async function discardsDone(s: Shared): Promise<void> { await Promise.all(s.discards.map((d) => d.done)); }

async function notFound(read: Promise<unknown>): Promise<boolean> {
  try { await read; return false; } catch (error) { return error instanceof CheckpointNotFoundError; }
}

/** The keys `seen` holds in a checkpoint, sorted. */
function keysOf(snapshot: CheckpointSnapshot): string[] {
  return Object.values(keyedStateOf(snapshot.operators.op).keyGroups).flatMap((g) => (g.seen ?? []).map(([key]) => String(key))).sort();
}

for (const retained of [1, 3]) {
  test(`retaining ${retained}: the recovered checkpoint goes from the old epoch's keys once ${retained} of the new leader's checkpoints completed`, async () => {
    const s = await shared();
    const dir = mkdtempSync(join(tmpdir(), 'af-recovered-'));
    try {
      const first = await leadership(s, 1, retained);
      for (let i = 0; i < 4; i++) await first.checkpointing.triggerCheckpoint();
      const old = new KvCheckpointStorage(JOB, s.kv, false, 1);
      assert.equal(await old.list(), retained === 1 ? [4] : [2, 3, 4]);

      // The first leader is deposed (still alive); the second recovers checkpoint 4 of epoch 1.
      const before = s.discards.length;
      const second = await leadership(s, 2, retained, { recoverLatest: true });
      assert.is(second.checkpointing.restoredCheckpointId, 4);
      assert.equal(second.checkpointing.restorePoint(), { checkpointId: 4, epoch: 1 });

      // A savepoint is no checkpoint of the new leadership: it subsumes nothing.
      await second.checkpointing.triggerSavepoint(dir);
      for (let i = 1; i < retained; i++) await second.checkpointing.triggerCheckpoint();
      await discardsDone(s);
      assert.is((await old.readCheckpoint(4)).checkpointId, 4, `kept while fewer than ${retained} checkpoints of epoch 2 completed`);

      const last = await second.checkpointing.triggerCheckpoint();
      await discardsDone(s);
      assert.ok(await notFound(old.readCheckpoint(4)), 'the recovered checkpoint is discarded');
      assert.equal(s.discards.slice(before).filter((d) => d.epoch !== 2).map((d) => `${d.epoch}/${d.checkpointId}`), ['1/4'], 'nothing else of epoch 1');
      // Its incremental data goes too, but what the first leader's older retained checkpoints
      // (kept here, retaining 3) build on stays: their chains are 1-2 and 1-2-3.
      const dataOf = async (tag: string) => [...new Set((await s.kv.list([tag, JOB, 'e', 1])).map((e) => Number(e.key[4])))].sort((a, b) => a - b);
      assert.equal(await dataOf('cpsub'), retained === 1 ? [] : [1, 2, 3]);
      assert.equal(await dataOf('cp'), retained === 1 ? [] : [1, 2, 3]);

      // The new leader's checkpoints never built on the discarded one: its latest is whole.
      const latest = await second.checkpointing.checkpointStorage!.readLatestCompleted();
      assert.is(latest?.checkpointId, last.checkpointId);
      assert.equal(keysOf(latest!), Array.from({ length: last.checkpointId }, (_, i) => `k${i + 1}`).sort());
      await second.checkpointing.prepareRestart();
      assert.equal(second.checkpointing.restorePoint(), { checkpointId: last.checkpointId, epoch: 2 });
      await first.checkpointing.close();
      await second.checkpointing.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      s.close();
    }
  });
}

test('a job restored from a savepoint path discards nothing of an older epoch', async () => {
  const s = await shared();
  const dir = mkdtempSync(join(tmpdir(), 'af-recovered-'));
  try {
    const first = await leadership(s, 1, 1);
    await first.checkpointing.triggerCheckpoint();
    const path = await first.checkpointing.triggerSavepoint(dir);
    await first.checkpointing.triggerCheckpoint();
    const before = s.discards.length;
    const second = await leadership(s, 2, 1, { path });
    assert.equal(second.checkpointing.restorePoint(), { path });
    for (let i = 0; i < 2; i++) await second.checkpointing.triggerCheckpoint();
    await discardsDone(s);
    assert.equal(s.discards.slice(before).map((d) => `${d.epoch}/${d.checkpointId}`), ['2/3'], 'only its own subsumed checkpoint');
    assert.equal(await new KvCheckpointStorage(JOB, s.kv, false, 1).list(), [3]);
    await first.checkpointing.close();
    await second.checkpointing.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    s.close();
  }
});

test.run();
