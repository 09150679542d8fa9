// The partition committer on a manual clock: a partition's success file is written only after the
// checkpoint that made its files visible completes, once its trigger lets it go (process time with
// a delay; the watermark at that checkpoint past the partition's time plus the delay, in the
// watermark time zone); a restore commits what its checkpoint covered; the end of input commits
// every partition. Partition times come from the timestamp pattern and formatter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PartitionCommitterOperator, partitionTimeExtractor } from '../../../../api/table/connectors/filesystem-committer.ts';
import type { PartitionCommitOptions } from '../../../../api/table/connectors/filesystem-options.ts';
import { inProgressName, type PartitionCommitInfo } from '../../../../api/table/connectors/filesystem-writer.ts';
import { harness } from '../../operators/operator-harness.ts';

const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-fs-committer-')); dirs.push(d); return d; };
const HOUR = 3_600_000;

/** A pre-committed (hidden) part file in `partition`, and the info a writer sends for it. */
function info(dir: string, checkpointId: number, partition: string, name: string): PartitionCommitInfo {
  mkdirSync(join(dir, partition), { recursive: true });
  writeFileSync(join(dir, partition, inProgressName(name)), 'x\n');
  return { checkpointId, subtask: 0, files: [{ bucket: partition, name }], partitions: [partition] };
}

const committed = (dir: string, p: string): boolean => existsSync(join(dir, p, '_SUCCESS'));
const visible = (dir: string, p: string, name: string): boolean => existsSync(join(dir, p, name));

async function committer(dir: string, options: Partial<PartitionCommitOptions>, keys = ['dt', 'hr']) {
  const operator = new PartitionCommitterOperator(dir, { trigger: 'process-time', delayMs: 0, watermarkTimeZone: 'UTC', successFileName: '_SUCCESS', ...options }, keys);
  const h = await harness(operator);
  Object.assign(h.context, { checkpointingEnabled: true });
  return { operator, h };
}

test('process time: committed after its checkpoint completes and the delay passed, not before', async () => {
  const dir = tempDir();
  const { operator, h } = await committer(dir, { delayMs: 1000 });
  h.process(info(dir, 1, 'p=a', 'part-1'));
  operator.snapshotState(1);
  h.process(info(dir, 2, 'p=b', 'part-2')); // after barrier 1: belongs to checkpoint 2
  operator.notifyCheckpointComplete(1);
  assert.ok(visible(dir, 'p=a', 'part-1'));
  assert.not.ok(visible(dir, 'p=b', 'part-2'), 'checkpoint 2 has not completed');
  assert.not.ok(committed(dir, 'p=a'), 'the delay has not passed');
  h.clock.advance(999);
  operator.snapshotState(2);
  operator.notifyCheckpointComplete(2);
  assert.not.ok(committed(dir, 'p=a'), '999 ms < 1000 ms');
  h.clock.advance(1);
  operator.snapshotState(3);
  operator.notifyCheckpointComplete(3);
  assert.ok(committed(dir, 'p=a'));
  assert.ok(committed(dir, 'p=b'), 'p=b was first heard of at the same time');
});

test('partition time: committed once the watermark at a completed checkpoint passes partition time + delay', async () => {
  const dir = tempDir();
  const { operator, h } = await committer(dir, { trigger: 'partition-time', delayMs: HOUR, timestampPattern: '$dt $hr:00:00' });
  const p = 'dt=2024-01-01/hr=10';
  const end = Date.UTC(2024, 0, 1, 11);
  h.process(info(dir, 1, p, 'part-1'));
  h.watermark(end);
  operator.snapshotState(1);
  h.watermark(end + 1); // after the barrier: checkpoint 1 saw only `end`
  operator.notifyCheckpointComplete(1);
  assert.not.ok(committed(dir, p), 'the watermark must be past the partition time plus the delay');
  operator.snapshotState(2);
  operator.notifyCheckpointComplete(2);
  assert.ok(committed(dir, p));
});

test('a restore commits the files and partitions its checkpoint covered; the end of input commits the rest', async () => {
  const dir = tempDir();
  const first = await committer(dir, { delayMs: 10 * HOUR });
  first.h.process(info(dir, 1, 'p=a', 'part-1'));
  const state = first.operator.snapshotState(1);
  // The job fails before checkpoint 1's notification reaches the committer.
  const second = await committer(dir, { delayMs: 10 * HOUR });
  second.operator.initializeState({ isRestored: true, list: state.list!, union: [] });
  assert.ok(visible(dir, 'p=a', 'part-1'), 'the restored checkpoint made the file visible');
  assert.not.ok(committed(dir, 'p=a'));
  second.h.process(info(dir, 2, 'p=b', 'part-2'));
  second.operator.endInput();
  second.operator.snapshotState(2);
  assert.not.ok(committed(dir, 'p=a'), 'not before the final checkpoint completes');
  second.operator.notifyCheckpointComplete(2);
  assert.ok(committed(dir, 'p=a') && committed(dir, 'p=b'));
  assert.ok(visible(dir, 'p=b', 'part-2'));
});

test('partition times from the pattern, the formatter and the watermark time zone', () => {
  const base: PartitionCommitOptions = { trigger: 'partition-time', delayMs: 0, watermarkTimeZone: 'UTC', successFileName: '_SUCCESS' };
  assert.is(partitionTimeExtractor(base, ['dt'])('dt=2024-03-05'), Date.UTC(2024, 2, 5));
  assert.is(partitionTimeExtractor(base, ['dt'])('dt=2024-03-05 07%3A30%3A00'), Date.UTC(2024, 2, 5, 7, 30));
  const hourly = { ...base, timestampPattern: '${day} $h:00:00', timestampFormatter: 'yyyyMMdd HH:mm:ss' };
  assert.is(partitionTimeExtractor(hourly, ['day', 'h'])('day=20240305/h=07'), Date.UTC(2024, 2, 5, 7));
  assert.is(partitionTimeExtractor({ ...base, watermarkTimeZone: 'Asia/Shanghai' }, ['dt'])('dt=2024-03-05 08:00:00'), Date.UTC(2024, 2, 5, 0));
  assert.is(partitionTimeExtractor({ ...base, watermarkTimeZone: 'America/New_York' }, ['dt'])('dt=2024-07-01'), Date.UTC(2024, 6, 1, 4));
  assert.throws(() => partitionTimeExtractor(base, ['dt'])('dt=yesterday'), /'yesterday' does not match the timestamp format/);
  assert.throws(() => partitionTimeExtractor(base, ['dt'])('dt=__DEFAULT_PARTITION__'), /has no value for 'dt'/);
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
