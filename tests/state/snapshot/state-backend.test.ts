// State backends end to end: a keyed count with checkpoints, a failure, and recovery at another
// parallelism from the latest completed checkpoint, compared with a plain loop; on both backends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignKeyToParallelOperator, keyGroupRangeForOperator } from '../../../state/key-groups.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { ReducingStateDescriptor } from '../../../state/state-descriptors.ts';
import { createStateBackend, kvStateBackend, memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { Random, testSeed } from '../../support/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-state-backend-'));

test('createStateBackend maps names to backends and passes objects through', () => {
  assert.is(createStateBackend('memory').name, 'memory');
  assert.not.ok(createStateBackend('memory').incremental);
  assert.is(createStateBackend('kv').name, 'kv');
  assert.ok(createStateBackend('kv').incremental);
  const custom = kvStateBackend({ maxChainLength: 3 });
  assert.is(createStateBackend(custom), custom);
  assert.throws(() => createStateBackend('rocksdb' as 'kv'), /unknown state backend "rocksdb"/);
});

const sum = new ReducingStateDescriptor<number>('sum', (a, b) => a + b);

async function recoveryRun(backend: StateBackend, path: string | undefined, seed: number): Promise<void> {
  const rnd = new Random(seed);
  const maxParallelism = 32;
  const records = Array.from({ length: 3000 }, () => ({ key: `user-${rnd.int(0, 200)}`, value: rnd.int(1, 9) }));
  const expected = new Map<string, number>();
  for (const r of records) expected.set(r.key, (expected.get(r.key) ?? 0) + r.value);

  const storage = await backend.createCheckpointStorage({ jobId: 'count', path });
  const start = (parallelism: number) => Array.from({ length: parallelism }, (_, i) => {
    const keyed = backend.createKeyedStateBackend({ maxParallelism, keyGroupRange: keyGroupRangeForOperator(maxParallelism, parallelism, i) });
    const timers = new HeapTimerService(keyed, { onEventTime() {}, onProcessingTime() {} }, () => 0);
    return { keyed, timers, state: keyed.getReducingState(sum) };
  });
  // First attempt: parallelism 2, a checkpoint every 400 records, fails after record 2500.
  let subtasks = start(2);
  let position = 0, lastCompleted = 0;
  for (; position < 2500; position++) {
    if (position > 0 && position % 400 === 0) {
      const checkpointId = position / 400;
      for (const [i, s] of subtasks.entries()) {
        await storage.writeSubtaskState(checkpointId, backend.snapshotSubtask(checkpointId, {
          operatorUid: 'count', subtaskIndex: i, parallelism: 2, keyed: s.keyed, timers: { t: s.timers },
        }));
      }
      await storage.writeSubtaskState(checkpointId, backend.snapshotSubtask(checkpointId, { operatorUid: 'source', subtaskIndex: 0, parallelism: 1, operatorState: { position: [position] } }));
      await storage.writeMetadata(checkpointId, { timestamp: position, operators: { count: 2, source: 1 } });
      if (lastCompleted > 0) await storage.discard(lastCompleted);
      lastCompleted = checkpointId;
    }
    const r = records[position];
    const s = subtasks[assignKeyToParallelOperator(r.key, maxParallelism, 2)];
    s.keyed.setCurrentKey(r.key);
    s.state.add(r.value);
    s.timers.registerEventTimeTimer('', r.value);
  }
  // Recovery at parallelism 3 from the latest completed checkpoint, replaying the source from there.
  const checkpoint = (await storage.readLatestCompleted())!;
  assert.is(checkpoint.checkpointId, 6);
  subtasks = start(3);
  for (const [i, s] of subtasks.entries()) restoreSubtask(checkpoint, { operatorUid: 'count', subtaskIndex: i, parallelism: 3, keyed: s.keyed, timers: { t: s.timers } });
  position = restoreSubtask(checkpoint, { operatorUid: 'source', subtaskIndex: 0, parallelism: 1 }).operatorState.position[0] as number;
  assert.is(position, 2400);
  for (; position < records.length; position++) {
    const r = records[position];
    const s = subtasks[assignKeyToParallelOperator(r.key, maxParallelism, 3)];
    s.keyed.setCurrentKey(r.key);
    s.state.add(r.value);
  }
  const actual = new Map<string, number>();
  for (const s of subtasks) {
    for (const key of s.keyed.getKeys('sum', '')) { s.keyed.setCurrentKey(key); actual.set(key as string, s.state.get()!); }
  }
  assert.equal(new Map([...actual].sort()), new Map([...expected].sort()));
  // Timers restored: one per (key, distinct value) seen before the checkpoint; all within range.
  const restoredTimers = subtasks.reduce((n, s) => n + s.timers.numTimers().eventTime, 0);
  const expectedTimers = new Set(records.slice(0, 2400).map((r) => `${r.key}|${r.value}`)).size;
  assert.is(restoredTimers, expectedTimers);
  await storage.close();
}

test('memory backend: checkpoint, fail, recover at another parallelism = plain loop', async () => {
  await recoveryRun(memoryStateBackend(), undefined, testSeed('state-backend-memory'));
});

test('kv backend (KV file, incremental, short chains): same recovery = plain loop', async () => {
  await recoveryRun(kvStateBackend({ maxChainLength: 3 }), join(dir, 'checkpoints.sqlite'), testSeed('state-backend-kv'));
});

test('kv backend: a directory as checkpoint storage holds a KV file inside it', async () => {
  const storage = await kvStateBackend().createCheckpointStorage({ jobId: 'dir', path: dir });
  await storage.writeSubtaskState(1, memoryStateBackend().snapshotSubtask(1, { operatorUid: 'src', subtaskIndex: 0, parallelism: 1, operatorState: { p: [1] } }));
  await storage.writeMetadata(1, { timestamp: 1 });
  await storage.close();
  assert.ok(readdirSync(dir).some((f) => f.startsWith('checkpoints.kv')));
  const reopened = await kvStateBackend().createCheckpointStorage({ jobId: 'dir', path: dir });
  assert.equal((await reopened.readLatestCompleted())?.operators.src.subtasks[0].operatorState, { p: [1] });
  await reopened.close();
});

test('cleanup', () => { rmSync(dir, { recursive: true, force: true }); });

test.run();
