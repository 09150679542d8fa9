// KvCheckpointStorage (over a KV file and, as MemoryCheckpointStorage, in memory): the backend
// contract through a checkpoint round trip, incremental size, subsumption, chains, corruption.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapKeyedStateBackend } from '../../../state/heap/heap-keyed-state-backend.ts';
import { HeapTimerService } from '../../../state/heap/heap-timer-service.ts';
import { keyGroupRangeForOperator, type KeyGroupRange } from '../../../state/key-groups.ts';
import type { KeyedStateSnapshot } from '../../../state/keyed-state-backend.ts';
import { openKvStore, type KvStore } from '../../../state/kv/kv-store.ts';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { CheckpointCorruptedError, CheckpointNotFoundError } from '../../../state/checkpoint/checkpoint-storage.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { keyedStateOf, timersOf } from '../../../state/snapshot/checkpoint-snapshot.ts';
import { abortIncrementalChain, snapshotSubtask } from '../../../state/snapshot/subtask-snapshot.ts';
import { restoreSubtask } from '../../../state/snapshot/restore-subtask.ts';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../state/state-descriptors.ts';
import { Random, testSeed } from '../../support/random.ts';
import { keyedStateBackendContract } from '../state-backend.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'actorflow-kv-cp-'));
let files = 0;
const stores: KvStore[] = [];

/** A fresh store: a KV file (every other call) or the in-memory store. */
async function freshStore(kind: 'file' | 'memory'): Promise<KvStore> {
  const store = kind === 'file' ? await openKvStore(join(dir, `cp-${files++}.sqlite`)) : new MemoryKvStore();
  stores.push(store);
  return store;
}

