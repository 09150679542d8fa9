import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRestorePoint } from '../../../actors/checkpoint/restore-point.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { writeSavepoint } from '../../../state/snapshot/savepoint-file.ts';
import { openKvStore } from '../../../state/kv/kv-store.ts';

const snapshot = (jobId: string, checkpointId: number) => ({ jobId, checkpointId, timestamp: 5, properties: {}, operators: {} });

test('a savepoint file is read as it is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rp-'));
  try {
    const path = await writeSavepoint(dir, snapshot('job-a', 7));
    const restored = await readRestorePoint(path);
    assert.is(restored.checkpointId, 7);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a checkpoint storage directory restores its newest completed checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rp-'));
  try {
    const storage = await KvCheckpointStorage.open('job-b', dir);
    await storage.writeSubtaskState(1, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { list: [1] } });
    await storage.writeMetadata(1, { timestamp: 10, operators: { op: 1 } });
    await storage.writeSubtaskState(2, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { list: [2] } });
    await storage.writeMetadata(2, { timestamp: 20, operators: { op: 1 } });
    await storage.close();
    const restored = await readRestorePoint(dir);
    assert.is(restored.checkpointId, 2);
    assert.equal(restored.operators.op.subtasks[0].operatorState, { list: [2] });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an empty directory or a stray file fails clearly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rp-'));
  try {
    try { await readRestorePoint(dir); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /no completed checkpoint/); }
    const stray = join(dir, 'notes.txt');
    writeFileSync(stray, 'hello');
    try { await readRestorePoint(stray); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /savepoint|checkpoint/); }
    try { await readRestorePoint(join(dir, 'missing')); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /cannot read savepoint/); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a damaged savepoint is reported as one, naming it (never opened as a KV file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rp-'));
  try {
    const bytes = readFileSync(await writeSavepoint(dir, snapshot('job-c', 3)));
    bytes[bytes.byteLength - 30] ^= 0x10;
    const damaged = join(dir, 'damaged.msgpack');
    writeFileSync(damaged, bytes);
    try { await readRestorePoint(damaged); assert.unreachable(); } catch (e) { assert.match((e as Error).message, `savepoint ${damaged} is corrupt: checksum mismatch`); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('retained checkpoints: a damaged newest one falls back to the older; a damaged KV file is refused naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-rp-'));
  try {
    const storage = await KvCheckpointStorage.open('job-d', dir);
    for (const c of [1, 2]) {
      await storage.writeSubtaskState(c, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { list: [c] } });
      await storage.writeMetadata(c, { timestamp: c, operators: { op: 1 } });
    }
    await storage.close();
    const file = join(dir, 'checkpoints.kv');
    const kv = await openKvStore(file);
    const record = await kv.get(['cp', 'job-d', 2, 'op', 'sub', 0]) as Uint8Array;
    record[record.byteLength - 1] ^= 1;
    await kv.set(['cp', 'job-d', 2, 'op', 'sub', 0], record);
    kv.close();
    const restored = await readRestorePoint(dir);
    assert.is(restored.checkpointId, 1);
    assert.equal(restored.operators.op.subtasks[0].operatorState, { list: [1] });
    writeFileSync(file, new Uint8Array(4096).fill(0x5a));
    try { await readRestorePoint(dir); assert.unreachable(); } catch (e) { assert.match((e as Error).message, `KV file ${file} is not a KV database`); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test.run();
