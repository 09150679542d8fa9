import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRestorePoint } from '../../../actors/checkpoint/restore-point.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { writeSavepoint } from '../../../state/snapshot/savepoint-file.ts';

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

test.run();
