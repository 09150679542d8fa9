// W5 of BENCH.md, fault tolerance costs: 1M keys of value state in a HeapKeyedStateBackend
// (maxParallelism 128, one subtask owning every key group) are checkpointed into KV-backed
// checkpoint storage (the `kv` state backend's, over a KV file in a temporary directory, removed
// afterwards): a full checkpoint, then an incremental one after 1% of the keys changed. Prints one
// line per figure: bytes written by each and their ratio (incremental / full, expected ~0.01), the
// duration of each checkpoint (snapshot + write + completion), and the restore time (read the
// incremental checkpoint, restore it into a fresh backend; checked key by key).
// Checkpoints are slow, so the figures are medians of ROUNDS rounds taken once, in setup; the
// harness line then compares restoring the 1M keys from the checkpoint (subject) with building the
// same state in a fresh backend from a plain array (baseline).
// Imports state/ modules and the harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend.ts';
import { ValueStateDescriptor } from '../state/state-descriptors.ts';
import type { CheckpointSnapshot } from '../state/snapshot/checkpoint-snapshot.ts';
import type { CheckpointStorage } from '../state/checkpoint/checkpoint-storage.ts';
import { restoreSubtask } from '../state/snapshot/restore-subtask.ts';
import { createStateBackend } from '../state/snapshot/state-backend.ts';
import { snapshotSubtask } from '../state/snapshot/subtask-snapshot.ts';
import { benchmark, median } from './harness.ts';

const KEYS = 1_000_000;
const CHANGED = KEYS / 100;
const ROUNDS = 1;
const MAX_PARALLELISM = 128;
const UID = 'w5-count';
const value = new ValueStateDescriptor<number>('value');
const keys = Array.from({ length: KEYS }, (_, i) => 'k' + i);

/** A fresh backend owning every key group. */
function freshBackend(): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend({ maxParallelism: MAX_PARALLELISM, keyGroupRange: { start: 0, end: MAX_PARALLELISM - 1 } });
}

/** Sets key i to `valueOf(i)` for i in [from, to) with `step`. */
function fill(backend: HeapKeyedStateBackend, from: number, to: number, step: number, valueOf: (i: number) => number): void {
  const state = backend.getValueState(value);
  for (let i = from; i < to; i += step) {
    backend.setCurrentKey(keys[i]);
    state.update(valueOf(i));
  }
}

/** Checks that `backend` holds key i = expected(i) for every key. */
function check(backend: HeapKeyedStateBackend, expected: (i: number) => number): void {
  const state = backend.getValueState(value);
  if (backend.numEntries() !== KEYS) throw new Error(`restored ${backend.numEntries()} entries, expected ${KEYS}`);
  for (let i = 0; i < KEYS; i++) {
    backend.setCurrentKey(keys[i]);
    if (state.value() !== expected(i)) throw new Error(`key ${keys[i]}: restored ${state.value()}, expected ${expected(i)}`);
  }
}

/** Takes incremental checkpoint `id` of `backend` into `storage`; returns bytes written and ms taken. */
async function checkpoint(storage: CheckpointStorage, backend: HeapKeyedStateBackend, id: number): Promise<{ bytes: number; ms: number }> {
  const start = performance.now();
  const snapshot = snapshotSubtask(id, { operatorUid: UID, subtaskIndex: 0, parallelism: 1, keyed: backend }, { incremental: true });
  const { bytes } = await storage.writeSubtaskState(id, snapshot);
  await storage.writeMetadata(id, { timestamp: id, operators: { [UID]: 1 } });
  return { bytes, ms: performance.now() - start };
}

/** Reads checkpoint `id` and restores it into a fresh backend; returns the backend and ms taken. */
async function restore(storage: CheckpointStorage, id: number): Promise<{ backend: HeapKeyedStateBackend; ms: number }> {
  const start = performance.now();
  const cp: CheckpointSnapshot = await storage.readCheckpoint(id);
  const backend = freshBackend();
  restoreSubtask(cp, { operatorUid: UID, subtaskIndex: 0, parallelism: 1, keyed: backend }, { requireOperator: true });
  return { backend, ms: performance.now() - start };
}

const fmtBytes = (b: number): string => b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`;
const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;

let dir: string | undefined;
let storage: CheckpointStorage | undefined;
let restoreId = 0;
const afterIncremental = (i: number): number => (i % 100 === 0 ? i + 1 : i);

/** Measures ROUNDS rounds of full checkpoint, 1% change, incremental checkpoint, restore; prints the figures. */
async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'actorflow-bench-w5-'));
  process.on('exit', () => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }); });
  storage = await createStateBackend('kv').createCheckpointStorage({ jobId: 'w5', path: join(dir, 'checkpoints.kv') });
  const full: Array<{ bytes: number; ms: number }> = [];
  const incremental: Array<{ bytes: number; ms: number }> = [];
  const restores: number[] = [];
  let id = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const backend = freshBackend();
    fill(backend, 0, KEYS, 1, (i) => i);
    full.push(await checkpoint(storage, backend, ++id));
    fill(backend, 0, KEYS, 100, (i) => i + 1); // 1% of the keys, spread over every key group
    incremental.push(await checkpoint(storage, backend, ++id));
    const restored = await restore(storage, id);
    restores.push(restored.ms);
    check(restored.backend, afterIncremental);
    restoreId = id;
  }
  const fullBytes = median(full.map((c) => c.bytes));
  const incrementalBytes = median(incremental.map((c) => c.bytes));
  const of = `(median of ${ROUNDS} round${ROUNDS > 1 ? 's' : ''})`;
  console.log(`w5-fault-tolerance: full checkpoint of ${KEYS} keys ${fmtBytes(fullBytes)} written ${of}`);
  console.log(`w5-fault-tolerance: incremental checkpoint, ${CHANGED} keys changed, ${fmtBytes(incrementalBytes)} written ${of}`);
  console.log(`w5-fault-tolerance: bytes ratio incremental/full ${(incrementalBytes / fullBytes).toFixed(4)} (target ~0.01)`);
  console.log(`w5-fault-tolerance: full checkpoint duration ${fmtMs(median(full.map((c) => c.ms)))} ${of}`);
  console.log(`w5-fault-tolerance: incremental checkpoint duration ${fmtMs(median(incremental.map((c) => c.ms)))} ${of}`);
  console.log(`w5-fault-tolerance: restore of ${KEYS} keys (read + restore) ${fmtMs(median(restores))} ${of}`);
}

benchmark('w5-fault-tolerance', {
  records: KEYS, setup, runs: 5, warmup: 1,
  baseline: () => { const b = freshBackend(); fill(b, 0, KEYS, 1, afterIncremental); return b.numEntries(); },
  subject: async () => (await restore(storage!, restoreId)).backend.numEntries(),
});
