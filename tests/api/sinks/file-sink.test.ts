// FileSink: part files are named `part-<runId>-<subtaskIndex>-<n>`; two runs into one directory
// keep both runs' complete output (a later run never replaces an earlier one's files), restarts of
// a job keep their run id (so recovery commits and cleans the failed attempt's very files), and a
// new job started from a savepoint commits the savepoint's pending files under their own names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink, StreamExecutionEnvironment } from '../../../api/index.ts';
import { TwoPhaseCommitSinkOperator } from '../../../api/sinks/two-phase-commit-sink.ts';
import type { OperatorContext, OperatorStateSnapshot } from '../../../api/operators/stream-operator.ts';
import { ManualClock } from '../../../api/time/clock.ts';

const PART = /^part-([0-9a-f-]{36})-(\d+)-(\d+)$/;
const dirs: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'af-file-sink-')); dirs.push(d); return d; };

/** Visible lines: what a reader of the directory sees (hidden files ignored), sorted. */
function visibleLines(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)).sort();
}

/** The run ids of the visible part files (every visible file must be a part file). */
function runIds(dir: string): Set<string> {
  const visible = readdirSync(dir).filter((f) => !f.startsWith('.'));
  for (const f of visible) assert.match(f, PART);
  return new Set(visible.map((f) => PART.exec(f)![1]));
}

/** Runs numbers 1..n at parallelism 2 through `sink` (embedded). */
async function run(n: number, sink: FileSink<number>, checkpointing: boolean): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  if (checkpointing) env.enableCheckpointing(50);
  env.fromSequence(1, n).sinkTo(sink);
  await env.execute(`file-sink-${n}`);
}

const numbers = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

for (const checkpointing of [false, true]) {
  test(`two runs into one directory keep both runs' complete output (checkpointing ${checkpointing ? 'on' : 'off'})`, async () => {
    const dir = tempDir();
    await run(300, new FileSink<number>(dir), checkpointing);
    const first = runIds(dir);
    await run(500, new FileSink<number>(dir), checkpointing);
    assert.equal(visibleLines(dir), [...numbers(1, 300), ...numbers(1, 500)].sort());
    const both = runIds(dir);
    // Parallelism 2: each subtask draws its own run id; the second run's are all new.
    assert.is(first.size, 2);
    assert.is(both.size, 4, [...both].join(', '));
  });
}

test('one sink object reused for a second job still writes under new names', async () => {
  const dir = tempDir();
  const sink = new FileSink<number>(dir);
  await run(100, sink, false);
  await run(100, sink, false);
  assert.equal(visibleLines(dir), [...numbers(1, 100), ...numbers(1, 100)].sort());
});

// --- One subtask driven directly: what recovery does with the names. ---

function context(attemptNumber: number): OperatorContext {
  return {
    operatorName: 'file-sink', uid: 'file-sink', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber,
    clock: new ManualClock(), registerProcessingTimer: () => () => {}, accumulators: new Map(), checkpointingEnabled: true,
  };
}

const noOutput = { collect() {}, collectSide() {}, emitWatermark() {}, emitWatermarkStatus() {} };

async function startOperator(sink: FileSink<number>, attemptNumber: number, restored?: OperatorStateSnapshot) {
  const op = new TwoPhaseCommitSinkOperator<number, unknown>(sink as never);
  op.setup(context(attemptNumber), noOutput);
  await op.initializeState({ isRestored: !!restored, list: restored?.list ?? [], union: restored?.union ?? [] });
  op.open();
  return op;
}

test('a restart keeps the run id: it commits the restored pending file and removes the failed attempt\'s', async () => {
  const dir = tempDir();
  // In another process (a new sink object): only the checkpoint carries the run id.
  const first = await startOperator(new FileSink<number>(dir), 0);
  first.processElement(1, 0);
  const checkpoint1 = first.snapshotState(1); // pre-commits part 0; the notification is lost
  first.processElement(2, 0);
  first.snapshotState(2); // pre-commits part 1; checkpoint 2 never completes
  first.processElement(3, 0);
  first.snapshotState(3); // pre-commits part 2; nor does checkpoint 3
  const hidden = readdirSync(dir).filter((f) => f.startsWith('.')).sort();
  assert.is(hidden.length, 3, hidden.join(', '));
  const run = /^\.part-([0-9a-f-]{36})-0-0\.pending$/.exec(hidden[0])![1];

  const second = await startOperator(new FileSink<number>(dir), 1, checkpoint1);
  assert.equal(readdirSync(dir).filter((f) => !f.startsWith('.')), [`part-${run}-0-0`], 'the restored pending file is committed under its name');
  // Part 1 was the checkpoint's open transaction: aborted by name, its pending file is gone; part 2
  // is the number the new attempt begins with, so its leftover is removed too.
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'the failed attempt\'s pending parts 1 and 2 are gone');
  second.processElement(2, 0);
  second.processElement(3, 0);
  second.snapshotState(3);
  await second.notifyCheckpointComplete(3);
  assert.equal(readdirSync(dir).sort(), [`part-${run}-0-0`, `part-${run}-0-2`]);
  assert.equal(visibleLines(dir), ['1', '2', '3']);
});

test('a restart before the first checkpoint keeps the run id of the attempt in this process', async () => {
  const dir = tempDir();
  const sink = new FileSink<number>(dir);
  const first = await startOperator(sink, 0);
  first.processElement(1, 0);
  first.snapshotState(1); // pre-committed, never completed
  const [pending] = readdirSync(dir);
  const second = await startOperator(sink, 1);
  second.processElement(1, 0);
  second.snapshotState(2);
  await second.notifyCheckpointComplete(2);
  const run = /^\.part-([0-9a-f-]{36})-0-\d+\.pending$/.exec(pending)![1];
  assert.equal([...runIds(dir)], [run]);
  assert.equal(visibleLines(dir), ['1']);
});

test('a new job from a savepoint commits the savepoint\'s pending file and writes under a new run id', async () => {
  const dir = tempDir();
  const first = await startOperator(new FileSink<number>(dir), 0);
  first.processElement(1, 0);
  const savepoint = first.snapshotState(1);
  const restoredOnce = await startOperator(new FileSink<number>(dir), 0, savepoint);
  restoredOnce.processElement(2, 0);
  restoredOnce.snapshotState(2);
  await restoredOnce.notifyCheckpointComplete(2);
  // The same savepoint again, into the same directory: nothing of the first restore is replaced.
  const restoredTwice = await startOperator(new FileSink<number>(dir), 0, savepoint);
  restoredTwice.processElement(3, 0);
  restoredTwice.snapshotState(2);
  await restoredTwice.notifyCheckpointComplete(2);
  assert.equal(visibleLines(dir), ['1', '2', '3']);
  assert.is(runIds(dir).size, 3);
});

test('pending transactions of checkpoints from before run ids keep their old names', async () => {
  const dir = tempDir();
  const legacy: OperatorStateSnapshot = { list: [{ pending: { checkpointId: 1, txn: { subtask: 0, part: 4 } } }], union: [{ subtask: 0, nextPart: 5 }] };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, '.part-0-4.pending'), 'old\n');
  const op = await startOperator(new FileSink<number>(dir), 1, legacy);
  op.processElement(9, 0);
  op.snapshotState(2);
  await op.notifyCheckpointComplete(2);
  const visible = readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
  assert.ok(visible.includes('part-0-4'), visible.join(', '));
  assert.equal(visibleLines(dir), ['9', 'old']);
});

test.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

test.run();
