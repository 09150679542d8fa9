// The filesystem sink's writer operator on a manual clock: part files roll past the size limit,
// after the rollover and inactivity intervals (checked every check interval), and at every
// checkpoint; they stay hidden until their checkpoint completes; the commit info names the
// checkpoint's files and partitions; an aborted transaction leaves nothing behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemWriterOperator, RollingPartFileSink, type PartitionCommitInfo } from '../../../../api/table/connectors/filesystem-writer.ts';
import type { FileSystemSinkOptions } from '../../../../api/table/connectors/filesystem-options.ts';
import type { Change } from '../../../../api/table/types/row.ts';
import { harness } from '../../operators/operator-harness.ts';

const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-fs-writer-')); dirs.push(d); return d; };

const OPTIONS: FileSystemSinkOptions = {
  fileSizeBytes: 30, rolloverIntervalMs: 1000, checkIntervalMs: 100, inactivityIntervalMs: 500, shuffleByPartition: false,
};

/** A writer operator over `dir` whose rows are [partition, text]: the line is the text (9 bytes with its newline). */
async function writer(dir: string) {
  const sink = new RollingPartFileSink(dir, OPTIONS, (row) => String(row[1]), (row) => `p=${row[0]}`);
  const operator = new FileSystemWriterOperator(sink, OPTIONS.checkIntervalMs);
  const h = await harness<Change, PartitionCommitInfo>(operator as never);
  const write = (p: string, n: number): void => h.process({ op: '+I', row: [p, `row-${String(n).padStart(4, '0')}`] });
  return { h, sink, write, operator };
}

/** Visible files of a partition as their lines, in part-number order; and the hidden ones' count. */
function files(dir: string, partition: string): { visible: string[][]; hidden: number } {
  const names = readdirSync(join(dir, partition));
  const part = (n: string): number => Number(/-(\d+)(?:\.inprogress)?$/.exec(n)![1]);
  const visible = names.filter((n) => !n.startsWith('.')).sort((a, b) => part(a) - part(b))
    .map((n) => readFileSync(join(dir, partition, n), 'utf8').split('\n').filter(Boolean));
  return { visible, hidden: names.filter((n) => n.startsWith('.')).length };
}

/** The expected files of rows `from..to` written without a pause: a file rolls once past 30 bytes (after 4 lines of 9). */
function bySize(from: number, to: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (let n = from; n <= to; n++) {
    if (bytes > OPTIONS.fileSizeBytes) { out.push(current); current = []; bytes = 0; }
    const line = `row-${String(n).padStart(4, '0')}`;
    current.push(line);
    bytes += line.length + 1;
  }
  if (current.length) out.push(current);
  return out;
}

test('part files roll by size, inactivity, rollover interval and checkpoint; visible only after their checkpoint completes', async () => {
  const dir = tempDir();
  const { h, sink, write, operator } = await writer(dir);
  for (let n = 0; n < 10; n++) write('a', n);
  write('b', 100);
  h.clock.advance(500); // p=a and p=b idle for 500 ms: both roll at the check at 500 ms
  assert.is(sink.openParts(0), 0);
  write('b', 101);
  // p=c gets a row every 400 ms: never idle that long, three rows stay under the size limit, but
  // a file rolls 1000 ms after it opened (rows at 500, 900, 1300 ms; the check at 1500 ms rolls it).
  for (let n = 0; n < 6; n++) { write('c', 200 + n); h.clock.advance(400); }
  assert.equal(files(dir, 'p=a'), { visible: [], hidden: 3 }, 'nothing is visible before the checkpoint');
  // Checkpoint 1: every open file rolls and is pre-committed; the commit info goes downstream.
  const snap = operator.snapshotState(1);
  assert.ok(snap.list!.length >= 1);
  const info = h.values();
  assert.is(info.length, 1);
  assert.is(info[0].checkpointId, 1);
  assert.equal([...info[0].partitions].sort(), ['p=a', 'p=b', 'p=c']);
  assert.equal(files(dir, 'p=c').visible, [], 'still hidden after the snapshot');
  await operator.notifyCheckpointComplete(1);
  assert.equal(files(dir, 'p=a'), { visible: bySize(0, 9), hidden: 0 });
  assert.equal(files(dir, 'p=b'), { visible: [['row-0100'], ['row-0101']], hidden: 0 });
  assert.equal(files(dir, 'p=c').visible, [['row-0200', 'row-0201', 'row-0202'], ['row-0203', 'row-0204', 'row-0205']], 'rolled by the rollover interval');
  // After the checkpoint a row opens a new file, which the next checkpoint rolls.
  write('c', 206);
  operator.snapshotState(2);
  await operator.notifyCheckpointComplete(2);
  assert.equal(files(dir, 'p=c').visible.length, 3);
  assert.is(h.values()[1].checkpointId, 2);
});

test('an aborted transaction removes its hidden files; committed ones stay', async () => {
  const dir = tempDir();
  const { write, operator } = await writer(dir);
  write('a', 1);
  operator.snapshotState(1);
  await operator.notifyCheckpointComplete(1);
  for (let n = 2; n < 8; n++) write('a', n);
  await operator.close();
  assert.equal(files(dir, 'p=a'), { visible: [['row-0001']], hidden: 0 });
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
