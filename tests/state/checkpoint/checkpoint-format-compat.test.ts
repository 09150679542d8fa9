// Checkpoints written before values were sealed with checksums (plain msgpack values, metadata as
// a stored object) are still read, the same as the sealed format; a sealed checkpoint refuses a
// value without a checksum.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { CheckpointCorruptedError } from '../../../state/checkpoint/checkpoint-storage.ts';
import { encodeValue } from '../../../state/kv/kv-value.ts';

const delta = { full: true, states: { count: [['a', '', 3], ['b', '', 5]] }, deletions: {} };
const record = { keyGroupRange: { start: 0, end: 127 }, timers: {}, operatorState: { offsets: [42] } };

/** Writes checkpoint 1 of job `j` in the layout of the first format: nothing sealed. */
async function writeUnsealed(kv: MemoryKvStore, j: string): Promise<void> {
  await kv.set(['cpsub', j, 1, 'op', 0], { chain: [1], keyGroups: [7], complete: true, parallelism: 1, maxParallelism: 128 });
  await kv.set(['cp', j, 1, 'op', 'kg', 7], encodeValue(delta));
  await kv.set(['cp', j, 1, 'op', 'sub', 0], encodeValue(record));
  await kv.set(['cpmeta', j, 1], { checkpointId: 1, timestamp: 9, properties: {}, operators: { op: { parallelism: 1, maxParallelism: 128, subtasks: { 0: [1] } } } });
}

test('a checkpoint of the first (unsealed) format reads the same as one written sealed now', async () => {
  const kv = new MemoryKvStore();
  await writeUnsealed(kv, 'old');
  const old = await new KvCheckpointStorage('old', kv).readCheckpoint(1);
  const storage = new KvCheckpointStorage('new', kv);
  await storage.writeSubtaskState(1, {
    operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, keyGroupRange: { start: 0, end: 127 },
    keyed: { maxParallelism: 128, keyGroups: { 7: delta.states as never } }, timers: {}, operatorState: { offsets: [42] },
  });
  await storage.writeMetadata(1, { timestamp: 9, properties: {} });
  const fresh = await storage.readCheckpoint(1);
  assert.equal({ ...old, jobId: 'new' }, fresh);
  assert.equal(old.operators.op.keyGroups[7].states.count, [['a', '', 3], ['b', '', 5]]);
});

test('a sealed checkpoint refuses a value without a checksum, naming it', async () => {
  const kv = new MemoryKvStore();
  const storage = new KvCheckpointStorage('job', kv);
  await storage.writeSubtaskState(1, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, operatorState: { offsets: [1] } });
  await storage.writeMetadata(1, { timestamp: 1 });
  await kv.set(['cp', 'job', 1, 'op', 'sub', 0], encodeValue({ operatorState: { offsets: [999] } }));
  try {
    await storage.readCheckpoint(1);
    assert.unreachable('an unsealed value in a sealed checkpoint was accepted');
  } catch (error) {
    assert.instance(error, CheckpointCorruptedError);
    assert.match(String(error), /checkpoint 1 of job job is corrupt or incomplete: operator op: state of subtask 0 is damaged \(no checksum/);
  }
});

test.run();
