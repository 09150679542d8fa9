// Savepoint files: round trip through a directory, restore at another parallelism, clear errors,
// damaged files refused by their checksum, files of the first format still read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { keyGroupRangeForOperator } from '../../../state/key-groups.ts';
import { MapStateDescriptor } from '../../../state/state-descriptors.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { readSavepoint, writeSavepoint } from '../../../state/snapshot/savepoint-file.ts';
import { snapshotSubtask } from '../../../state/snapshot/subtask-snapshot.ts';
import { encodeValue } from '../../../state/kv/kv-value.ts';
import { Random, testSeed } from '../../support/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-savepoint-'));
const desc = new MapStateDescriptor<string, number>('m');

test('a savepoint round-trips and restores at another parallelism', async () => {
  const storage = new MemoryCheckpointStorage('job');
  const source = new HeapKeyedStateBackend({ maxParallelism: 16, keyGroupRange: { start: 0, end: 15 } });
  const m = source.getMapState(desc);
  for (let i = 0; i < 50; i++) { source.setCurrentKey(`k${i}`); m.put('a', i); m.put('b', -i); }
  await storage.writeSubtaskState(7, snapshotSubtask(7, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: source }));
  await storage.writeMetadata(7, { timestamp: 1, properties: { savepoint: true } });
  const path = await writeSavepoint(join(dir, 'sp'), (await storage.readLatestCompleted())!);
  assert.equal(readdirSync(join(dir, 'sp')).filter((f) => f.endsWith('.inprogress')), []);
  const savepoint = await readSavepoint(path);
  assert.is(savepoint.checkpointId, 7);
  let keys = 0;
  for (let i = 0; i < 3; i++) {
    const target = new HeapKeyedStateBackend({ maxParallelism: 16, keyGroupRange: keyGroupRangeForOperator(16, 3, i) });
    restoreSubtask(savepoint, { operatorUid: 'op', subtaskIndex: i, parallelism: 3, keyed: target });
    for (const key of target.getKeys('m', '')) {
      target.setCurrentKey(key);
      const n = Number(String(key).slice(1));
      assert.equal([...target.getMapState(desc).entries()], [['a', n], ['b', -n]]);
      keys++;
    }
  }
  assert.is(keys, 50);
});

test('reading something that is not a savepoint fails clearly', async () => {
  writeFileSync(join(dir, 'junk'), 'hello');
  for (const [path, message] of [[join(dir, 'missing'), /cannot read savepoint/], [join(dir, 'junk'), /is corrupt|is not a savepoint/]] as const) {
    let error: unknown;
    try { await readSavepoint(path); } catch (e) { error = e; }
    assert.match(String(error), message);
  }
});

test('a savepoint with a flipped bit is refused naming its path, never restored wrong', async () => {
  const random = new Random(testSeed('savepoint-flips'));
  const storage = new MemoryCheckpointStorage('job');
  const source = new HeapKeyedStateBackend({ maxParallelism: 16, keyGroupRange: { start: 0, end: 15 } });
  const m = source.getMapState(desc);
  for (let i = 0; i < 20; i++) { source.setCurrentKey(`k${i}`); m.put('a', i); }
  await storage.writeSubtaskState(3, snapshotSubtask(3, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: source }));
  await storage.writeMetadata(3, { timestamp: 1 });
  const original = (await storage.readLatestCompleted())!;
  const path = await writeSavepoint(join(dir, 'flips'), original);
  const bytes = readFileSync(path);
  const flipped = join(dir, 'flipped.msgpack');
  // The first 64 bytes (format tag, framing, checksum header) bit by bit, then a seeded sample.
  const bits = [...Array(64 * 8).keys(), ...Array.from({ length: 300 }, () => random.int(0, bytes.byteLength * 8 - 1))];
  for (const bit of bits) {
    const copy = bytes.slice();
    copy[bit >> 3] ^= 1 << (bit & 7);
    writeFileSync(flipped, copy);
    let error: unknown;
    try { await readSavepoint(flipped); } catch (e) { error = e; }
    assert.ok(error !== undefined, `bit ${bit} flipped and the savepoint was accepted`);
    assert.match(String(error), flipped, `the error names the file (bit ${bit})`);
  }
});

test('a savepoint of the first format (no checksum) is still read', async () => {
  const checkpoint = { jobId: 'old', checkpointId: 4, timestamp: 1, properties: {}, operators: {} };
  const path = join(dir, 'v1.msgpack');
  writeFileSync(path, encodeValue({ format: 'actorflow-savepoint-v1', checkpoint }));
  assert.equal(await readSavepoint(path), checkpoint);
});

test('cleanup', () => { rmSync(dir, { recursive: true, force: true }); });

test.run();