function normalize(snapshot: KeyedStateSnapshot): string {
  const rows: string[] = [];
  for (const [kg, group] of Object.entries(snapshot.keyGroups)) {
    for (const [name, entries] of Object.entries(group)) for (const e of entries) rows.push(JSON.stringify([Number(kg), name, e], (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  return rows.sort().join('\n');
}

let cp = 0;
let contractStore: KvStore | undefined;
keyedStateBackendContract('heap restored from a KV checkpoint', {
  create: (options) => new HeapKeyedStateBackend(options),
  roundTrip: async (backends) => {
    contractStore ??= await freshStore('file');
    // One KV file for the whole suite; each round trip is its own job.
    const storage = new KvCheckpointStorage(`contract-${cp}`, contractStore);
    const checkpointId = ++cp;
    for (const [i, b] of backends.entries()) {
      const heap = b as HeapKeyedStateBackend;
      await storage.writeSubtaskState(checkpointId, snapshotSubtask(checkpointId, { operatorUid: 'op', subtaskIndex: i, parallelism: backends.length, keyed: heap }, { incremental: true }));
    }
    await storage.writeMetadata(checkpointId, { timestamp: 1, operators: { op: backends.length } });
    const checkpoint = await storage.readCheckpoint(checkpointId);
    return backends.map((b) => keyedStateOf(checkpoint.operators.op, b.keyGroupRange));
  },
});

for (const kind of ['file', 'memory'] as const) {
  const open = async (): Promise<KvCheckpointStorage> => new KvCheckpointStorage('job', await freshStore(kind));
  const full: KeyGroupRange = { start: 0, end: 127 };

  test(`${kind}: an incremental checkpoint writes bytes in proportion to the changed fraction`, async () => {
    const storage = await open();
    const b = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
    const v = b.getValueState(new ValueStateDescriptor<{ n: number; pad: string }>('v'));
    for (let i = 0; i < 5000; i++) { b.setCurrentKey(`key-${i}`); v.update({ n: i, pad: 'x'.repeat(20) }); }
    const parts = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b };
    const first = await storage.writeSubtaskState(1, snapshotSubtask(1, parts, { incremental: true }));
    await storage.writeMetadata(1, { timestamp: 1 });
    for (let i = 0; i < 50; i++) { b.setCurrentKey(`key-${i * 100}`); v.update({ n: -i, pad: 'y'.repeat(20) }); }
    const second = await storage.writeSubtaskState(2, snapshotSubtask(2, parts, { incremental: true }));
    await storage.writeMetadata(2, { timestamp: 2 });
    assert.is(first.entries, 5000); assert.is(second.entries, 50);
    const ratio = second.bytes / first.bytes;
    console.log(`${kind}: full ${first.bytes} B, 1% changed ${second.bytes} B, ratio ${ratio.toFixed(4)}`);
    assert.ok(ratio < 0.03, `ratio ${ratio}`);
    const restored = await storage.readCheckpoint(2);
    assert.is(normalize(keyedStateOf(restored.operators.op)), normalize(b.snapshot()));
  });

  test(`${kind}: randomized checkpoints with subsumption, aborts and restores equal the full state`, async () => {
    const rnd = new Random(testSeed(`kv-checkpoint-chain-${kind}`));
    const storage = await open();
    const p = 2, maxParallelism = 16;
    const backends = [0, 1].map((i) => new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: keyGroupRangeForOperator(maxParallelism, p, i) }));
    const route = (key: string): HeapKeyedStateBackend => backends.find((b) => { try { b.setCurrentKey(key); return true; } catch { return false; } })!;
    let latest = 0;
    // The KV file fsyncs every commit: fewer rounds there, the in-memory store covers more.
    for (let c = 1; c <= (kind === 'file' ? 20 : 40); c++) {
      for (let op = 0; op < 40; op++) {
        const key = `k${rnd.int(0, 80)}`;
        const b = route(key);
        const m = b.getMapState(new MapStateDescriptor<number, number>('m'));
        const v = b.getValueState(new ValueStateDescriptor<number>('v'));
        if (rnd.chance(0.6)) v.update(rnd.int(0, 99)); else v.clear();
        if (rnd.chance(0.3)) m.put(rnd.int(0, 3), c); else if (rnd.chance(0.3)) m.remove(rnd.int(0, 3));
      }
      const states = backends.map((b, i) => snapshotSubtask(c, { operatorUid: 'op', subtaskIndex: i, parallelism: p, keyed: b }, { incremental: true, maxChainLength: 6 }));
      if (rnd.chance(0.15)) {
        // Aborted after one subtask wrote: the checkpoint is discarded and every subtask is told,
        // so each starts a new chain.
        await storage.writeSubtaskState(c, states[0]);
        await storage.discard(c);
        for (const b of backends) abortIncrementalChain(b);
        continue;
      }
      for (const s of states) await storage.writeSubtaskState(c, s);
      await storage.writeMetadata(c, { timestamp: c, operators: { op: p } });
      if (latest > 0) await storage.discard(latest); // retain 1: subsume the previous
      latest = c;
      assert.equal(await storage.list(), [c]);
      const checkpoint = await storage.readLatestCompleted();
      assert.is(checkpoint?.checkpointId, c);
      const expected = backends.map((b) => normalize(b.snapshot())).join('\n').split('\n').filter(Boolean).sort().join('\n');
      assert.is(normalize(keyedStateOf(checkpoint!.operators.op)), expected, `checkpoint ${c}`);
    }
  });

  test(`${kind}: subsumed checkpoints are deleted once no later checkpoint builds on them`, async () => {
    const kv = await freshStore(kind);
    const storage = new KvCheckpointStorage('job', kv);
    const b = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
    const v = b.getValueState(new ValueStateDescriptor<number>('v'));
    const parts = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b };
    const checkpoint = async (c: number, maxChainLength = 10): Promise<void> => {
      b.setCurrentKey(`k${c}`); v.update(c);
      await storage.writeSubtaskState(c, snapshotSubtask(c, parts, { incremental: true, maxChainLength }));
      await storage.writeMetadata(c, { timestamp: c });
    };
    const idsWithData = async (): Promise<number[]> => [...new Set((await kv.list(['cp', 'job'])).map((e) => Number(e.key[2])))].sort();
    await checkpoint(1); await checkpoint(2);
    await storage.discard(1);
    assert.equal(await idsWithData(), [1, 2], 'checkpoint 2 builds on 1');
    const two = await storage.readCheckpoint(2);
    assert.is(Object.values(two.operators.op.keyGroups).reduce((n, g) => n + (g.states.v?.length ?? 0), 0), 2);
    await checkpoint(3, 1); // chain cut: a full checkpoint
    await storage.discard(2);
    assert.equal(await idsWithData(), [3]);
    let error: unknown;
    try { await storage.readCheckpoint(2); } catch (e) { error = e; }
    assert.instance(error, CheckpointNotFoundError);
  });

  test(`${kind}: missing and corrupt checkpoints give clear errors; fallback to an earlier one`, async () => {
    const kv = await freshStore(kind);
    const storage = new KvCheckpointStorage('job', kv);
    const b = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
    const v = b.getValueState(new ValueStateDescriptor<number>('v'));
    for (let c = 1; c <= 3; c++) {
      b.setCurrentKey(`k${c}`); v.update(c);
      await storage.writeSubtaskState(c, snapshotSubtask(c, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b }, { incremental: true }));
      await storage.writeMetadata(c, { timestamp: c });
    }
    let error: unknown;
    try { await storage.readCheckpoint(9); } catch (e) { error = e; }
    assert.instance(error, CheckpointNotFoundError);
    assert.match(String(error), /checkpoint 9 of job job does not exist/);
    // Corrupt the delta checkpoint 3 wrote; checkpoint 2 does not include it.
    const blobs = (await kv.list(['cp', 'job', 3, 'op', 'kg']));
    assert.ok(blobs.length > 0);
    await kv.set(blobs[0].key, new Uint8Array([0xc1]));
    error = undefined;
    try { await storage.readCheckpoint(3); } catch (e) { error = e; }
    assert.instance(error, CheckpointCorruptedError);
    assert.match(String(error), /checkpoint 3 of job job is corrupt or incomplete: operator op: key group \d+ of checkpoint 3 is damaged \(no checksum/);
    const fallback = await storage.readLatestCompleted({ fallbackOnCorruption: true });
    assert.is(fallback?.checkpointId, 2);
    // A chain member removed behind the storage's back: incomplete.
    await kv.delete(['cpsub', 'job', 1, 'op', 0]);
    error = undefined;
    try { await storage.readCheckpoint(2); } catch (e) { error = e; }
    assert.instance(error, CheckpointCorruptedError);
    assert.match(String(error), /builds on checkpoint 1, whose state is missing/);
  });

  test(`${kind}: an aborted checkpoint stays a valid base until a later one completes; a lost base fails the write`, async () => {
    const kv = await freshStore(kind);
    const storage = new KvCheckpointStorage('job', kv);
    const b = new HeapKeyedStateBackend({ maxParallelism: 8, keyGroupRange: { start: 0, end: 7 } });
    const v = b.getValueState(new ValueStateDescriptor<number>('v'));
    const parts = { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b };
    b.setCurrentKey('a'); v.update(1);
    await storage.writeSubtaskState(1, snapshotSubtask(1, parts, { incremental: true }));
    await storage.discard(1); // aborted, but the subtask may already build on it
    b.setCurrentKey('b'); v.update(2);
    await storage.writeSubtaskState(2, snapshotSubtask(2, parts, { incremental: true }));
    await storage.writeMetadata(2, { timestamp: 2 });
    assert.is(normalize(keyedStateOf((await storage.readCheckpoint(2)).operators.op)), normalize(b.snapshot()));
    // Base state lost behind the storage's back: the write fails until the chain restarts.
    await kv.delete(['cpsub', 'job', 2, 'op', 0]);
    b.setCurrentKey('c'); v.update(3);
    let error: unknown;
    try { await storage.writeSubtaskState(3, snapshotSubtask(3, parts, { incremental: true })); } catch (e) { error = e; }
    assert.match(String(error), /builds on checkpoint 2, whose state is missing/);
    abortIncrementalChain(b);
    await storage.writeSubtaskState(4, snapshotSubtask(4, parts, { incremental: true }));
    await storage.writeMetadata(4, { timestamp: 4 });
    assert.is(normalize(keyedStateOf((await storage.readCheckpoint(4)).operators.op)), normalize(b.snapshot()));
    // Once checkpoint 4 completed, discarding sweeps the aborted checkpoint 1 too (2's data stays:
    // its index was removed above, which is what discard finds data by).
    await storage.discard(2);
    assert.equal([...new Set((await kv.list(['cp', 'job'])).map((e) => Number(e.key[2])))], [2, 4]);
  });

  test(`${kind}: values above 64 KiB, timers and operator state survive, restored at another parallelism`, async () => {
    const storage = await open();
    const maxParallelism = 8;
    const b = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: 7 } });
    const big = 'z'.repeat(200_000);
    const timers = new HeapTimerService(b, { onEventTime() {}, onProcessingTime() {} }, () => 0);
    for (let i = 0; i < 20; i++) {
      b.setCurrentKey(i);
      b.getValueState(new ValueStateDescriptor<string>('big')).update(i === 3 ? big : `v${i}`);
      timers.registerEventTimeTimer('w', 100 + i);
    }
    const state = snapshotSubtask(1, { operatorUid: 'op', subtaskIndex: 0, parallelism: 1, keyed: b, timers: { t: timers }, operatorState: { offsets: [1, 2, 3, 4, 5] }, unionState: { u: ['x'] } }, { incremental: true });
    await storage.writeSubtaskState(1, state);
    await storage.writeMetadata(1, { timestamp: 1, properties: { savepoint: false } });
    const checkpoint = await storage.readCheckpoint(1);
    assert.equal(checkpoint.properties, { savepoint: false });
    let timerCount = 0;
    const offsets: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const range = keyGroupRangeForOperator(maxParallelism, 3, i);
      const target = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: range });
      const service = new HeapTimerService(target, { onEventTime() {}, onProcessingTime() {} }, () => 0);
      const restored = restoreSubtask(checkpoint, { operatorUid: 'op', subtaskIndex: i, parallelism: 3, keyed: target, timers: { t: service } });
      offsets.push(...restored.operatorState.offsets);
      assert.equal(restored.unionState.u, ['x']);
      timerCount += service.numTimers().eventTime;
      assert.is(timersOf(checkpoint.operators.op, 't', range).eventTime.length, service.numTimers().eventTime);
      for (const key of target.getKeys('big', '')) {
        target.setCurrentKey(key);
        assert.is(target.getValueState(new ValueStateDescriptor<string>('big')).value(), key === 3 ? big : `v${key as number}`);
      }
    }
    assert.is(timerCount, 20);
    assert.equal(offsets, [1, 2, 3, 4, 5]);
  });

  test(`${kind}: a filtered read returns one operator's key groups within a range`, async () => {
    const storage = await open();
    const maxParallelism = 16;
    for (const uid of ['a', 'b']) {
      const b = new HeapKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: 15 } });
      for (let i = 0; i < 100; i++) { b.setCurrentKey(i); b.getValueState(new ValueStateDescriptor<number>('v')).update(i); }
      await storage.writeSubtaskState(1, snapshotSubtask(1, { operatorUid: uid, subtaskIndex: 0, parallelism: 1, keyed: b }, { incremental: true }));
    }
    await storage.writeMetadata(1, { timestamp: 1, operators: { a: 1, b: 1 } });
    const range = keyGroupRangeForOperator(maxParallelism, 4, 2);
    const part = await storage.readCheckpoint(1, { operatorUid: 'b', keyGroupRange: range });
    assert.equal(Object.keys(part.operators), ['b']);
    const groups = Object.keys(part.operators.b.keyGroups).map(Number);
    assert.ok(groups.length > 0 && groups.every((kg) => kg >= range.start && kg <= range.end), String(groups));
    const whole = await storage.readCheckpoint(1);
    assert.equal(keyedStateOf(part.operators.b), keyedStateOf(whole.operators.b, range));
  });

  test(`${kind}: completing a checkpoint requires every expected subtask`, async () => {
    const storage = await open();
    await storage.writeSubtaskState(1, snapshotSubtask(1, { operatorUid: 'src', subtaskIndex: 0, parallelism: 2, operatorState: { pos: [1] } }));
    let error: unknown;
    try { await storage.writeMetadata(1, { timestamp: 1, operators: { src: 2 } }); } catch (e) { error = e; }
    assert.match(String(error), /operator src subtask 1 has not written its state/);
    assert.equal(await storage.list(), []);
  });

  test(`${kind}: storages of different epochs share no key; epoch 0 keeps the layout without epochs`, async () => {
    const plain = await open();
    const [e1, e2] = [plain.atEpoch(1), plain.atEpoch(2)];
    const write = async (storage: KvCheckpointStorage, writer: string): Promise<void> => {
      await storage.writeSubtaskState(1, snapshotSubtask(1, { operatorUid: 'src', subtaskIndex: 0, parallelism: 1, operatorState: { writer: [writer] } }));
      await storage.writeMetadata(1, { timestamp: 1, operators: { src: 1 } });
    };
    await write(plain, 'epoch 0');
    await write(e1, 'epoch 1');
    await write(e2, 'epoch 2');
    await e2.discard(1);
    assert.equal([await plain.list(), await e1.list(), await e2.list()], [[1], [1], []]);
    const writer = async (storage: KvCheckpointStorage): Promise<unknown> => (await storage.readCheckpoint(1)).operators.src.subtasks[0].operatorState?.writer;
    assert.equal(await writer(plain), ['epoch 0']);
    assert.equal(await writer(e1), ['epoch 1']);
    assert.is((await e1.readCheckpoint(1)).epoch, 1);
    assert.is((await plain.readCheckpoint(1)).epoch, undefined);
    await plain.discard(1);
    assert.equal(await writer(e1), ['epoch 1'], 'discarding in epoch 0 left epoch 1 alone');
  });
}

test('cleanup', () => {
  for (const store of stores) { try { store.close(); } catch { /* already closed */ } }
  rmSync(dir, { recursive: true, force: true });
});

test.run();
