// Savepoint files: round trip through a directory, restore at another parallelism, clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { keyGroupRangeForOperator } from '../../../state/key-groups.ts';
import { MapStateDescriptor } from '../../../state/state-descriptors.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { readSavepoint, writeSavepoint } from '../../../state/snapshot/savepoint-file.ts';
import { snapshotSubtask } from '../../../state/snapshot/subtask-snapshot.ts';

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

test('cleanup', () => { rmSync(dir, { recursive: true, force: true }); });

test.run();
