// Checkpoints with flipped bits (memory and KV file storage; single KV entries, and bytes of the
// KV file itself): each read either refuses the damaged checkpoint with an error naming it, falling
// back to an earlier one that is exactly as written, or returns the checkpoint exactly as written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { assignKeyToParallelOperator, keyGroupRangeForOperator } from '../../../state/key-groups.ts';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { openKvStore, type KvEntry, type KvStore } from '../../../state/kv/kv-store.ts';
import type { CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { snapshotSubtask } from '../../../state/snapshot/subtask-snapshot.ts';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { Random, testSeed } from '../../support/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-flips-'));
const random = new Random(testSeed('checkpoint-bit-flips'));

/** Writes 4 checkpoints (incremental chains, two subtasks, timers-free keyed and operator state); returns each as read back intact. */
async function writeCheckpoints(storage: KvCheckpointStorage): Promise<Map<number, CheckpointSnapshot>> {
  const backends = [0, 1].map((i) => new HeapKeyedStateBackend({ maxParallelism: 16, keyGroupRange: keyGroupRangeForOperator(16, 2, i) }));
  const count = new ValueStateDescriptor<number>('count');
  const tags = new MapStateDescriptor<string, number>('tags');
  const written = new Map<number, CheckpointSnapshot>();
  for (let c = 1; c <= 4; c++) {
    for (let k = 0; k < 40; k++) {
      const b = backends[assignKeyToParallelOperator(k, 16, 2)];
      b.setCurrentKey(k);
      b.getValueState(count).update(c * 100 + k);
      if ((k + c) % 3 === 0) b.getMapState(tags).put(`t${c}`, k);
    }
    for (const [i, b] of backends.entries()) {
      const parts = { operatorUid: 'count', subtaskIndex: i, parallelism: 2, keyed: b, operatorState: { offsets: [c * 10 + i] } };
      await storage.writeSubtaskState(c, snapshotSubtask(c, parts, { incremental: true }));
    }
    await storage.writeMetadata(c, { timestamp: c, properties: { enumerators: { numbers: { next: c * 1000 } } }, operators: { count: 2 } });
    written.set(c, await storage.readCheckpoint(c));
  }
  return written;
}

/** Reads the newest readable checkpoint; it must be exactly as written, or refused naming itself. */
async function assertExactOrRefused(storage: KvCheckpointStorage, written: Map<number, CheckpointSnapshot>, what: string): Promise<'exact' | 'fallback' | 'refused'> {
  let latest: CheckpointSnapshot | undefined;
  try {
    latest = await storage.readLatestCompleted({ fallbackOnCorruption: true });
  } catch (error) {
    assert.match(String(error), new RegExp(`checkpoint|${storage.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `${what}: the error names what failed`);
    return 'refused';
  }
  if (latest === undefined) return 'refused';
  assert.equal(latest, written.get(latest.checkpointId), `${what}: checkpoint ${latest.checkpointId} restored wrong`);
  return latest.checkpointId === 4 ? 'exact' : 'fallback';
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

async function allEntries(kv: KvStore): Promise<KvEntry[]> {
  return [...await kv.list(['cp']), ...await kv.list(['cpsub']), ...await kv.list(['cpmeta'])];
}

for (const kind of ['memory', 'file'] as const) {
  test(`${kind}: a flipped bit in any checkpoint entry is refused or the read is exact`, async () => {
    const kv: KvStore = kind === 'file' ? await openKvStore(join(dir, 'entries.kv')) : new MemoryKvStore();
    const storage = new KvCheckpointStorage('job', kv, false, 0, kind);
    const written = await writeCheckpoints(storage);
    const entries = await allEntries(kv);
    const outcomes = { exact: 0, fallback: 0, refused: 0 };
    for (let trial = 0; trial < 120; trial++) {
      const entry = random.pick(entries);
      const bytes = entry.value as Uint8Array;
      assert.instance(bytes, Uint8Array, 'every checkpoint value is stored as sealed bytes');
      const bit = random.int(0, bytes.byteLength * 8 - 1);
      await kv.set(entry.key, flipBit(bytes, bit));
      outcomes[await assertExactOrRefused(storage, written, `bit ${bit} of ${entry.key.join('/')}`)]++;
      await kv.set(entry.key, bytes);
    }
    console.log(`${kind} entries: ${JSON.stringify(outcomes)}`);
    // A flip in a value the newest checkpoint reads always makes it fall back.
    assert.ok(outcomes.fallback > 0, `some flips made the read fall back (${JSON.stringify(outcomes)})`);
    kv.close();
  });
}

test('file: a flipped bit anywhere in the KV file is refused naming the file, or the read is exact', async () => {
  const original = join(dir, 'whole.kv');
  const storage = await KvCheckpointStorage.open('job', original);
  const written = await writeCheckpoints(storage);
  await storage.close();
  const bytes = readFileSync(original);
  const size = statSync(original).size;
  const outcomes = { exact: 0, fallback: 0, refused: 0, unopenable: 0 };
  for (let trial = 0; trial < 24; trial++) {
    // Half the flips in the first pages (header, schema, the KV table's upper levels).
    const bit = trial % 2 === 0 ? random.int(0, Math.min(size, 16_384) * 8 - 1) : random.int(0, size * 8 - 1);
    const path = join(dir, `flipped-${trial}.kv`);
    writeFileSync(path, flipBit(bytes, bit));
    let damaged: KvCheckpointStorage;
    try {
      damaged = await KvCheckpointStorage.open('job', path);
    } catch (error) {
      assert.match(String(error), path, `bit ${bit}: the error names the file`);
      outcomes.unopenable++;
      continue;
    }
    try {
      outcomes[await assertExactOrRefused(damaged, written, `file bit ${bit}`)]++;
    } finally {
      await damaged.close();
    }
  }
  console.log(`file bytes: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.exact + outcomes.fallback + outcomes.refused + outcomes.unopenable === 24, JSON.stringify(outcomes));
  copyFileSync(original, join(dir, 'intact.kv'));
  const intact = await KvCheckpointStorage.open('job', join(dir, 'intact.kv'));
  assert.equal(await intact.readLatestCompleted(), written.get(4), 'the intact file restores exactly');
  await intact.close();
});

test('cleanup', () => { rmSync(dir, { recursive: true, force: true }); });

test.run();
