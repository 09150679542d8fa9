// Which checkpoint recovery reads: past a damaged newest one only when no sink of the job commits
// on checkpoint completion; a job with such a sink gets an error naming the damaged checkpoint,
// the sinks and the older checkpoint that could be restored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DataGeneratorSource, ExactlyOnceCollectSink, FileSink, StreamExecutionEnvironment } from '../../../api/index.ts';
import { CheckpointFallbackRefusedError, committingSinks, readRecoveryCheckpoint } from '../../../actors/checkpoint/recovery-checkpoint.ts';
import {
  CheckpointCorruptedError, CheckpointNotFoundError, readLatest, type CheckpointStorage,
} from '../../../state/checkpoint/checkpoint-storage.ts';
import type { CheckpointSnapshot } from '../../../state/snapshot/checkpoint-snapshot.ts';

function storageWith(ids: number[], corrupt: Set<number>): CheckpointStorage {
  const storage: CheckpointStorage = {
    jobId: 'j',
    writeSubtaskState: async () => ({ entries: 0, bytes: 0 }),
    writeMetadata: async () => undefined,
    readLatestCompleted: (o) => readLatest(storage, o),
    readCheckpoint: async (id: number): Promise<CheckpointSnapshot> => {
      if (!ids.includes(id)) throw new CheckpointNotFoundError('j', id);
      if (corrupt.has(id)) throw new CheckpointCorruptedError('j', id, 'a key group is damaged');
      return { jobId: 'j', checkpointId: id, timestamp: id, properties: {}, operators: {} };
    },
    discard: async () => undefined,
    list: async () => ids,
    close: async () => undefined,
  };
  return storage;
}

function graph(sink: 'plain' | 'collect' | 'file') {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const stream = env.fromSource(new DataGeneratorSource((i) => i, 10), undefined, 'numbers').map((n: number) => n + 1);
  if (sink === 'plain') stream.addSink(() => {});
  if (sink === 'collect') stream.sinkTo(new ExactlyOnceCollectSink<number>([])).uid('results');
  if (sink === 'file') stream.sinkTo(new FileSink<number>('/nonexistent-dir-never-written')).name('files');
  return env.getJobGraph('recovery');
}

test('committingSinks names the two-phase-commit sinks only (uid, else name)', () => {
  assert.equal(committingSinks(graph('plain')), []);
  assert.equal(committingSinks(graph('collect')), ['results']);
  assert.equal(committingSinks(graph('file')), ['files']);
});

test('without a committing sink: the newest readable checkpoint, past damaged ones', async () => {
  assert.is((await readRecoveryCheckpoint(storageWith([1, 2, 3], new Set([3])), graph('plain')))?.checkpointId, 2);
  assert.is((await readRecoveryCheckpoint(storageWith([1, 2, 3], new Set()), graph('collect')))?.checkpointId, 3);
});

test('with a committing sink: a damaged newest checkpoint is refused, naming it, the sink and the older one', async () => {
  let error: unknown;
  try { await readRecoveryCheckpoint(storageWith([1, 2, 3], new Set([3])), graph('collect'), '/data/checkpoints'); } catch (e) { error = e; }
  assert.instance(error, CheckpointFallbackRefusedError);
  const refused = error as CheckpointFallbackRefusedError;
  assert.is(refused.damaged.checkpointId, 3);
  assert.is(refused.olderCheckpointId, 2);
  assert.match(refused.message, /checkpoint 3 of job j is corrupt or incomplete: a key group is damaged/);
  assert.match(refused.message, /'results' committed output when checkpoint 3 completed, and restoring the older checkpoint 2 would write that output again/);
  assert.match(refused.message, /checkpoint storage \/data\/checkpoints \(fromSavepoint\), which uses checkpoint 2/);
  error = undefined;
  try { await readRecoveryCheckpoint(storageWith([3], new Set([3])), graph('file')); } catch (e) { error = e; }
  assert.match((error as Error).message, /'files' committed output when checkpoint 3 completed, and no older checkpoint can be read either/);
});

test('a listed checkpoint that is gone is passed over, committing sink or not', async () => {
  const storage = storageWith([1, 2], new Set());
  storage.list = async () => [1, 2, 3];
  assert.is((await readRecoveryCheckpoint(storage, graph('collect')))?.checkpointId, 2);
});

test.run();
