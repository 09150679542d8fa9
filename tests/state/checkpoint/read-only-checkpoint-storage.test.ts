// Checkpoint storage in a directory that cannot be written: it opens, every write fails at once
// naming the location (so the checkpoint fails like any other), and reads find what is there or
// fail naming the location; the native KV library never gets a write it cannot make.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import type { SubtaskSnapshot } from '../../../state/snapshot/subtask-snapshot.ts';
import { makeReadOnly } from '../../support/read-only-dir.ts';

const state = (list: number[]): SubtaskSnapshot => ({ operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { list } });

async function rejection(promise: Promise<unknown>): Promise<string> {
  try { await promise; } catch (error) { return String(error); }
  assert.unreachable('the operation must fail');
  return '';
}

test('an empty read-only directory: no checkpoints, and writing one fails naming the location', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-ro-cp-'));
  const undo = makeReadOnly(dir);
  if (typeof undo === 'string') { console.log(`skipped: ${undo}`); rmSync(dir, { recursive: true, force: true }); return; }
  try {
    const storage = await KvCheckpointStorage.open('job', dir);
    assert.equal(await storage.list(), []);
    assert.is(await storage.readLatestCompleted(), undefined);
    const message = await rejection(storage.writeSubtaskState(1, state([1])));
    assert.match(message, `checkpoint storage ${join(dir, 'checkpoints.kv')} cannot be written`);
    assert.match(await rejection(storage.writeMetadata(1, { timestamp: 1 })), /cannot be written/);
    await storage.close();
  } finally {
    undo();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoints in a directory made read-only: read exactly or refused naming it; writes fail naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-ro-cp-'));
  const writer = await KvCheckpointStorage.open('job', dir);
  await writer.writeSubtaskState(1, state([7, 8]));
  await writer.writeMetadata(1, { timestamp: 1, operators: { op: 1 } });
  await writer.close();
  const undo = makeReadOnly(dir);
  if (typeof undo === 'string') { console.log(`skipped: ${undo}`); rmSync(dir, { recursive: true, force: true }); return; }
  try {
    const storage = await KvCheckpointStorage.open('job', dir);
    try {
      const latest = await storage.readLatestCompleted();
      assert.equal(latest?.operators.op.subtasks[0].operatorState, { list: [7, 8] });
    } catch (error) {
      assert.match(String(error), join(dir, 'checkpoints.kv'));
    }
    assert.match(await rejection(storage.writeSubtaskState(2, state([9]))), `${join(dir, 'checkpoints.kv')} cannot be written`);
    await storage.close();
  } finally {
    undo();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
