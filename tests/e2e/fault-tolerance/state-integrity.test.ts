// State integrity end to end: checkpoints with a flipped bit (memory and kv storage) restore
// exactly or fall back; a damaged KV checkpoint file or savepoint fails the job naming the file
// (the process stays up); checkpoints into a read-only directory fail naming it, and the restart
// strategy ends the job.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataGeneratorSource, ExactlyOnceCollectSink, ManualClock, RestartStrategies, StreamExecutionEnvironment } from '../../../api/index.ts';
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
          // No readable checkpoint is left (the damaged one was the base of the others): the error names it and its storage.
          assert.match(chain(error), /no completed checkpoint can be read .*is corrupt or incomplete.*\(in the test store\)/, `after ${storage?.flipped}: ${chain(error)}`);
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

/** A counting job with uids (its state maps onto a restore), committing exactly once into `results`. */
function savepointJob(records: number, progress: { seen: number }) {
  const clock = new ManualClock();
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ clock, bufferTimeoutMs: 0, batchSize: 64 });
  env.setParallelism(2).enableCheckpointing(100).setRestartStrategy(RestartStrategies.noRestart());
  const results: Count[] = [];
  env.fromSource(new DataGeneratorSource((i) => i, records, { ratePerSecond: 1000 }), undefined, 'numbers').uid('numbers')
    .map((i: number): Count => { progress.seen++; return [i % 4, 1]; }).uid('pair')
    .keyBy((t) => t[0])
    .reduce((a, b): Count => [a[0], a[1] + b[1]]).uid('count')
    .sinkTo(new ExactlyOnceCollectSink<Count>(results)).uid('sink');
  return { env, clock, results };
}

test('a savepoint with a flipped bit fails the restore naming the file; the intact one restores exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-integrity-sp-'));
  try {
    const records = 8000;
    const progress = { seen: 0 };
    const first = savepointJob(records, progress);
    const client = await first.env.executeAsync('first');
    while (progress.seen < 3000) { first.clock.advance(10); await new Promise<void>((r) => setTimeout(r, 0)); }
    const path = await client.stopWithSavepoint(dir);
    const bytes = readFileSync(path);
    for (let trial = 0; trial < 4; trial++) {
      const bit = random.int(0, bytes.byteLength * 8 - 1);
      const damaged = bytes.slice();
      damaged[bit >> 3] ^= 1 << (bit & 7);
      const flipped = join(dir, `flipped-${trial}.msgpack`);
      writeFileSync(flipped, damaged);
      const next = savepointJob(records, { seen: 0 });
      try {
        await drive(next.clock, next.env.execute({ name: `flipped ${trial}`, fromSavepoint: flipped }));
        assert.unreachable(`bit ${bit} flipped and the savepoint restored`);
      } catch (error) {
        assert.match(chain(error), flipped, `bit ${bit}: the error names the savepoint`);
      }
    }
    const next = savepointJob(records, { seen: 0 });
    await drive(next.clock, next.env.execute({ name: 'intact', fromSavepoint: path }));
    assert.equal(sorted(finalCounts([...first.results, ...next.results])), sorted(expectedCounts(records, 4)));
    const every = [...first.results, ...next.results].map(([k, n]) => `${k}:${n}`).sort();
    assert.is(new Set(every).size, records, 'every running count was committed exactly once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Zeroes the pages of the KV's queue tables and expiration index (5..9): its worker reads them as a file is opened. */
function zeroQueuePages(path: string): void {
  const bytes = new Uint8Array(readFileSync(path));
  const pageSize = (bytes[16] << 8) | bytes[17];
  bytes.fill(0, 4 * pageSize, Math.min(bytes.byteLength, 9 * pageSize));
  writeFileSync(path, bytes);
}

test('a damaged KV checkpoint file fails the job naming the file, and the process stays up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-integrity-kv-'));
  try {
    const file = join(dir, 'checkpoints.kv');
    const { env, stream, clock } = countingJob({ records: 20000, keys: 5, parallelism: 2, backend: 'kv', plan: { throwAt: [] } });
    env.setCheckpointStorage(dir);
    stream.addSink(() => {});
    await drive(clock, env.execute('writes checkpoints'));
    for (const [damage, apply] of [
      ['zeroed queue pages', () => zeroQueuePages(file)],
      ['foreign bytes', () => writeFileSync(file, new Uint8Array(8192).fill(0x5a))],
    ] as const) {
      apply();
      const job = countingJob({ records: 1000, keys: 5, parallelism: 1, backend: 'kv', plan: { throwAt: [] } });
      job.env.setCheckpointStorage(dir);
      job.stream.addSink(() => {});
      try {
        await drive(job.clock, job.env.execute(`over ${damage}`));
        assert.unreachable(`${damage}: the job must fail`);
      } catch (error) {
        assert.match(chain(error), `KV file ${file}`, `${damage}: ${chain(error)}`);
      }
      const restore = savepointJob(1000, { seen: 0 });
      try {
        await drive(restore.clock, restore.env.execute({ name: `restore ${damage}`, fromSavepoint: dir }));
        assert.unreachable(`${damage}: the restore must fail`);
      } catch (error) {
        assert.match(chain(error), file, `${damage}: ${chain(error)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
