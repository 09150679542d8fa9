// State integrity end to end: checkpoints with a flipped bit (memory and kv storage) restore
// exactly or fall back; a damaged KV checkpoint file or savepoint fails the job naming the file
// (the process stays up); checkpoints into a read-only directory fail naming it, and the restart
// strategy ends the job.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestartStrategies } from '../../../api/environment/restart-strategies.ts';
import { KvCheckpointStorage } from '../../../state/checkpoint/kv-checkpoint-storage.ts';
import { MemoryKvStore } from '../../../state/checkpoint/memory-kv-store.ts';
import { openKvStore, type KvStore } from '../../../state/kv/kv-store.ts';
import { kvStateBackend, memoryStateBackend, type StateBackend } from '../../../state/snapshot/state-backend.ts';
import { embeddedExecutor } from '../../../actors/runtime/embedded-executor.ts';
import { Random, testSeed } from '../../support/random.ts';
import { makeReadOnly } from '../../support/read-only-dir.ts';
import { countingJob, drive, expectedCounts, finalCounts, sorted, type Count } from './support.ts';

const random = new Random(testSeed('state-integrity'));

/** Every message of an error and its causes. */
function chain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message ?? e));
  return parts.join(' <- ');
}

/** Flips one random bit of one random checkpoint entry of `store`; says which. */
async function flipOne(store: KvStore): Promise<string> {
  const entries = [...await store.list(['cp']), ...await store.list(['cpsub']), ...await store.list(['cpmeta'])];
  const entry = random.pick(entries);
  const bytes = (entry.value as Uint8Array).slice();
  const bit = random.int(0, bytes.byteLength * 8 - 1);
  bytes[bit >> 3] ^= 1 << (bit & 7);
  await store.set(entry.key, bytes);
  return `bit ${bit} of ${entry.key.join('/')}`;
}

/** Checkpoint storage over a store the test holds, which flips a bit just before a restart reads it. */
class DamagedOnRestart extends KvCheckpointStorage {
  flipped: string | undefined;
  constructor(jobId: string, private readonly store: KvStore) { super(jobId, store, false, 0, 'the test store'); }
  override async readLatestCompleted(options?: { fallbackOnCorruption?: boolean }) {
    this.flipped ??= await flipOne(this.store);
    return super.readLatestCompleted(options);
  }
}

for (const kind of ['memory', 'kv'] as const) {
  test(`${kind}: a flipped bit in a checkpoint before recovery: exact counts, or the job fails naming the checkpoint`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-integrity-'));
    try {
      for (let trial = 0; trial < 3; trial++) {
        const store: KvStore = kind === 'memory' ? new MemoryKvStore() : await openKvStore(join(dir, `trial-${trial}.kv`));
        const records = 40000, keys = 5;
        const base = kind === 'memory' ? memoryStateBackend() : kvStateBackend();
        let storage: DamagedOnRestart | undefined;
        const backend: StateBackend = { ...base, createCheckpointStorage: async ({ jobId }) => (storage = new DamagedOnRestart(jobId, store)) };
        const { env, stream, failures, clock } = countingJob({ records, keys, parallelism: 2, backend, plan: { throwAt: [12000], checkpointsBefore: 2 }, ratePerSecond: kind === 'kv' ? 10_000 : 30_000 });
        env.getCheckpointConfig().setNumRetainedCheckpoints(3);
        const emitted: Count[] = [];
        stream.addSink((c) => { emitted.push(c); });
        try {
          await drive(clock, env.execute(`flip-${kind}-${trial}`));
          assert.equal(sorted(finalCounts(emitted)), sorted(expectedCounts(records, keys)), `after ${storage?.flipped}`);
        } catch (error) {
          assert.match(chain(error), /checkpoint/, `after ${storage?.flipped}: ${chain(error)}`);
        }
        assert.is(failures(), 1);
        assert.ok(storage?.flipped !== undefined, 'a bit was flipped before the restart');
        console.log(`${kind} trial ${trial}: ${storage!.flipped}, restored checkpoint ${embeddedExecutor.lastJobMaster?.checkpointing.restoredCheckpointId}`);
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('checkpoints into a read-only directory fail naming it; the restart strategy ends the job', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-integrity-ro-'));
  const undo = makeReadOnly(dir);
  if (typeof undo === 'string') { console.log(`skipped: ${undo}`); rmSync(dir, { recursive: true, force: true }); return; }
  try {
    const { env, stream, clock } = countingJob({ records: 40000, keys: 5, parallelism: 2, backend: 'kv', plan: { throwAt: [] } });
    env.setCheckpointStorage(dir);
    stream.addSink(() => {});
    try {
      await drive(clock, env.execute('read-only'));
      assert.unreachable('the job must fail');
    } catch (error) {
      assert.match(chain(error), `checkpoint storage ${join(dir, 'checkpoints.kv')} cannot be written`);
    }
  } finally {
    undo();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
